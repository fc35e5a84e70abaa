// End-to-end test of the web map in Debian's Chromium, driven by playwright-core. Run by
// tests/web_e2e.rs against a running `energistasjon serve`: BASE_URL is its address and
// SHOTS the folder for screenshots. Every step checks what a user sees; the first failure
// exits non-zero with its message.
import { accessible, base, canvasColours, check, mapReady, run, shots } from './lib.mjs';

await run(async (browser) => {
  const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // Anything the Content-Security-Policy blocks is logged as a console error.
  const blocked = [];
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) blocked.push(m.text()); });

  // 1. The map loads and its canvas is not blank.
  await page.goto(`${base}/`);
  await mapReady(page);
  await page.waitForTimeout(500);
  const colours = await canvasColours(page);
  check(colours >= 4, `the map canvas shows ${colours} distinct colours in a 20×20 sample`);
  const count = await page.evaluate(() => window.energistasjonMap.queryRenderedFeatures({ layers: ['candidates'] }).length);
  check(count > 0, `${count} candidates are drawn`);
  await page.screenshot({ path: `${shots}/map.png` });
  await accessible(page, 'the map');

  // 2. Select a profile: the candidates layer switches to its collection, and the URL keeps it.
  await page.selectOption('#profile', 'depot');
  await page.waitForFunction(() => window.energistasjonMap.getStyle().layers.some((l) => l.id === 'candidates' && l.source.startsWith('candidates-depot')));
  await page.waitForFunction(() => window.energistasjonMap.areTilesLoaded());
  check(page.url().includes('profile=depot'), 'the profile is in the URL');

  // 3. Click a candidate: the panel's numbers match GET /api/candidates/{id}.
  const target = await page.evaluate(() => {
    const m = window.energistasjonMap;
    const f = m.queryRenderedFeatures({ layers: ['candidates'] })[0];
    const p = m.project(f.geometry.coordinates);
    const box = m.getCanvas().getBoundingClientRect();
    return { id: f.properties.id, x: box.left + p.x, y: box.top + p.y };
  });
  await page.mouse.click(target.x, target.y);
  await page.waitForSelector('#view-site:not([hidden]) #site-criteria li');
  const api = await (await fetch(`${base}/api/candidates/${target.id}?profile=depot`)).json();
  const shown = await page.$$eval('#site-criteria li', (lis) => lis.map((li) => [li.dataset.criterion, li.querySelector('.name').textContent]));
  check(shown.length === api.properties.criteria.length, `the panel lists ${shown.length} criteria, as the API does`);
  for (const c of api.properties.criteria) {
    const row = shown.find(([id]) => id === c.id);
    check(row && row[1].includes(c.points.toFixed(1)), `${c.id}: ${c.points.toFixed(1)} points in the panel and the API`);
  }
  const scoreText = await page.textContent('#site-score');
  check(api.properties.excluded || scoreText.includes(api.properties.score.toFixed(1)), `the score ${scoreText} matches the API`);
  if (!api.properties.excluded) {
    const st = api.properties.stability;
    const text = await page.textContent('#site-stability');
    check(text.includes(`${(100 * st.p_top_k).toFixed(0)} %`) && text.includes(`${st.rank_min}–${st.rank_max}`),
      `the rank stability reads "${text}", as the API's sensitivity draws say`);
  }
  await page.screenshot({ path: `${shots}/site-panel.png` });
  await accessible(page, 'the site panel');

  // 3b. Move the grid-capacity slider: the map recolours from re-weighted tiles, and the
  // best site on the map is the one POST /api/score ranks first with the same weights.
  const before = await page.evaluate(() => window.energistasjonMap.queryRenderedFeatures({ layers: ['candidates'] })
    .sort((a, b) => b.properties.score - a.properties.score)[0].properties.id);
  const idle = page.evaluate(() => new Promise((resolve) => {
    const m = window.energistasjonMap;
    m.once('sourcedata', () => m.once('idle', () => resolve(performance.now())));
  }));
  const started = await page.evaluate(() => performance.now());
  await page.$eval('#sliders input[data-criterion="grid_capacity"]', (el) => { el.value = '60'; el.dispatchEvent(new Event('change')); });
  const ms = (await idle) - started;
  const weights = new URL(page.url()).searchParams.get('weights');
  check(weights && weights.includes('grid_capacity:60'), `the weights are in the URL: ${weights}`);
  const body = { profile: 'depot', limit: 10000, weights: Object.fromEntries(weights.split(',').map((kv) => { const [k, v] = kv.split(':'); return [k, Number(v)]; })) };
  const ranked = await (await fetch(`${base}/api/score`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json();
  const drawn = await page.evaluate(() => window.energistasjonMap.queryRenderedFeatures({ layers: ['candidates'] }).map((f) => [f.properties.id, f.properties.score]));
  const byId = new Map(ranked.candidates.map((c) => [c.id, c.score]));
  for (const [id, score] of drawn) {
    check(Math.abs(byId.get(id) - score) < 0.051, `${id}: ${score} on the map, ${byId.get(id)?.toFixed(2)} from the API`);
  }
  const topDrawn = drawn.sort((a, b) => b[1] - a[1])[0][0];
  const topApi = ranked.candidates.find((c) => drawn.some(([id]) => id === c.id)).id;
  check(topDrawn === topApi, `the best site drawn is ${topDrawn} (before: ${before}), as the API ranks it`);
  console.log(`timing - slider change to map idle: ${ms.toFixed(0)} ms`);
  // The list follows the same weights: named site areas, as POST /api/shortlist gives them.
  const short = await (await fetch(`${base}/api/shortlist`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ profile: 'depot', weights: body.weights }) })).json();
  // The list refreshes once the recoloured tiles are in; an older list may share its first
  // site with the new one, so wait for the whole list (or time out and report it below).
  await page.waitForFunction((names) => {
    const bs = [...document.querySelectorAll('#ranked li button')];
    return bs.length === names.length && names.every((n, i) => bs[i].textContent.startsWith(n));
  }, short.sites.map((s) => s.name), { timeout: 10000 }).catch(() => {});
  const rows = await page.$$eval('#ranked li button', (bs) => bs.map((b) => b.textContent));
  check(rows.length === short.sites.length && short.sites.every((s, i) => rows[i].startsWith(s.name)),
    `the list names ${rows.length} site areas as the API does: ${rows.slice(0, 3).join('; ')}`);
  check(rows.every((r) => !/^(g|p)\d/.test(r)), 'no row is named by a raw id');
  // Clicking a row outlines its area on the map and opens its best site's breakdown.
  await page.click('#tab-sites');
  await page.click('#ranked li:nth-child(2) button');
  const second = short.sites[1];
  await page.waitForFunction((id) => document.querySelector('#ranked li.selected')?.dataset.id === id
    && !document.getElementById('site-area').hidden, second.id);
  const outlined = await page.evaluate(() => window.energistasjonArea);
  await page.waitForFunction(() => window.energistasjonMap.areTilesLoaded() && window.energistasjonMap.loaded());
  const drawnArea = await page.evaluate(() => window.energistasjonMap.queryRenderedFeatures({ layers: ['area-fill'] }).map((f) => f.properties.id));
  check(JSON.stringify(outlined.geometry) === JSON.stringify(second.geometry) && drawnArea.includes(second.id),
    `the map outlines ${second.name}, the API's polygon`);
  check((await page.textContent('#site-area-name')) === second.name, 'the panel names the area');
  const panel = await page.$$eval('#site-criteria li', (lis) => lis.map((li) => [li.dataset.criterion, li.querySelector('.name').textContent]));
  for (const c of second.breakdown.criteria) {
    const row = panel.find(([id]) => id === c.id);
    check(row && row[1].includes(c.points.toFixed(1)), `${c.id}: ${c.points.toFixed(1)} points for the area's best site in the panel and the API`);
  }
  const url = new URL(page.url()).searchParams;
  check(url.get('site') === second.best_candidate && url.get('area') === second.id, 'the URL holds the area and its best site');
  await page.screenshot({ path: `${shots}/site-area.png` });

  // 3c. The panel's sizing equals GET /api/sizing for the same site, year by year, and the
  // shortlist's own sizing of the area for 2030.
  await page.waitForSelector('#sizing:not([hidden]) dd[data-figure="chargers"]');
  const sized = await (await fetch(`${base}/api/sizing?profile=depot&site=${encodeURIComponent(second.best_candidate)}`)).json();
  check(sized.years.every((y) => y.estimated), 'every sizing figure is marked estimated');
  const expected = (s) => page.evaluate((s) => {
    const int = (x) => Math.round(x).toLocaleString('nb-NO');
    const dec = (x, d) => x.toLocaleString('nb-NO', { minimumFractionDigits: d, maximumFractionDigits: d });
    return { chargers: `${s.chargers} × ${int(s.power_kw_each)} kW`, peak_mw: `${dec(s.peak_mw, 2)} MW`,
      area_m2: `${int(s.area_m2)} m²`, arrivals_peak_hour: `${dec(s.arrivals_peak_hour, 2)} per time` };
  }, s);
  for (const year of ['2030', '2025']) {
    await page.selectOption('#sizing-year', year);
    const s = sized.years.find((y) => String(y.year) === year);
    const want = await expected(s);
    const shownSizing = await page.$$eval('#sizing dd', (dds) => Object.fromEntries(dds.map((d) => [d.dataset.figure, d.textContent])));
    for (const [k, v] of Object.entries(want)) {
      check(shownSizing[k] === v, `${year} ${k}: "${shownSizing[k]}" in the panel, "${v}" from the API`);
    }
    const verdict = await page.$eval('#sizing-grid', (p) => [p.dataset.verdict, p.textContent]);
    check(verdict[0] === s.grid.verdict && verdict[1].includes(s.grid_text), `${year} grid: ${verdict[1]}`);
  }
  const area2030 = second.sizing.find((y) => y.year === 2030);
  const api2030 = sized.years.find((y) => y.year === 2030);
  check(area2030.chargers === api2030.chargers && area2030.peak_mw === api2030.peak_mw,
    `the shortlist sizes the area's best site as the panel does: ${api2030.chargers} chargers, ${api2030.peak_mw} MW in 2030`);
  // Another demand scenario asks again and shows its figures.
  await page.selectOption('#sizing-scenario', 'high');
  const high = await (await fetch(`${base}/api/sizing?profile=depot&demand_scenario=high&site=${encodeURIComponent(second.best_candidate)}`)).json();
  const high2025 = high.years.find((y) => y.year === 2025);
  const wantHigh = await expected(high2025);
  await page.waitForFunction((v) => document.querySelector('#sizing dd[data-figure="arrivals_peak_hour"]')?.textContent === v, wantHigh.arrivals_peak_hour);
  check(true, `the high scenario shows ${wantHigh.arrivals_peak_hour} arrivals in the 2025 peak hour, as the API`);
  await page.$eval('#sizing', (e) => e.scrollIntoView());
  await page.screenshot({ path: `${shots}/site-sizing.png` });

  // 3d. The panel offers the site's dossier and the guide's checklist, with the data's
  // answers as GET /api/sites/{id}/checklist gives them.
  await page.waitForSelector('#checklist:not([hidden]) #checklist-items li');
  const cl = await (await fetch(`${base}/api/sites/${encodeURIComponent(second.best_candidate)}/checklist?profile=depot`)).json();
  const clRows = await page.$$eval('#checklist-items li', (lis) => lis.map((li) => [li.dataset.item, li.dataset.answer ?? null, li.querySelector('.answer').textContent]));
  check(clRows.length === cl.total, `the panel lists the checklist's ${cl.total} items`);
  for (const item of cl.items.filter((i) => i.data)) {
    const row = clRows.find(([id]) => id === item.id);
    check(row && row[1] === item.data.answer && row[2].includes(item.data.reason), `${item.id}: "${row?.[2]}" as the API answers`);
  }
  const href = await page.$eval('#dossier-open', (a) => a.href);
  check(href.includes(`/api/sites/${second.best_candidate}/dossier?profile=depot`), `the dossier button opens ${href}`);
  const printed = await fetch(href);
  check(printed.ok && (await printed.text()).includes('id="sjekkliste"'), 'the dossier it opens is there, with its checklist');
  await page.$eval('#checklist', (e) => e.scrollIntoView());
  await page.screenshot({ path: `${shots}/site-checklist.png` });
  await accessible(page, 'the site panel with its checklist');

  // 4. Switch to English.
  await page.click('#lang');
  await page.waitForFunction(() => document.documentElement.lang === 'en');
  check((await page.textContent('h1')) === 'Energy stations for heavy transport', 'the header is in English');
  check(page.url().includes('lang=en'), 'the language is in the URL');

  // 5. With the service answering errors, the page says so and offers a retry.
  await page.route('**/collections', (route) => route.fulfill({ status: 503, contentType: 'application/problem+json', body: '{"detail":"down for maintenance"}' }));
  await page.click('#lang');
  await page.waitForSelector('#error:not([hidden])');
  const message = await page.textContent('#error-text');
  check(message.includes('503') && message.includes('down for maintenance'), `the error is shown: ${message}`);
  await page.screenshot({ path: `${shots}/error.png` });
  await page.unroute('**/collections');
  await page.click('#retry');
  await page.waitForSelector('#error', { state: 'hidden' });
  check(true, 'retry brings the map back');
  // With the service gone (connection refused), the page says it does not answer.
  await page.route('**/collections', (route) => route.abort('connectionrefused'));
  await page.click('#lang');
  await page.waitForSelector('#error:not([hidden])');
  const gone = await page.textContent('#error-text');
  check(gone.includes('Tjenesten svarer ikke') || gone.includes('The service does not answer'), `a stopped service is named as such: ${gone}`);
  await page.unroute('**/collections');
  await page.click('#retry');
  await page.waitForSelector('#error', { state: 'hidden' });
  check(true, 'retry recovers once the service is back');
  check(errors.length === 0, `no script errors${errors.length ? `: ${errors.join('; ')}` : ''}`);
  check(blocked.length === 0, `the map works under the service's Content-Security-Policy, which blocked nothing${blocked.length ? `: ${blocked.join('; ')}` : ''}`);
});
