// Time from a weight-slider change to the map's `idle` event, on whatever the server at
// BASE_URL serves (bench/map_slider.sh starts it on the N1000 250 m grid). Prints each run
// and the median. A measurement, not a test.
import { chromium } from 'playwright-core';

const base = process.env.BASE_URL;
const profile = process.env.PROFILE ?? 'mcs-corridor';
const view = process.env.VIEW ?? '9/59.91/10.75';
const runs = Number(process.env.RUNS ?? 7);
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
await page.goto(`${base}/?profile=${profile}&view=${view}`);
await page.waitForFunction(() => window.energistasjonMap?.loaded() && window.energistasjonMap.areTilesLoaded(), null, { timeout: 120000 });
const source = await page.evaluate(() => window.energistasjonMap.getStyle().layers.find((l) => l.id === 'candidates').source);
const drawn = await page.evaluate(() => window.energistasjonMap.queryRenderedFeatures({ layers: ['candidates'] }).length);
console.log(`source ${source}, ${drawn} candidates drawn at view ${view}`);
const times = [];
for (let i = 0; i < runs; i++) {
  const value = String(20 + 5 * i);
  const idle = page.evaluate(() => new Promise((resolve) => {
    const m = window.energistasjonMap;
    m.once('sourcedata', () => m.once('idle', () => resolve(performance.now())));
  }));
  const started = await page.evaluate(() => performance.now());
  await page.$eval('#sliders input[data-criterion="grid_capacity"]', (el, v) => { el.value = v; el.dispatchEvent(new Event('change')); }, value);
  const ms = (await idle) - started;
  times.push(ms);
  console.log(`grid_capacity ${value}: ${ms.toFixed(0)} ms`);
}
times.sort((a, b) => a - b);
console.log(`median slider change to idle: ${times[Math.floor(times.length / 2)].toFixed(0)} ms over ${runs} runs`);
await browser.close();
