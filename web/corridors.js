// The AFIR corridor view: per corridor and fuel, how much is covered under the chosen rule
// year and where the gaps are (drawn on the map), and the sites a greedy selection picks
// to close them.
import { getJson, send, t, ui } from '/web/api.js';

const $ = (id) => document.getElementById(id);
let app;

const km = (v) => v.toLocaleString(ui.lang === 'en' ? 'en-GB' : 'nb-NO', { maximumFractionDigits: 1 });

export async function refreshCorridors() {
  const year = Number($('rule-year').value);
  if (app.map?.getLayer('corridor-gaps')) app.map.setFilter('corridor-gaps', ['==', ['get', 'year'], year]);
  const data = await getJson(`/api/corridors?year=${year}`);
  const rows = [];
  for (const c of data.corridors) {
    for (const check of c.checks) {
      const tr = document.createElement('tr');
      tr.dataset.corridor = c.name;
      tr.dataset.pass = String(check.pass);
      const name = document.createElement('th');
      name.scope = 'row';
      name.textContent = c.name;
      const fuel = document.createElement('td');
      fuel.textContent = t(`fuel_${check.fuel}`);
      const covered = document.createElement('td');
      covered.textContent = `${(100 * check.share_covered).toFixed(0)} %`;
      const gaps = document.createElement('td');
      gaps.textContent = check.gaps.length
        ? check.gaps.map((g) => `${km(g.from_km)}–${km(g.to_km)} km`).join(', ')
        : t('noGaps');
      tr.append(name, fuel, covered, gaps);
      rows.push(tr);
    }
  }
  $('corridor-table').querySelector('tbody').replaceChildren(...rows);
}

async function select() {
  const body = { profile: app.profile(), k: Number($('select-k').value), objective: 'close-gaps', year: Number($('rule-year').value) };
  if (app.grid()) body.candidates = 'grid';
  const answer = await send('POST', '/api/select', body);
  app.map.getSource('picks')?.setData(answer.picks_geojson);
  $('select-picks').replaceChildren(...answer.picks.map((p) => {
    const li = document.createElement('li');
    li.dataset.id = p.id;
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'link';
    b.textContent = `${p.id} (${p.score.toFixed(1)}) · ${p.corridors.map(([c, at]) => `${c} km ${km(at)}`).join(', ')}`;
    b.onclick = () => {
      const f = answer.picks_geojson.features.find((x) => x.id === p.id);
      if (f) app.map.flyTo({ center: f.geometry.coordinates, zoom: Math.max(app.map.getZoom(), 11) });
      app.showSite(p.id);
    };
    li.append(b);
    return li;
  }));
  $('select-summary').textContent = t('selectSummary')
    .replace('{before}', km(answer.objective_before)).replace('{after}', km(answer.objective_after))
    .replace('{n}', answer.picks.length);
}

export function initCorridors(theApp) {
  app = theApp;
  $('rule-year').onchange = () => refreshCorridors().catch((err) => app.showError(err.message));
  $('select-run').onclick = () => select().catch((err) => app.showError(err.message));
  $('tab-corridors').addEventListener('click', () => refreshCorridors().catch((err) => app.showError(err.message)));
}
