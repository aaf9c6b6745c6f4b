// Shared by the browser tests: starts `bin/jaclab notebook --no-browser` (set-up + Jupyter Notebook on 127.0.0.1 with a
// fresh token) on a temporary directory holding the given notebooks, with every Jupyter directory temporary unless set,
// opens headless Chromium, runs `body({ base, token, page })`, then shuts the server and browser down.
import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';

export function fail(msg) { console.error('FAIL: ' + msg); process.exitCode = 1; throw new Error(msg); }

export const cell = (src) => ({ cell_type: 'code', metadata: {}, execution_count: null, outputs: [], source: src });

const freePort = () => new Promise((res) => {
  const s = createServer(); s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); });
});

/** notebooks: { 'name.ipynb': notebookJson }; body gets { base, token, page }. */
export async function withNotebookServer(notebooks, body) {
  const work = mkdtempSync(join(tmpdir(), 'jaclab-browser-'));
  const env = { ...process.env, JACLAB_NO_APT: '1' };
  for (const [k, d] of [['JUPYTER_DATA_DIR', 'data'], ['JUPYTER_CONFIG_DIR', 'config'], ['JUPYTER_RUNTIME_DIR', 'runtime'], ['IPYTHONDIR', 'ipython']]) {
    if (!env[k]) { env[k] = join(work, d); mkdirSync(env[k], { recursive: true }); }
  }
  delete env.JUPYTER_PATH;   // the kernelspec must come from the command's own registration
  const nbDir = join(work, 'notebooks');
  mkdirSync(nbDir);
  for (const [name, nb] of Object.entries(notebooks)) writeFileSync(join(nbDir, name), JSON.stringify(nb));

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
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic',
        '--no-first-run', '--disable-component-update', '--disable-sync'],
    });
    const page = await browser.newPage({ viewport: { width: 1200, height: 1400 } });
    page.on('pageerror', (e) => console.error('page error:', e.message));
    await body({ base, token, page });
  } finally {
    if (browser) await browser.close();
    if (base) { try { await fetch(`${base}/api/shutdown?token=${token}`, { method: 'POST' }); } catch { /* gone */ } }
    await new Promise((r) => setTimeout(r, 500));
    server.kill('SIGTERM');
  }
}

/** Opens a notebook, waits for the kernel, runs all cells and waits until every cell ran and the kernel is idle. */
export async function runAll(page, base, token, name) {
  await page.goto(`${base}/notebooks/${name}?token=${token}`);
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
  return Date.now() - t0;
}
