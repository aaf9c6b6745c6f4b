// Real-browser check of the widgets against the installed front end (Debian's jupyter-js-widgets for the classic
// notebook): a slider, a menu, a label and an Output widget holding a chart are displayed from Java; the test moves the
// slider with the keyboard (End: to its maximum) and picks another menu entry, and asserts that the Java listeners saw
// the new values (they write them into the label) and redrew the chart (the image in the Output widget changes).
// Screenshot: target/browser-widgets.png.  Run: npm ci && node widgets.test.mjs (test/kernel-tests.sh runs it).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { repo, fail, cell, withNotebookServer, runAll } from './server.mjs';

const notebook = {
  nbformat: 4, nbformat_minor: 5,
  metadata: {},
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
  ],
};

const imgSrc = (page) => page.$eval('.widget-area .output_png img', (e) => e.src).catch(() => null);
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
  await waitFor('the slider', async () => (await page.locator('.widget-hslider .ui-slider-handle').count()) === 1)
    .catch((e) => { console.error(consoleLines.join('\n')); throw e; });
  if (!consoleLines.some((l) => l.includes('Widget backend and frontend versions are compatible')))
    fail('the front end did not validate the kernel\'s widget version:\n' + consoleLines.join('\n'));
  const first = await waitFor('the first chart in the Output widget', () => imgSrc(page));
  if (!(await labelText(page)).includes('seen sin 1')) fail('label: ' + await labelText(page));

  await page.locator('.widget-hslider .ui-slider-handle').focus();
  await page.keyboard.press('End');
  await waitFor('the kernel to see k = 8', async () => (await labelText(page)).includes('seen sin 8'));
  const second = await waitFor('a redrawn chart', async () => { const s = await imgSrc(page); return s && s !== first ? s : null; });

  const select = page.locator('.widget-area select');
  if (await select.count() !== 1) fail('no <select> for the Dropdown: ' + await page.$eval('.widget-area', (e) => e.innerHTML));
  await select.selectOption('cos');
  await waitFor('the kernel to see f = cos', async () => (await labelText(page)).includes('seen cos 8'));
  await waitFor('the cos chart', async () => { const s = await imgSrc(page); return s && s !== second ? s : null; });
  if (await page.locator('.widget-area .output_png img').count() !== 1) fail('the Output widget should hold one chart');

  mkdirSync(join(repo, 'target'), { recursive: true });
  await page.screenshot({ path: join(repo, 'target', 'browser-widgets.png'), fullPage: true });
  console.log('PASS: slider and menu displayed from Java; moving the slider and picking a menu entry reached the Java '
    + 'listeners, which redrew the chart in the Output widget; screenshot in target/browser-widgets.png');
});
