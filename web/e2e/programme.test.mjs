// The programme page in Debian's Chromium: the status board holds every measure, a change
// the secretariat made shows, KPI charts draw with their target lines, the budget table
// and the links to the map. Run by tests/web_e2e.rs after it changed GN-1's status.
import { accessible, base, check, run, shots } from './lib.mjs';

await run(async (browser) => {
  const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
  const problems = [];
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(`${base}/web/programme.html`);
  await page.waitForSelector('#board .measure');
  const api = await (await fetch(`${base}/api/programme/2025`)).json();
  const shown = await page.$$eval('#board .measure', (lis) => lis.map((li) => [li.dataset.id, li.dataset.status]));
  check(shown.length === api.measures.length, `the board shows all ${shown.length} measures`);
  for (const m of api.measures) {
    const row = shown.find(([id]) => id === m.id);
    if (!row || row[1] !== m.status) throw new Error(`${m.id}: board ${row?.[1]}, API ${m.status}`);
  }
  check(true, 'each measure has its status on the board, as the API says');
  const gn1 = await page.textContent('#board .measure[data-id="GN-1"]');
  check(gn1.includes('Pågår') && gn1.includes(process.env.NOTE), `GN-1 shows the secretariat's status and note: ${gn1.slice(0, 80)}…`);
  const charts = await page.$$eval('#kpis svg.chart', (s) => s.length);
  check(charts === 8, `${charts} KPI charts`);
  const targets = await page.$$eval('#kpis svg .target', (s) => s.length);
  check(targets >= 2, `${targets} charts draw a target line`);
  const link = await page.getAttribute('#kpis .kpi[data-kpi="omrader-godkjent"] a', 'href');
  check(link === '/?status=approved', `the approved-sites KPI links to the map view ${link}`);
  const budget = await page.$$eval('#budget tbody tr', (trs) => trs.map((tr) => tr.textContent));
  check(budget.length === api.budget.length && budget.every((row, i) => row.includes(api.budget[i].post)),
    `the budget table has the API's ${budget.length} post(s)`);
  await page.screenshot({ path: `${shots}/programme.png`, fullPage: false });
  await accessible(page, 'the programme page');
  check(!(await page.isVisible('#edit')) && await page.isVisible('#login-hint'), 'an anonymous reader sees no edit form, and where to log in');
  // The KPI link opens the map filtered to approved sites.
  await page.click('#kpis .kpi[data-kpi="omrader-godkjent"] a');
  await page.waitForFunction(() => document.getElementById('f-status')?.value === 'approved');
  check(true, 'the KPI link opens the map with the approved filter');
  // The secretariat logs in on the map page and sets KE-1 done with a note on the programme page.
  await page.click('#tab-propose');
  await page.fill('#username', process.env.SECRETARIAT_USER);
  await page.fill('#password', process.env.PASSWORD);
  await page.click('#login-form button[type=submit]');
  await page.waitForFunction(() => document.getElementById('who').textContent.includes('sekretariat'));
  await page.goto(`${base}/web/programme.html`);
  await page.waitForSelector('#edit:not([hidden])');
  await page.selectOption('#edit-measure', 'KE-1');
  await page.selectOption('#edit-status', 'done');
  await page.fill('#edit-date', '2025-11-30');
  await page.fill('#edit-note', 'Innspill levert til Statnett');
  await page.click('#edit-form button[type=submit]');
  await page.waitForFunction(() => document.querySelector('#board .measure[data-id="KE-1"]')?.dataset.status === 'done');
  const ke1 = await page.textContent('#board .measure[data-id="KE-1"]');
  check(ke1.includes('Gjennomført') && ke1.includes('2025-11-30: Innspill levert til Statnett'), 'the secretariat sets KE-1 done in the page, with its dated note');
  const after = await (await fetch(`${base}/api/programme/2025/measures?status=done`)).json();
  check(after.measures.map((m) => m.id).join() === 'KE-1', 'the API agrees: KE-1 is done');
  await accessible(page, 'the programme page with the edit form');
  check(problems.length === 0, `no script errors${problems.length ? `: ${problems.join('; ')}` : ''}`);
});
