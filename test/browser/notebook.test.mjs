// Real-browser check of the README's first command: starts `bin/jaclab notebook --no-browser` (set-up + Jupyter
// Notebook on 127.0.0.1 with a fresh token) on a temporary notebook directory, reads the URL it prints, checks that the
// JacLab kernel is the server's default, opens a notebook without a kernelspec of its own in the system Chromium
// (headless), runs all cells, waits for the kernel to go idle, and asserts that a PNG chart, an HTML table and a tensor
// table appear with no error output.
// Screenshot: target/browser-notebook.png.  Run: npm ci && node notebook.test.mjs
// test/kernel-tests.sh runs it with every Jupyter directory temporary (JUPYTER_DATA_DIR etc.).
import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';

function fail(msg) { console.error('FAIL: ' + msg); process.exitCode = 1; throw new Error(msg); }

const freePort = () => new Promise((res) => {
  const s = createServer(); s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); });
});

const cell = (src) => ({ cell_type: 'code', metadata: {}, execution_count: null, outputs: [], source: src });
const notebook = {
  nbformat: 4, nbformat_minor: 5,
  metadata: {},       // no kernelspec: the server's default kernel runs it
  cells: [
    cell('var s = new org.jfree.data.xy.XYSeries("sin");\nfor (int i = 0; i < 50; i++) s.add(i / 5.0, Math.sin(i / 5.0));\n' +
         'org.jfree.chart.ChartFactory.createXYLineChart("sin", "x", "y", new org.jfree.data.xy.XYSeriesCollection(s))'),
    cell('import tech.tablesaw.api.*;\nTable.create("runs", StringColumn.create("strategy", "reverseSum", "forwardSum"),\n' +
         '    DoubleColumn.create("ms", 12.5, 7.25))'),
    cell('Tensor.of(new double[][] {{1, 2}, {3, 4}})'),
    cell('System.out.println("done");'),
  ],
};

const work = mkdtempSync(join(tmpdir(), 'jaclab-browser-'));
const env = { ...process.env, JACLAB_NO_APT: '1' };
for (const [k, d] of [['JUPYTER_DATA_DIR', 'data'], ['JUPYTER_CONFIG_DIR', 'config'], ['JUPYTER_RUNTIME_DIR', 'runtime'], ['IPYTHONDIR', 'ipython']]) {
  if (!env[k]) { env[k] = join(work, d); mkdirSync(env[k], { recursive: true }); }
}
delete env.JUPYTER_PATH;   // the kernelspec must come from the command's own registration
const nbDir = join(work, 'notebooks');
mkdirSync(nbDir);
writeFileSync(join(nbDir, 'check.ipynb'), JSON.stringify(notebook));

const askedPort = await freePort();
const server = spawn(join(repo, 'bin', 'jaclab'), ['notebook', '--no-browser', '--port', String(askedPort), '--dir', nbDir],
  { env, stdio: ['ignore', 'pipe', 'pipe'] });
let serverLog = '';
let serverExited = false;
server.on('exit', () => { serverExited = true; });
server.stdout.on('data', (d) => { serverLog += d; });
server.stderr.on('data', (d) => { serverLog += d; });
let base = null;
let token = null;

let browser;
try {
  for (let i = 0; ; i++) {       // set-up (kernelspec, class-data archive when the jar changed), then the server
    const m = /open: (http:\/\/127\.0\.0\.1:(\d+))\/tree\?token=([0-9a-f]+)/.exec(serverLog);
    if (m) {
      if (Number(m[2]) !== askedPort) fail(`asked for port ${askedPort}, the printed URL says ${m[2]}`);
      [base, token] = [m[1], m[3]];
      try { const r = await fetch(`${base}/api/status?token=${token}`); if (r.ok) break; } catch { /* not up yet */ }
    }
    if (i > 900 || serverExited) fail('bin/jaclab notebook did not start a server:\n' + serverLog);
    await new Promise((r) => setTimeout(r, 200));
  }
  if ((await fetch(`${base}/api/status`)).ok) fail('the server answers without the token');
  const specs = await (await fetch(`${base}/api/kernelspecs?token=${token}`)).json();
  if (specs.default !== 'jaclab') fail(`the default kernel is ${specs.default}, not jaclab`);
  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic',
      '--no-first-run', '--disable-component-update', '--disable-sync'],
  });
  const page = await browser.newPage({ viewport: { width: 1200, height: 1400 } });
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(`${base}/notebooks/check.ipynb?token=${token}`);
  await page.waitForFunction(() => window.Jupyter && Jupyter.notebook && Jupyter.notebook.kernel
    && Jupyter.notebook.kernel.is_connected(), null, { timeout: 60000 });
  await page.waitForSelector('#kernel_indicator_icon.kernel_idle_icon', { timeout: 60000 });
  const t0 = Date.now();
  await page.click('#celllink');
  await page.click('#run_all_cells');
  await page.waitForFunction(() => {
    const cells = Jupyter.notebook.get_cells();
    return cells.every((c) => c.input_prompt_number !== '*' && c.input_prompt_number != null)
      && document.querySelector('#kernel_indicator_icon.kernel_idle_icon') !== null;
  }, null, { timeout: 120000, polling: 200 });
  console.log(`run all: ${Date.now() - t0} ms`);
  mkdirSync(join(repo, 'target'), { recursive: true });
  await page.screenshot({ path: join(repo, 'target', 'browser-notebook.png'), fullPage: true });
  const errors = await page.$$eval('.output_error, .output_stderr', (els) => els.map((e) => e.innerText));
  if (errors.length) fail('error output in the notebook:\n' + errors.join('\n'));
  if (await page.locator('.output_png img').count() < 1) fail('no PNG chart in the output');
  const tables = await page.$$eval('.output_html table', (els) => els.map((e) => e.innerText));
  if (!tables.some((t) => t.includes('reverseSum'))) fail('no HTML table with the Tablesaw rows: ' + JSON.stringify(tables));
  if (!tables.some((t) => t.includes('4.0'))) fail('no HTML tensor table: ' + JSON.stringify(tables));
  const done = await page.$$eval('.output_stdout', (els) => els.map((e) => e.innerText).join(''));
  if (!done.includes('done')) fail('stdout of the last cell missing');
  console.log('PASS: bin/jaclab notebook served the JacLab kernel by default; chart (PNG), Tablesaw table and tensor (HTML) rendered, no errors; screenshot in target/browser-notebook.png');
} finally {
  if (browser) await browser.close();
  if (base) { try { await fetch(`${base}/api/shutdown?token=${token}`, { method: 'POST' }); } catch { /* gone */ } }
  await new Promise((r) => setTimeout(r, 500));
  server.kill('SIGTERM');
}
