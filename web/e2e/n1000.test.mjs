// The map on the N1000 preset (all of Norway's municipalities, candidates only in the
// Oslo-region study area): the first view opens on the study area, not on the country, the
// canvas is not blank, and the list names site areas. Run by tests/web_e2e.rs.
import { accessible, base, canvasColours, check, mapReady, run, shots } from './lib.mjs';

await run(async (browser) => {
  const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${base}/`);
  await mapReady(page);
  const collections = await (await fetch(`${base}/collections`)).json();
  const study = collections.collections.find((c) => c.id === 'candidates-mcs-corridor-grid').extent.spatial.bbox[0];
  const norway = collections.collections.find((c) => c.id === 'municipalities').extent.spatial.bbox[0];
  const view = await page.evaluate(() => window.energistasjonMap.getBounds().toArray().flat());
  const contains = view[0] <= study[0] + 0.01 && view[1] <= study[1] + 0.01 && view[2] >= study[2] - 0.01 && view[3] >= study[3] - 0.01;
  check(contains, `the first view [${view.map((x) => x.toFixed(2))}] contains the study area [${study.map((x) => x.toFixed(2))}]`);
  const viewArea = (view[2] - view[0]) * (view[3] - view[1]);
  const countryArea = (norway[2] - norway[0]) * (norway[3] - norway[1]);
  check(viewArea < countryArea / 4, `the first view shows the study area, not all of Norway (${viewArea.toFixed(1)} of ${countryArea.toFixed(1)} square degrees)`);
  await page.waitForFunction(() => document.querySelectorAll('#ranked li').length > 0, null, { timeout: 60000 });
  const colours = await canvasColours(page);
  check(colours >= 4, `the first view is not blank: ${colours} distinct colours in a 20×20 sample`);
  const drawn = await page.evaluate(() => window.energistasjonMap.queryRenderedFeatures({ layers: ['candidates'] }).length);
  check(drawn > 0, `${drawn} candidates are drawn in the first view`);
  const rows = await page.$$eval('#ranked li button', (bs) => bs.map((b) => b.textContent));
  check(rows.length > 0 && rows.every((r) => !/^(g|p)\d/.test(r)), `the list names site areas: ${rows.slice(0, 3).join('; ')}`);
  await page.screenshot({ path: `${shots}/n1000.png` });
  await accessible(page, 'the N1000 map');
  check(errors.length === 0, `no script errors${errors.length ? `: ${errors.join('; ')}` : ''}`);
});
