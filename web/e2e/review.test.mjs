// End-to-end test of proposing, reviewing, filtering, exporting and the corridor view, in
// Debian's Chromium. Run by tests/web_e2e.rs against `energistasjon serve` on the demo
// region, with a municipality user (MUNICIPALITY_USER, Oslo 0301) and a coordinator
// (COORDINATOR_USER), both with PASSWORD. Each step checks what the user sees.
import { readFileSync } from 'node:fs';
import { accessible, base, check, mapReady, postJson, run, shots } from './lib.mjs';

const password = process.env.PASSWORD;
const kari = process.env.MUNICIPALITY_USER;
const ola = process.env.COORDINATOR_USER;

async function login(page, user) {
  await page.click('#tab-propose');
  if (await page.isVisible('#logout')) {
    await page.click('#logout');
    await page.waitForSelector('#login-form', { state: 'visible' });
  }
  await page.fill('#username', user);
  await page.fill('#password', password);
  await page.click('#login-form button[type=submit]');
  await page.waitForFunction((u) => document.getElementById('who').textContent.startsWith(u), user);
}

// Clicks the map at a longitude/latitude.
async function clickAt(page, lonlat) {
  const at = await page.evaluate((ll) => {
    const m = window.energistasjonMap;
    const p = m.project(ll);
    const box = m.getCanvas().getBoundingClientRect();
    return { x: box.left + p.x, y: box.top + p.y };
  }, lonlat);
  await page.mouse.click(at.x, at.y);
}

async function errorShown(page) {
  await page.waitForSelector('#error:not([hidden])');
  const text = await page.textContent('#error-text');
  await page.click('#dismiss');
  return text;
}

