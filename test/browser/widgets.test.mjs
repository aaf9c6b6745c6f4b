// Real-browser check of the widgets against the installed front end (Debian's jupyter-js-widgets for the classic
// notebook): a slider, a menu, a label and an Output widget holding a chart are displayed from Java; the test moves the
// slider with the keyboard (End: to its maximum) and picks another menu entry, and asserts that the Java listeners saw
// the new values (they write them into the label) and redrew the chart (the image in the Output widget changes).
// Then: typing into a text box reaches Java; the interactive explorer's strategy list (SelectMultiple) re-runs the
// explorer with the chosen strategies; changing N while a slow run is going stops that run (the panel shows its
// progress bar meanwhile); running a cell again closes the widgets it showed before (the kernelspec's kernel.js names
// the cell). Screenshot: target/browser-widgets.png.  Run: npm ci && node widgets.test.mjs (test/kernel-tests.sh runs it).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { repo, fail, cell, withNotebookServer, runAll } from './server.mjs';

const notebook = {
  nbformat: 4, nbformat_minor: 5,
  // the kernel named as saved notebooks name it: the page then loads the kernelspec's kernel.js
  metadata: { kernelspec: { name: 'jaclab', display_name: 'Java (JacLab)', language: 'java' } },
  cells: [
    cell('org.jfree.chart.JFreeChart curve(String f, int k) {\n' +
         '    var s = new org.jfree.data.xy.XYSeries(f + " " + k);\n' +
         '    for (int i = 0; i <= 60; i++) { double x = i / 10.0; s.add(x, f.equals("sin") ? Math.sin(k * x) : Math.cos(k * x)); }\n' +
         '    return org.jfree.chart.ChartFactory.createXYLineChart(f + "(" + k + "x)", "x", "y", new org.jfree.data.xy.XYSeriesCollection(s));\n' +
         '}'),
    cell('var k = IntSlider.of(1, 1, 8).description("k");\nvar f = Dropdown.of("sin", "cos").description("f");\n' +
         'var seen = Text.label("seen sin 1");\nvar out = new Output();\n' +
         'Runnable redraw = () -> { seen.value("seen " + f.value() + " " + k.value());\n' +
         '    out.capture(() -> { out.clear(); display(curve(f.value(), k.value())); }); };\n' +
         'k.onChange(v -> redraw.run());\nf.onChange(v -> redraw.run());\n' +
         'display(Box.vbox(Box.hbox(k, f), seen, out));\nout.capture(() -> display(curve("sin", 1)));'),
    cell('var name = Text.input("sin").description("name");\nvar typed = Text.label("typed sin");\n' +
         'name.onChange(v -> typed.value("typed " + v));\ndisplay(Box.hbox(name, typed));'),
    cell('var ui = Interactive.explorer(Models.sin());\nui.n().value("16");\n' +
         'ui.strategies().value(List.of("reverseSum"));\ndisplay(ui);'),
    cell('boolean[] slow = {true};\n' +
         'var slowModel = Model.of("slow", (n, seed) -> new Tensor[]{Tensor.randn(seed, n, 3)}, x -> {\n' +
         '    for (int i = 0; slow[0] && i < 40; i++) {\n' +
         '        try { Thread.sleep(25); } catch (InterruptedException e) { throw new java.util.concurrent.CancellationException("slow"); }\n' +
         '    }\n' +
         '    return new Tensor[]{x[0].sin()};\n});\n' +
         'var busy = Interactive.explorer(slowModel);\nbusy.strategies().value(List.of("reverseSum"));\ndisplay(busy);'),
    cell('display(IntSlider.of(2, 0, 3).description("again"));'),
  ],
};

/** Appends a code cell, runs it and returns its text output once it has one. */
async function evalCell(page, code, timeout = 240000) {
  const index = await page.evaluate((src) => {
    const c = Jupyter.notebook.insert_cell_at_bottom('code');
    c.set_text(src);
    c.execute();
    return Jupyter.notebook.ncells() - 1;
  }, code);
  const handle = await page.waitForFunction((i) => {
    const c = Jupyter.notebook.get_cell(i);
    const outs = c.output_area.outputs.filter((o) => o.output_type === 'execute_result' || o.output_type === 'error');
    if (!outs.length) return null;
    return outs[0].output_type === 'error' ? 'ERROR ' + outs[0].evalue : outs[0].data['text/plain'];
  }, index, { timeout, polling: 250 });
  return handle.jsonValue();
}

/** The <select> of the control labelled `label` inside the widget area of cell `index`. */
const selectIn = (page, index, label) => page.locator('.cell').nth(index)
  .locator('.widget-inline-hbox', { has: page.locator('.widget-label', { hasText: new RegExp('^' + label + '$') }) }).locator('select');

const imgSrc = (page) => page.$eval('.cell:nth-child(2) .widget-area .output_png img', (e) => e.src).catch(() => null);
const panelImages = (page, index) => page.locator('.cell').nth(index).locator('.widget-area .output_png img')
  .evaluateAll((els) => els.map((e) => e.src));
const labelText = (page) => page.$$eval('.widget-label', (els) => els.map((e) => e.innerText).join('|'));

async function waitFor(what, fn, timeout = 30000) {
  const t0 = Date.now();
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() - t0 > timeout) fail('timed out waiting for ' + what);
    await new Promise((r) => setTimeout(r, 200));
  }
}

