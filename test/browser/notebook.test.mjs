// Real-browser check of the README's first command: starts `bin/jaclab notebook --no-browser` (set-up + Jupyter
// Notebook on 127.0.0.1 with a fresh token) on a temporary notebook directory, reads the URL it prints, checks that the
// JacLab kernel is the server's default, opens a notebook without a kernelspec of its own in the system Chromium
// (headless), runs all cells, waits for the kernel to go idle, and asserts that a PNG chart, an HTML table and a tensor
// table appear with no error output.
// Screenshot: target/browser-notebook.png.  Run: npm ci && node notebook.test.mjs
// test/kernel-tests.sh runs it with every Jupyter directory temporary (JUPYTER_DATA_DIR etc.).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { repo, fail, cell, withNotebookServer, runAll } from './server.mjs';

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

await withNotebookServer({ 'check.ipynb': notebook }, async ({ base, token, page }) => {
  if ((await fetch(`${base}/api/status`)).ok) fail('the server answers without the token');
  const specs = await (await fetch(`${base}/api/kernelspecs?token=${token}`)).json();
  if (specs.default !== 'jaclab') fail(`the default kernel is ${specs.default}, not jaclab`);
  console.log(`run all: ${await runAll(page, base, token, 'check.ipynb')} ms`);
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
});