await run(async (browser) => {
  const page = await browser.newPage({ viewport: { width: 1366, height: 768 }, acceptDownloads: true });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${base}/?view=13/59.91/10.75`);
  await mapReady(page);

  // 1. Anonymous users see the login form and no proposal tools.
  await page.click('#tab-propose');
  check(await page.isVisible('#login-form') && !(await page.isVisible('#propose')), 'an anonymous user sees the login form, not the proposal tools');

  // 2. A wrong password gets a plain Norwegian message.
  await page.fill('#username', kari);
  await page.fill('#password', 'feil-passord-123');
  await page.click('#login-form button[type=submit]');
  const wrong = await errorShown(page);
  check(wrong.includes('Feil brukernavn eller passord'), `a wrong password says so in Norwegian: ${wrong}`);

  // 3. Kari (Oslo) logs in and draws a polygon in Oslo; its score shows at once.
  await login(page, kari);
  check(!(await page.isVisible('#queue')), 'a municipality user has no review queue');
  await page.click('#proposal-send');
  const nothing = await errorShown(page);
  check(nothing.includes('Tegn stedet i kartet først'), `sending before drawing asks for a drawing: ${nothing}`);
  await page.click('#draw-polygon');
  const ring = [[10.748, 59.909], [10.752, 59.909], [10.752, 59.911], [10.748, 59.911]];
  for (const p of ring) await clickAt(page, p);
  await page.click('#draw-finish');
  await page.waitForFunction(() => window.energistasjonMap.querySourceFeatures('draft').some((f) => f.geometry.type === 'Polygon'));
  check(true, 'the drawn polygon is on the map');
  await page.fill('#proposal-name', 'Testtomt Bjørvika');
  const [answer] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/proposals') && r.request().method() === 'POST'),
    page.click('#proposal-send'),
  ]);
  check(answer.status() === 201, `the proposal is stored (${answer.status()})`);
  const proposal = await answer.json();
  const id = proposal.proposal.id;
  check(proposal.kommunenummer === '0301', 'the proposal lies in Oslo');
  await page.waitForSelector('#proposal-result li[data-profile]');
  const again = await (await fetch(`${base}/api/proposals/${id}`)).json();
  for (const s of again.scores) {
    const text = await page.textContent(`#proposal-result li[data-profile="${s.profile}"]`);
    check(s.excluded ? text.includes('Utelukket') : text.includes(s.score.toFixed(1)),
      `the ${s.profile} score shown (${text}) is the one GET /api/proposals/${id} gives`);
  }
  await page.waitForFunction((pid) => window.energistasjonMap.querySourceFeatures('proposals').some((f) => f.properties.id === pid && f.properties.status === 'proposed'), id);
  check(true, `the proposal ${id} is on the map as proposed`);
  await page.screenshot({ path: `${shots}/proposal.png` });
  await accessible(page, 'the proposal view');

  // 4. A site in another municipality is refused, in Norwegian.
  await page.evaluate(() => window.energistasjonMap.jumpTo({ center: [10.20, 59.74], zoom: 12 }));
  await page.click('#draw-point');
  await clickAt(page, [10.20, 59.74]);
  await page.fill('#proposal-name', 'Drammen, ikke min kommune');
  await page.click('#proposal-send');
  const refused = await errorShown(page);
  check(refused.includes('Du har ikke tilgang') && refused.includes('3301'), `a site in Drammen is refused: ${refused}`);
  await page.evaluate(() => window.energistasjonMap.jumpTo({ center: [10.75, 59.91], zoom: 13 }));

  // 5. Ola (coordinator) finds it in the queue, comments, votes and approves it along the
  // allowed transitions only; the map shows the new status.
  await login(page, ola);
  await page.waitForSelector(`#queue-list li[data-id="${id}"]`);
  check(true, 'the proposal is in the coordinator\'s queue');
  await page.click(`#queue-list li[data-id="${id}"] button`);
  await page.waitForSelector('#view-site:not([hidden]) #review:not([hidden])');
  const title = await page.textContent('#site-title');
  check(title === 'Testtomt Bjørvika', `the site panel opens the proposal: ${title}`);
  await page.fill('#comment-text', 'Godt egnet: nær E18 og havna.');
  await page.click('#comment-send');
  await page.waitForFunction(() => document.getElementById('review-comments').textContent.includes('Godt egnet: nær E18 og havna.'));
  check(true, 'the comment is listed under the site');
  await page.click('[data-vote="support"]');
  await page.waitForFunction(() => document.getElementById('review-votes').textContent.includes('Støtter 1'));
  check(true, 'the vote is counted');
  const allowed = async () => page.$$eval('#status-buttons button', (bs) => bs.map((b) => b.dataset.status).sort().join(','));
  check(await allowed() === 'rejected,under_review', `from proposed only under review or rejected are offered: ${await allowed()}`);
  for (const [next, offered] of [['under_review', 'recommended,rejected'], ['recommended', 'approved,rejected'], ['approved', 'built']]) {
    await page.click(`#status-buttons button[data-status="${next}"]`);
    await page.waitForFunction((s) => document.getElementById('review-status').dataset.status === s, next);
    check(await allowed() === offered, `after ${next}, the offered changes are ${offered}`);
  }
  const history = await page.textContent('#review-comments');
  check(history.includes('Godkjent') && history.includes(ola), 'the history shows who approved it');
  await page.waitForFunction((pid) => window.energistasjonMap.querySourceFeatures('proposals').some((f) => f.properties.id === pid && f.properties.status === 'approved'), id);
  await page.waitForFunction(() => window.energistasjonMap.areTilesLoaded());
  await page.waitForTimeout(300);
  const colour = await page.evaluate(() => {
    const m = window.energistasjonMap;
    const p = m.project([10.7512, 59.9103]);
    const gl = m.getCanvas().getContext('webgl2') ?? m.getCanvas().getContext('webgl');
    const px = new Uint8Array(4);
    const r = window.devicePixelRatio;
    gl.readPixels(Math.round(p.x * r), Math.round(m.getCanvas().height - p.y * r), 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, px);
    return [...px];
  });
  // Approved is #009e73 at 60 % over the map: green dominates, red stays low.
  check(colour[1] > colour[0] + 40 && colour[1] > colour[2], `the site is drawn approved-green on the map (rgb ${colour.slice(0, 3).join(',')})`);
  const queue = await page.$$eval('#queue-list li', (lis) => lis.map((li) => li.dataset.id));
  check(!queue.includes(id), 'the approved site has left the queue');
  const site = await (await fetch(`${base}/api/sites/${id}`)).json();
  check(site.site.status === 'approved' && site.site.support === 1 && site.comments.length === 1, 'the API agrees: approved, one vote, one comment');
  await page.screenshot({ path: `${shots}/review.png` });
  await accessible(page, 'the review panel');

  // 6. Filters: Oslo, at least 40 points. The map, the list and the export follow them.
  await page.click('#tab-sites');
  await page.selectOption('#f-kommune', '0301');
  await page.fill('#f-min', '40');
  await page.dispatchEvent('#f-min', 'change');
  await page.evaluate(() => window.energistasjonMap.fitBounds([[10.6, 59.8], [10.95, 60.0]], { duration: 0 }));
  await page.waitForFunction(() => window.energistasjonMap.getSource(window.energistasjonMap.getLayer('candidates').source).tiles[0].includes('kommunenummer=0301'));
  await mapReady(page);
  const shown = await page.evaluate(() => window.energistasjonMap.queryRenderedFeatures({ layers: ['candidates'] }).map((f) => f.properties));
  check(shown.length > 0 && shown.every((p) => p.kommunenummer === '0301' && p.score >= 40), `the map shows ${shown.length} Oslo sites, all at 40 points or more`);
  const profile = await page.inputValue('#profile');
  const ranked = await postJson('/api/score', { profile, kommunenummer: '0301', min_score: 40, limit: 10000 });
  const short = await postJson('/api/shortlist', { profile, kommunenummer: '0301', min_score: 40 });
  await page.waitForFunction((first) => document.querySelector('#ranked li')?.dataset.id === first, short.sites[0].id);
  check(short.sites.every((s) => s.kommunenummer.includes('0301')), `the list starts with ${short.sites[0].name}, as the API's shortlist for Oslo`);
  check(new URL(page.url()).searchParams.get('kommune') === '0301' && new URL(page.url()).searchParams.get('min') === '40', 'the filters are in the URL');

  // 7. Export the filtered list as GeoJSON and read the downloaded file.
  await page.click('#tab-export');
  await page.selectOption('#export-format', 'geojson');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-link')]);
  const file = JSON.parse(readFileSync(await download.path(), 'utf8'));
  const features = file.features;
  check(features.length === ranked.numberMatched, `the file holds ${features.length} features, as many as match the filter (${ranked.numberMatched})`);
  check(features.every((f) => f.properties.kommunenummer === '0301' && f.properties.score >= 40), 'every exported site is in Oslo and scores 40 or more');
  check(features[0].properties.id === ranked.candidates[0].id, 'the file is ranked like POST /api/score');
  check(download.suggestedFilename().endsWith('.geojson'), `the file is named ${download.suggestedFilename()}`);

  // 7b. A named scenario: save the weights, reset, load them back.
  await page.click('#tab-sites');
  await page.$eval('#sliders input[data-criterion="grid_capacity"]', (el) => { el.value = '40'; el.dispatchEvent(new Event('change')); });
  const tuned = new URL(page.url()).searchParams.get('weights');
  check(tuned.includes('grid_capacity:40'), `the tuned weights: ${tuned}`);
  await page.fill('#scenario-name', 'Nett først');
  await page.click('#scenario-save');
  await page.waitForFunction(() => [...document.querySelectorAll('#scenario-load option')].some((o) => o.textContent === 'Nett først'));
  await page.click('#reset');
  await page.waitForFunction(() => !new URL(location.href).searchParams.get('weights'));
  const option = await page.$eval('#scenario-load', (sel) => [...sel.options].find((o) => o.textContent === 'Nett først').value);
  await page.selectOption('#scenario-load', option);
  await page.waitForFunction((w) => new URL(location.href).searchParams.get('weights') === w, tuned);
  check(true, 'a saved scenario loads back the same weights');

  // 8. The corridor view: the table matches the API and a selection is drawn.
  await page.click('#tab-corridors');
  await page.waitForSelector('#corridor-table tbody tr');
  const api = await (await fetch(`${base}/api/corridors?year=2030`)).json();
  const rows = await page.$$eval('#corridor-table tbody tr', (trs) => trs.map((tr) => [tr.dataset.corridor, tr.dataset.pass]));
  const expected = api.corridors.flatMap((c) => c.checks.map((k) => [c.name, String(k.pass)]));
  check(JSON.stringify(rows) === JSON.stringify(expected), `the table shows the ${expected.length} corridor checks of /api/corridors`);
  await page.fill('#select-k', '3');
  await page.click('#select-run');
  await page.waitForSelector('#select-picks li');
  const picks = await page.$$eval('#select-picks li', (lis) => lis.length);
  const drawnPicks = await page.evaluate(async () => (await window.energistasjonMap.getSource('picks').getData()).features.map((f) => f.id));
  const listed = await page.$$eval('#select-picks li', (lis) => lis.map((li) => li.dataset.id));
  check(picks > 0 && picks <= 3 && JSON.stringify(drawnPicks) === JSON.stringify(listed), `${picks} picked sites are listed and drawn: ${listed.join(', ')}`);
  await accessible(page, 'the corridor view');

  // 9. Keyboard: the tabs move with the arrow keys.
  await page.focus('#tab-corridors');
  await page.keyboard.press('ArrowRight');
  check(await page.evaluate(() => document.activeElement.id) === 'tab-export' && await page.isVisible('#view-export'), 'the arrow key moves to the next tab');

  // 10. A tablet-width window: map and panel both usable, nothing wider than the window.
  await page.setViewportSize({ width: 820, height: 1180 });
  await page.waitForTimeout(500);
  const layout = await page.evaluate(() => {
    const box = (id) => document.getElementById(id).getBoundingClientRect();
    return { map: box('map'), panel: box('panel'), wide: document.documentElement.scrollWidth, inner: window.innerWidth };
  });
  check(layout.map.height > 300 && layout.panel.height > 200 && layout.wide <= layout.inner,
    `at tablet width the map is ${Math.round(layout.map.height)} px and the panel ${Math.round(layout.panel.height)} px high, nothing overflows`);
  await page.screenshot({ path: `${shots}/tablet.png` });
  await accessible(page, 'the tablet layout');
  check(errors.length === 0, `no script errors${errors.length ? `: ${errors.join('; ')}` : ''}`);
});