await withNotebookServer({ 'widgets.ipynb': notebook }, async ({ base, token, page }) => {
  const consoleLines = [];
  page.on('console', (m) => consoleLines.push(m.text()));
  console.log(`run all: ${await runAll(page, base, token, 'widgets.ipynb')} ms`);
  const errors = await page.$$eval('.output_error, .output_stderr', (els) => els.map((e) => e.innerText));
  if (errors.length) fail('error output in the notebook:\n' + errors.join('\n'));
  await waitFor('the slider', async () => (await page.locator('.cell').nth(1).locator('.widget-hslider .ui-slider-handle').count()) === 1)
    .catch((e) => { console.error(consoleLines.join('\n')); throw e; });
  if (!consoleLines.some((l) => l.includes('Widget backend and frontend versions are compatible')))
    fail('the front end did not validate the kernel\'s widget version:\n' + consoleLines.join('\n'));
  const first = await waitFor('the first chart in the Output widget', () => imgSrc(page));
  if (!(await labelText(page)).includes('seen sin 1')) fail('label: ' + await labelText(page));

  await page.locator('.cell').nth(1).locator('.widget-hslider .ui-slider-handle').focus();
  await page.keyboard.press('End');
  await waitFor('the kernel to see k = 8', async () => (await labelText(page)).includes('seen sin 8'));
  const second = await waitFor('a redrawn chart', async () => { const s = await imgSrc(page); return s && s !== first ? s : null; });

  const select = page.locator('.cell').nth(1).locator('.widget-area select');
  if (await select.count() !== 1) fail('no <select> for the Dropdown: ' + await page.$eval('.widget-area', (e) => e.innerHTML));
  await select.selectOption('cos');
  await waitFor('the kernel to see f = cos', async () => (await labelText(page)).includes('seen cos 8'));
  await waitFor('the cos chart', async () => { const s = await imgSrc(page); return s && s !== second ? s : null; });
  if (await page.locator('.cell').nth(1).locator('.widget-area .output_png img').count() !== 1) fail('the Output widget should hold one chart');

  // typing into a text box: each keystroke reaches the Java listener
  const box = page.locator('.cell').nth(2).locator('.widget-text input');
  await box.click();
  await box.press('End');
  await box.type('h');
  await waitFor('the kernel to see the typed text', async () => (await labelText(page)).includes('typed sinh'));

  // the explorer's strategy list: a new choice re-runs the explorer in the background and redraws its charts
  const charts = await waitFor('the explorer\'s first charts', async () => { const c = await panelImages(page, 3); return c.length >= 4 ? c : null; }, 240000);
  await page.locator('.cell').nth(3).locator('.widget-select-multiple select').selectOption(['sparseRows', 'chunked']);
  const rerun = await evalCell(page, 'ui.awaitIdle(240_000) + " " + ui.report().strategies().stream().map(s -> s.name()).toList()');
  if (!rerun.startsWith('true [sparseRows(256), chunked(256)]')) fail('the explorer did not re-run the chosen strategies: ' + rerun);
  await waitFor('redrawn explorer charts', async () => { const c = await panelImages(page, 3); return c.length >= 4 && c[0] !== charts[0] ? c : null; }, 60000);

  // a change while a slow run is going: the progress bar shows in the panel, the run stops, the new one runs
  await waitFor('the slow run\'s progress bar', async () => (await page.locator('.cell').nth(4).locator('.widget-area progress').count()) > 0, 60000);
  await selectIn(page, 4, 'N').selectOption('16');
  const cancelled = await evalCell(page, 'slow[0] = false;\nbusy.awaitIdle(240_000) + " " + busy.mostAtOnce() + " " + busy.history()');
  if (!/^true 1 \[N=64 [^\]]*\]: cancelled, N=16 [^\]]*\]: done in /.test(cancelled)) fail('the running explorer run was not stopped by the change: ' + cancelled);

  // running a cell again closes the widgets it showed before (the kernel gets the cell's id from kernel.js)
  const before = await evalCell(page, 'KernelComms.current().openInCells()');
  for (let i = 0; i < 2; i++) {
    await page.evaluate(() => Jupyter.notebook.get_cell(5).execute());
    await waitFor('the cell to run again', () => page.evaluate(() => Jupyter.notebook.get_cell(5).input_prompt_number !== '*'
      && document.querySelector('#kernel_indicator_icon.kernel_idle_icon') !== null));
  }
  const after = await evalCell(page, 'KernelComms.current().openInCells()');
  if (before !== after) fail(`widgets of a cell run again stayed open in the kernel: ${before} before, ${after} after`);
  const models = await page.evaluate(async () => {
    const manager = Jupyter.WidgetManager && Jupyter.WidgetManager._managers ? Jupyter.WidgetManager._managers[0] : null;
    if (!manager) return null;
    const all = await Promise.all(Object.values(manager._models));
    return all.filter((m) => m.get('description') === 'again').length;
  });
  if (models !== 1) fail(`the front end still holds ${models} "again" sliders (the old comms did not close)`);
  if (await page.locator('.cell').nth(5).locator('.widget-hslider').count() !== 1) fail('the cell run again should show one slider');

  mkdirSync(join(repo, 'target'), { recursive: true });
  await page.screenshot({ path: join(repo, 'target', 'browser-widgets.png'), fullPage: true });
  console.log('PASS: slider and menu displayed from Java; moving the slider and picking a menu entry reached the Java '
    + 'listeners, which redrew the chart in the Output widget; typing reached Java; the strategy list re-ran the explorer; '
    + 'a change stopped the running explorer run; a cell run again closed its old widgets (' + models + ' "again" model in '
    + 'the front end); screenshot in target/browser-widgets.png');
});
