// The yearly programme report as printable HTML in Debian's Chromium: it opens without
// console errors, its charts render, and a screenshot is saved. Run by tests/web_e2e.rs.
import { base, check, run, shots } from './lib.mjs';

await run(async (browser) => {
  const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push(e.message));
  const response = await page.goto(`${base}/api/programme/2025/report?format=html`);
  check(response.status() === 200, 'the report answers 200');
  check((await page.textContent('h1')).startsWith('Årsrapport 2025'), 'the report has its title');
  const measures = await page.$$eval('section.measure', (s) => s.length);
  check(measures === 30, `the report lists ${measures} measures`);
  const charts = await page.$$eval('svg.chart', (s) => s.length);
  check(charts === 8, `${charts} KPI charts render`);
  await page.locator('h2', { hasText: 'Klimasats' }).scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${shots}/report.png` });
  check(problems.length === 0, `no console errors${problems.length ? `: ${problems.join('; ')}` : ''}`);
});
