// The site dossier (saksgrunnlag) of a shortlisted site area, as a municipality prints it:
// it renders with no script or console errors and no serious axe violations, every section
// is there, and the numbers on the page are the API's own (sizing, score, substations,
// synergies). PROFILE and CANDIDATES pick the shortlist. Run by tests/web_e2e.rs.
import { accessible, base, check, run, shots } from './lib.mjs';

const profile = process.env.PROFILE ?? 'mcs-corridor';
const candidates = process.env.CANDIDATES ?? 'parcels';
const SECTIONS = ['sted', 'arealbruk', 'kart', 'score', 'afir', 'nett', 'dimensjonering', 'synergier', 'behandling', 'sjekkliste'];

const json = async (url, init) => {
  const r = await fetch(`${base}${url}`, init);
  if (!r.ok) throw new Error(`${url}: ${r.status} ${await r.text()}`);
  return r.json();
};

await run(async (browser) => {
  const list = await json('/api/shortlist', {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ profile, candidates, k: 3 }),
  });
  const area = list.sites[0];
  check(Boolean(area), `the ${profile} shortlist has a first area: ${area?.name} (${area?.id})`);
  const url = `/api/sites/${encodeURIComponent(area.id)}/dossier?profile=${profile}`;
  const d = await json(`${url}&format=json`);

  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(`${base}${url}`);
  check((await page.title()).includes(d.location.name ?? d.location.id), `the dossier's title names the site: ${await page.title()}`);
  const present = await page.$$eval('main > section', (ss) => ss.map((s) => [s.id, s.querySelector('h2')?.textContent ?? '']));
  for (const id of SECTIONS) {
    check(present.some(([s, h]) => s === id && h.length > 0), `the section "${id}" is there with a heading`);
  }
  const svg = await page.$eval('#kart svg', (s) => ({ paths: s.querySelectorAll('path').length, title: s.querySelector('title')?.textContent }));
  check(svg.paths >= 3 && svg.title, `the map is drawn: ${svg.paths} paths, titled "${svg.title}"`);

  // The numbers on the page are the API's.
  const text = (sel) => page.$eval(sel, (e) => e.textContent);
  const sized = await json(`/api/sizing?profile=${profile}&site=${encodeURIComponent(area.best_candidate)}`);
  const y2030 = sized.years.find((y) => y.year === 2030);
  const sizing = await text('#dimensjonering');
  check(sizing.includes(`${y2030.chargers} × ${y2030.power_kw_each.toFixed(0)} kW`) && sizing.includes(`${y2030.peak_mw.toFixed(2)} MW`),
    `2030: ${y2030.chargers} × ${y2030.power_kw_each.toFixed(0)} kW and ${y2030.peak_mw.toFixed(2)} MW, as GET /api/sizing says`);
  const cand = await json(`/api/candidates/${encodeURIComponent(area.best_candidate)}?profile=${profile}`);
  const score = await text('#score');
  check(cand.properties.excluded || score.includes(cand.properties.score.toFixed(1)),
    `the ${profile} score ${cand.properties.score?.toFixed(1)} is the one GET /api/candidates gives`);
  check(Math.abs(area.best_score - cand.properties.score) < 0.05, `the shortlist's best score ${area.best_score.toFixed(1)} is the candidate's`);
  const grid = await text('#nett');
  const first = d.substations[0];
  check(!first || (grid.includes(first.name ?? '–') && grid.includes(`${first.distance_km.toFixed(1)} km`)),
    `the nearest substation is listed: ${first?.name} at ${first?.distance_km} km`);
  const syn = await text('#synergier');
  check(syn.includes(d.synergies.figure.toFixed(1)), `the synergy figure ${d.synergies.figure.toFixed(1)} is shown`);
  for (const r of d.synergies.within_15) {
    check(syn.includes(r.name) && syn.includes(`${r.minutes.toFixed(1)} min`), `${r.name} is ${r.minutes.toFixed(1)} min away`);
  }
  const items = await page.$$eval('#sjekkliste tbody tr', (rs) => rs.length);
  check(items === d.checklist.total, `the checklist lists ${items} items, as the API does`);

  await page.screenshot({ path: `${shots}/dossier.png`, fullPage: false });
  await (await page.$('#kart')).screenshot({ path: `${shots}/dossier-map.png` });
  await accessible(page, 'the dossier');
  // It prints: the print stylesheet hides the table of contents.
  await page.emulateMedia({ media: 'print' });
  check(await page.$eval('nav', (n) => getComputedStyle(n).display === 'none'), 'printing leaves out the table of contents');
  await page.pdf({ path: `${shots}/dossier.pdf`, format: 'A4' });
  check(errors.length === 0, `no script or console errors${errors.length ? `: ${errors.join('; ')}` : ''}`);
});
