// The web map: the service's own layers as vector tiles, candidates coloured by score on a
// colour-blind-safe scale (viridis) and filtered by municipality, status and score, a site
// panel with the breakdown per criterion and its review, proposals drawn on the map, the
// AFIR corridor view and the export of the current selection. State lives in the URL so
// a view can be shared.
import * as maplibregl from '/web/vendor/maplibre-gl/maplibre-gl.mjs';
import { getJson, send, t, ui } from '/web/api.js';
import { STATUSES, statusColour, initReview, showReview, refreshSession } from '/web/review.js';
import { initCorridors } from '/web/corridors.js';
import { initSizing, showSizing } from '/web/sizing.js';
import { showChecklist } from '/web/checklist.js';

const params = new URLSearchParams(location.search);
const $ = (id) => document.getElementById(id);
let map;
let profiles = [];
let ids = [];
// Criterion id → weight for the current profile; the profile's own when not changed.
let weights = {};
let defaults = {};
// The default ranking's ids, to show how the top 10 moved under new weights; kept per
// profile and filter so a slider move asks the service for one ranking, not two.
let baseline = [];
const baselines = new Map();

export const app = {
  get map() { return map; },
  profile: () => $('profile').value,
  grid: () => ids.includes(`candidates-${$('profile').value}-grid`),
  showError,
  showSite: (id) => showSite(id).catch((err) => showError(err.message)),
  centre: (g) => centre(g),
  refreshProposals,
  reloadTiles,
};

function applyLanguage() {
  document.documentElement.lang = ui.lang;
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  $('lang').textContent = t('switchTo');
  $('lang').setAttribute('aria-label', t('switchTo'));
  $('map').setAttribute('aria-label', t('map'));
  $('tabs').setAttribute('aria-label', t('panels'));
}

function showError(message) {
  $('error-text').textContent = message;
  $('error').hidden = false;
}

// Tabs: one panel at a time beside the map; the arrow keys move between tabs.
function selectTab(name) {
  for (const tab of document.querySelectorAll('#tabs [role=tab]')) {
    const on = tab.id === `tab-${name}`;
    tab.setAttribute('aria-selected', String(on));
    tab.tabIndex = on ? 0 : -1;
    $(tab.getAttribute('aria-controls')).hidden = !on;
  }
}
app.selectTab = selectTab;

function initTabs() {
  const tabs = [...document.querySelectorAll('#tabs [role=tab]')];
  tabs.forEach((tab, i) => {
    tab.addEventListener('click', () => selectTab(tab.id.slice(4)));
    tab.addEventListener('keydown', (e) => {
      const step = { ArrowRight: 1, ArrowLeft: -1 }[e.key];
      if (!step) return;
      const next = tabs[(i + step + tabs.length) % tabs.length];
      selectTab(next.id.slice(4));
      next.focus();
    });
  });
  selectTab('sites');
}

const weightsParam = () => Object.entries(weights).map(([k, v]) => `${k}:${v}`).join(',');
const changed = () => Object.keys(weights).some((k) => weights[k] !== defaults[k]);

// The planner's filters, as the tiles, the ranking and the export take them.
function filters() {
  const f = {};
  if ($('f-kommune').value) f.kommunenummer = $('f-kommune').value;
  if ($('f-status').value) f.status = $('f-status').value;
  const min = Number($('f-min').value);
  if (min > 0) f.min_score = min;
  return f;
}

function tileUrl(id) {
  const base = `${location.origin}/tiles/${id}/{z}/{x}/{y}.mvt`;
  if (!id.startsWith('candidates-')) return base;
  const q = new URLSearchParams(filters());
  // Only scored candidates: the map never draws excluded ones, and on a national grid they
  // are half of what a low-zoom tile would carry.
  if (!q.has('min_score')) q.set('min_score', '0');
  if (changed()) q.set('weights', weightsParam());
  const s = q.toString();
  return s ? `${base}?${s}` : base;
}

const tiles = (id) => ({ type: 'vector', tiles: [tileUrl(id)], maxzoom: 16 });

// Set one weight and spread the rest over the others in proportion, in whole points that
// sum to exactly 100 (largest remainders), as the service requires.
function setWeight(id, value) {
  const others = Object.keys(weights).filter((k) => k !== id);
  const rest = 100 - value;
  const total = others.reduce((a, k) => a + weights[k], 0);
  const shares = others.map((k) => (total > 0 ? weights[k] / total : 1 / others.length) * rest);
  const floors = shares.map(Math.floor);
  let left = rest - floors.reduce((a, b) => a + b, 0);
  const order = shares.map((s, i) => [s - floors[i], i]).sort((a, b) => b[0] - a[0]);
  for (const [, i] of order) { if (left <= 0) break; floors[i] += 1; left -= 1; }
  weights[id] = value;
  others.forEach((k, i) => { weights[k] = floors[i]; });
}

function currentProfile() {
  return profiles.find((x) => x.id === $('profile').value) ?? profiles[0];
}

function renderSliders() {
  const profile = currentProfile();
  const box = $('sliders');
  box.replaceChildren();
  for (const c of profile.criteria) {
    const label = document.createElement('label');
    const input = document.createElement('input');
    input.type = 'range';
    input.min = '0';
    input.max = '100';
    input.step = '1';
    input.value = String(weights[c.id]);
    input.dataset.criterion = c.id;
    const text = document.createElement('span');
    const name = ui.lang === 'en' ? c.label_en : c.label;
    text.textContent = `${name}: ${weights[c.id]}`;
    input.setAttribute('aria-label', name);
    input.addEventListener('change', () => {
      setWeight(c.id, Number(input.value));
      renderSliders();
      recolour();
    });
    label.append(text, input);
    box.append(label);
  }
}

const shortlistBody = (extra) => ({
  profile: app.profile(), candidates: app.grid() ? 'grid' : 'parcels', weights, ...filters(), ...extra,
});

// The shortlist's areas as last shown, by id: a click outlines one and opens its best site.
let areas = new Map();

// The latest refresh: an answer to an older one that arrives later is dropped.
let rankingCall = 0;

// The best distinct site areas under the current weights and filters, from POST
// /api/shortlist, named, with how each moved against the profile's own weights.
async function refreshRanking() {
  const mine = ++rankingCall;
  let shownBaseline = null;
  if (changed()) {
    const key = JSON.stringify(shortlistBody({ weights: defaults, k: 30 }));
    if (!baselines.has(key)) {
      const base = await send('POST', '/api/shortlist', JSON.parse(key));
      baselines.set(key, base.sites.map((s) => s.id));
    }
    shownBaseline = baselines.get(key);
  }
  const list = await send('POST', '/api/shortlist', shortlistBody({}));
  if (mine !== rankingCall) return;
  baseline = shownBaseline;
  areas = new Map(list.sites.map((s) => [s.id, s]));
  const ol = $('ranked');
  ol.replaceChildren(...list.sites.map((s, i) => {
    const li = document.createElement('li');
    li.dataset.id = s.id;
    li.dataset.best = s.best_candidate;
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = `${ui.lang === 'en' ? s.name_en : s.name} (${s.best_score.toFixed(1)})`;
    b.onclick = () => showArea(s.id).catch((err) => showError(err.message));
    const meta = document.createElement('span');
    meta.className = 'muted area-meta';
    meta.textContent = ` ${s.area_ha.toLocaleString(ui.lang === 'en' ? 'en' : 'nb')} ha · ${s.kommunenavn.join(', ')}`;
    li.append(b, meta);
    if (baseline) {
      const was = baseline.indexOf(s.id);
      const move = document.createElement('span');
      move.className = 'move';
      if (was < 0) move.textContent = ` ${t('new')}`;
      else if (was > i) move.textContent = ` ▲${was - i}`;
      else if (was < i) move.textContent = ` ▼${i - was}`;
      if (move.textContent) {
        move.setAttribute('aria-label', was < 0 ? t('newInTop') : t('wasRank').replace('{n}', String(was + 1)));
        li.append(move);
      }
    }
    return li;
  }));
  const spacing = list.rules.min_spacing_m / 1000;
  $('ranked-note').textContent = `${t('areasNote').replace('{k}', list.sites.length).replace('{km}', spacing)
    .replace('{n}', list.eligible)}${baseline ? ` · ${t('movesNote')}` : ''}`;
  highlight(params.get('area'));
}

// Outline a shortlisted area on the map, fit the view to it and open its best site's
// breakdown with the area's name, size and municipalities above it.
async function showArea(id) {
  const s = areas.get(id);
  if (!s) return;
  const outline = { type: 'Feature', geometry: s.geometry, properties: { id: s.id, name: s.name } };
  map.getSource('area')?.setData(outline);
  window.energistasjonArea = outline;
  const pts = [];
  const walk = (c) => (typeof c[0] === 'number' ? pts.push(c) : c.forEach(walk));
  walk(s.geometry.coordinates);
  const xs = pts.map((p) => p[0]);
  const ys = pts.map((p) => p[1]);
  map.fitBounds([[Math.min(...xs), Math.min(...ys)], [Math.max(...xs), Math.max(...ys)]], { padding: 80, maxZoom: 13, duration: 0 });
  setUrl({ area: id });
  await showSite(s.best_candidate, s.breakdown);
  showAreaHeader(s);
  highlight(id);
}

function showAreaHeader(s) {
  const box = $('site-area');
  if (!s) { box.hidden = true; return; }
  box.hidden = false;
  $('site-area-name').textContent = ui.lang === 'en' ? s.name_en : s.name;
  $('site-area-text').textContent = t('areaText').replace('{ha}', s.area_ha.toLocaleString(ui.lang === 'en' ? 'en' : 'nb'))
    .replace('{n}', s.candidates).replace('{kommuner}', s.kommunenavn.join(', '))
    .replace('{mean}', s.mean_score.toFixed(1)).replace('{best}', s.best_candidate);
}

// The middle of a GeoJSON geometry's coordinates: enough to fly to a site.
function centre(g) {
  const pts = [];
  const walk = (c) => (typeof c[0] === 'number' ? pts.push(c) : c.forEach(walk));
  if (g?.coordinates) walk(g.coordinates);
  if (!pts.length) return null;
  return [pts.reduce((a, p) => a + p[0], 0) / pts.length, pts.reduce((a, p) => a + p[1], 0) / pts.length];
}

function highlight(area) {
  for (const li of document.querySelectorAll('#ranked li')) li.classList.toggle('selected', li.dataset.id === area);
}

// Reloads the candidate tiles under the current weights; false when there is no map layer.
function reloadTiles() {
  const source = map?.getStyle()?.layers.find((l) => l.id === 'candidates')?.source;
  if (source) map.getSource(source).setTiles([tileUrl(source)]);
  return Boolean(source);
}

// Which recolour the pending list refresh belongs to: a newer slider move supersedes a
// refresh that has not started; refreshRanking drops answers to older refreshes.
let recolouring = 0;

function recolour() {
  setUrl({ weights: changed() ? weightsParam() : null });
  const reloading = reloadTiles();
  updateExport();
  // The map first, then the list: on a national grid the shortlist grows areas over five
  // million cells, and asked at once it competes with the tiles for the server's cores.
  const mine = ++recolouring;
  const refresh = () => {
    if (mine === recolouring) refreshRanking().catch((err) => showError(err.message));
  };
  if (!reloading) {
    refresh();
    return;
  }
  let done = false;
  const once = () => {
    if (!done) {
      done = true;
      refresh();
    }
  };
  map.once('idle', once);
  // Should the map never settle (a tile that fails, a hidden tab), the list still follows.
  setTimeout(once, 2000);
}

// Viridis stops: readable for every common form of colour blindness.
const scoreColour = ['interpolate', ['linear'], ['get', 'score'],
  0, '#440154', 25, '#3b528b', 50, '#21918c', 75, '#5ec962', 100, '#fde725'];

// Kartverket's topographic WMTS, in Web Mercator; off by default so the map works offline.
const KARTVERKET = 'https://cache.kartverket.no/v1/wmts/1.0.0/topo/default/webmercator/{z}/{y}/{x}.png';

function style(candidates) {
  const sources = {};
  for (const id of ids) sources[id] = tiles(id);
  sources.kartverket = { type: 'raster', tiles: [KARTVERKET], tileSize: 256, maxzoom: 18,
    attribution: '© <a href="https://www.kartverket.no/">Kartverket</a>' };
  sources.proposals = { type: 'geojson', data: { type: 'FeatureCollection', features: [] } };
  sources.picks = { type: 'geojson', data: { type: 'FeatureCollection', features: [] } };
  sources.draft = { type: 'geojson', data: { type: 'FeatureCollection', features: [] } };
  sources.area = { type: 'geojson', data: { type: 'FeatureCollection', features: [] } };
  const online = $('background').checked ? 'visible' : 'none';
  const layers = [{ id: 'background', type: 'background', paint: { 'background-color': '#eef2f3' } },
    { id: 'kartverket', type: 'raster', source: 'kartverket', layout: { visibility: online } }];
  const has = (id) => ids.includes(id);
  const base = online === 'visible' ? 0.35 : 0.8;
  if (has('municipalities')) {
    layers.push({ id: 'municipalities-fill', type: 'fill', source: 'municipalities', 'source-layer': 'municipalities', paint: { 'fill-color': '#ffffff', 'fill-opacity': base } });
  }
  if (has('landuse')) {
    layers.push({ id: 'landuse', type: 'fill', source: 'landuse', 'source-layer': 'landuse',
      paint: { 'fill-color': ['match', ['get', 'class'], 'industrial', '#c9b6d9', 'commercial', '#f0c9a8', 'transport', '#cfcfcf', 'residential', '#f3e3b5', '#b8d8be'], 'fill-opacity': 0.5 } });
  }
  if (has('exclusion')) {
    layers.push({ id: 'exclusion', type: 'fill', source: 'exclusion', 'source-layer': 'exclusion', paint: { 'fill-color': '#c0392b', 'fill-opacity': 0.15 } });
  }
  if (has('municipalities')) {
    layers.push({ id: 'municipalities-line', type: 'line', source: 'municipalities', 'source-layer': 'municipalities', paint: { 'line-color': '#777', 'line-width': 0.6 } });
  }
  if (has('rail')) {
    layers.push({ id: 'rail', type: 'line', source: 'rail', 'source-layer': 'rail', paint: { 'line-color': '#555', 'line-width': 1, 'line-dasharray': [3, 2] } });
  }
  if (has('roads')) {
    layers.push({ id: 'roads', type: 'line', source: 'roads', 'source-layer': 'roads',
      paint: { 'line-color': ['match', ['get', 'category'], 'european', '#d35400', 'national', '#e67e22', '#999'],
        'line-width': ['match', ['get', 'category'], 'european', 2.5, 'national', 1.8, 0.6] } });
  }
  if (has('corridor-gaps')) {
    layers.push({ id: 'corridor-gaps', type: 'line', source: 'corridor-gaps', 'source-layer': 'corridor-gaps',
      filter: ['==', ['get', 'year'], Number($('rule-year').value)], paint: { 'line-color': '#c0392b', 'line-width': 5, 'line-opacity': 0.5 } });
  }
  // Hub clusters: three or more terminals within 15 minutes' drive of one of them.
  if (has('hub-clusters')) {
    layers.push({ id: 'hub-clusters', type: 'circle', source: 'hub-clusters', 'source-layer': 'hub-clusters',
      paint: { 'circle-color': '#e69f00', 'circle-opacity': 0.35, 'circle-radius': 14, 'circle-stroke-color': '#8a5a00', 'circle-stroke-width': 1.5 } });
  }
  if (has('terminals')) {
    layers.push({ id: 'terminals', type: 'circle', source: 'terminals', 'source-layer': 'terminals',
      paint: { 'circle-color': '#1f618d', 'circle-radius': 4, 'circle-stroke-color': '#fff', 'circle-stroke-width': 1 } });
  }
  if (has('grid')) {
    layers.push({ id: 'grid', type: 'circle', source: 'grid', 'source-layer': 'grid',
      paint: { 'circle-color': '#f1c40f', 'circle-stroke-color': '#333', 'circle-stroke-width': 0.5,
        'circle-radius': ['interpolate', ['linear'], ['coalesce', ['get', 'available_mw'], 0], 0, 2, 20, 8] } });
  }
  if (has('stations')) {
    layers.push({ id: 'stations', type: 'circle', source: 'stations', 'source-layer': 'stations',
      paint: { 'circle-color': '#000', 'circle-radius': 4, 'circle-stroke-color': '#fff', 'circle-stroke-width': 1.5 } });
  }
  layers.push({ id: 'candidates', type: 'circle', source: candidates, 'source-layer': candidates,
    filter: ['==', ['get', 'excluded'], false],
    paint: { 'circle-color': scoreColour, 'circle-radius': ['interpolate', ['linear'], ['zoom'], 6, 2.5, 12, 6],
      'circle-stroke-color': ['match', ['get', 'status'], 'proposed', '#222', statusColour(['get', 'status'])],
      'circle-stroke-width': ['match', ['get', 'status'], 'proposed', 0.5, 2.5] } });
  // The chosen site area: outlined above the candidates, so its cells stay readable.
  layers.push({ id: 'area-fill', type: 'fill', source: 'area', paint: { 'fill-color': '#cc79a7', 'fill-opacity': 0.15 } });
  layers.push({ id: 'area-line', type: 'line', source: 'area', paint: { 'line-color': '#7a1f5c', 'line-width': 3 } });
  // Proposals in their review status's colour: the coordinator's decision shows at once.
  layers.push({ id: 'proposals-fill', type: 'fill', source: 'proposals', filter: ['==', ['geometry-type'], 'Polygon'],
    paint: { 'fill-color': statusColour(['get', 'status']), 'fill-opacity': 0.6, 'fill-outline-color': '#000' } });
  layers.push({ id: 'proposals-point', type: 'circle', source: 'proposals', filter: ['==', ['geometry-type'], 'Point'],
    paint: { 'circle-color': statusColour(['get', 'status']), 'circle-radius': 8, 'circle-stroke-color': '#000', 'circle-stroke-width': 2 } });
  layers.push({ id: 'picks', type: 'circle', source: 'picks',
    paint: { 'circle-color': '#ffffff', 'circle-radius': 9, 'circle-stroke-color': '#c0392b', 'circle-stroke-width': 3 } });
  layers.push({ id: 'draft-fill', type: 'fill', source: 'draft', filter: ['==', ['geometry-type'], 'Polygon'], paint: { 'fill-color': '#ff00aa', 'fill-opacity': 0.3 } });
  layers.push({ id: 'draft-line', type: 'line', source: 'draft', filter: ['!=', ['geometry-type'], 'Point'], paint: { 'line-color': '#ff00aa', 'line-width': 2 } });
  layers.push({ id: 'draft-point', type: 'circle', source: 'draft', filter: ['==', ['geometry-type'], 'Point'], paint: { 'circle-color': '#ff00aa', 'circle-radius': 5, 'circle-stroke-color': '#fff', 'circle-stroke-width': 1.5 } });
  return { version: 8, sources, layers };
}

function candidateSource(profile) {
  // The grid when the server measured one, else the parcels.
  return ids.includes(`candidates-${profile}-grid`) ? `candidates-${profile}-grid` : `candidates-${profile}`;
}

function setUrl(updates) {
  for (const [k, v] of Object.entries(updates)) {
    if (v === null || v === undefined || v === '') params.delete(k); else params.set(k, v);
  }
  history.replaceState(null, '', `${location.pathname}?${params}`);
}

// `weighed` is the site's breakdown under the sliders' weights (a shortlisted area's best
// site), shown instead of the profile's own; stability and review come from the site.
async function showSite(id, weighed) {
  const profile = app.profile();
  selectTab('site');
  $('site-empty').hidden = true;
  let p;
  try {
    p = (await getJson(`/api/candidates/${encodeURIComponent(id)}?profile=${profile}`)).properties;
    if (weighed) p = { ...p, score: weighed.score, rank: weighed.rank, municipality_rank: weighed.municipality_rank, criteria: weighed.criteria };
  } catch (err) {
    if (err.status !== 404) throw err;
    // Not a candidate: a proposal, scored now.
    const prop = await getJson(`/api/proposals/${encodeURIComponent(id)}`);
    const s = prop.scores.find((x) => x.profile === profile) ?? prop.scores[0];
    const known = Object.fromEntries(currentProfile().criteria.map((c) => [c.id, c]));
    p = { id, name: prop.proposal.name, score: s?.score, excluded: s?.excluded ?? true,
      criteria: (s?.criteria ?? []).map((c) => ({ ...c, label: known[c.id]?.label ?? c.id, label_en: known[c.id]?.label_en ?? c.id,
        reason_en: c.reason, weight: known[c.id]?.weight ?? 0 })),
      exclusions: s?.fails ?? [], proposal: true };
  }
  $('site-title').textContent = p.name ?? p.id;
  $('site-score').textContent = p.excluded
    ? t('excluded')
    : p.proposal
      ? `${t('score')} ${p.score.toFixed(1)} · ${t('proposalNote')}`
      : `${t('score')} ${p.score.toFixed(1)} · ${t('rank')} ${p.rank}, ${t('rankMunicipality')} ${p.municipality_rank} (${p.kommunenavn ?? ''})`;
  const st = p.stability;
  $('site-stability').textContent = st
    ? t('stabilityText').replace('{p}', (100 * st.p_top_k).toFixed(0)).replace('{k}', st.top_k)
      .replace('{min}', st.rank_min).replace('{max}', st.rank_max).replace('{spread}', (100 * st.spread).toFixed(0)).replace('{draws}', st.draws)
    : '';
  const list = $('site-criteria');
  list.replaceChildren();
  for (const c of p.criteria ?? []) {
    const li = document.createElement('li');
    li.dataset.criterion = c.id;
    const label = ui.lang === 'en' ? c.label_en : c.label;
    const reason = ui.lang === 'en' ? c.reason_en : c.reason;
    li.innerHTML = '<div class="name"></div><div class="bar"><span></span></div><div class="muted"></div>';
    li.querySelector('.name').textContent = `${label}: ${c.points.toFixed(1)} / ${c.weight} ${t('points')}`;
    li.querySelector('.bar > span').style.width = `${(100 * c.points / (c.weight || 1)).toFixed(0)}%`;
    li.querySelector('.muted').textContent = reason;
    list.append(li);
  }
  $('site-exclusions').replaceChildren(...(p.exclusions ?? []).map((e) => {
    const li = document.createElement('li');
    li.textContent = ui.lang === 'en' ? (e.reason_en ?? e.reason) : e.reason;
    return li;
  }));
  setUrl({ site: id });
  const area = [...areas.values()].find((a) => a.best_candidate === id);
  showAreaHeader(area);
  if (!area) setUrl({ area: null });
  await Promise.all([showReview(id), showSizing(id, profile), showChecklist(id, profile)]);
}

async function refreshProposals() {
  const data = await getJson('/api/proposals?f=geojson');
  map?.getSource('proposals')?.setData(data);
  return data;
}

function updateExport() {
  const q = new URLSearchParams({ profile: app.profile(), format: $('export-format').value, ...filters() });
  if (app.grid()) q.set('candidates', 'grid');
  $('export-link').href = `/api/export?${q}`;
  const sites = new URLSearchParams({ collection: `sites-${app.profile()}${app.grid() ? '-grid' : ''}`, format: $('export-format').value });
  if (filters().kommunenummer) sites.set('kommunenummer', filters().kommunenummer);
  $('export-sites-link').href = `/api/export?${sites}`;
  const f = filters();
  const parts = [currentProfile()?.[ui.lang === 'en' ? 'name_en' : 'name'] ?? app.profile()];
  if (f.kommunenummer) parts.push(`${t('municipality')} ${$('f-kommune').selectedOptions[0]?.textContent}`);
  if (f.status) parts.push(`${t('status')} ${t(`status_${f.status}`)}`);
  if (f.min_score) parts.push(`${t('minScore')} ${f.min_score}`);
  $('export-filter').textContent = `${t('exportSelection')}: ${parts.join(', ')}`;
}

function onFilter() {
  const f = filters();
  setUrl({ kommune: f.kommunenummer, status: f.status, min: f.min_score });
  recolour();
}

async function fillFilters() {
  const kommune = $('f-kommune');
  const keep = params.get('kommune') ?? '';
  kommune.replaceChildren(new Option(t('all'), ''));
  if (ids.includes('municipalities')) {
    const m = await getJson('/collections/municipalities/items?limit=1000');
    const rows = m.features.map((f) => [f.properties.number, f.properties.name ?? f.properties.number])
      .sort((a, b) => a[1].localeCompare(b[1], 'nb'));
    for (const [nr, name] of rows) kommune.append(new Option(`${name} (${nr})`, nr));
  }
  kommune.value = keep;
  const status = $('f-status');
  status.replaceChildren(new Option(t('all'), ''), ...STATUSES.map((s) => new Option(t(`status_${s}`), s)));
  status.value = params.get('status') ?? '';
  $('f-min').value = params.get('min') ?? '0';
  $('status-legend').replaceChildren(...STATUSES.map((s) => {
    const li = document.createElement('li');
    const swatch = document.createElement('span');
    swatch.className = 'swatch';
    swatch.style.background = statusColour(null, s);
    li.append(swatch, document.createTextNode(t(`status_${s}`)));
    return li;
  }));
}

async function loadScenarios() {
  const select = $('scenario-load');
  const list = await getJson(`/api/scenarios?profile=${app.profile()}`);
  select.replaceChildren(new Option(t('choose'), ''), ...list.scenarios.map((s) => {
    const o = new Option(s.name, String(s.id ?? s.name));
    o.dataset.weights = JSON.stringify(s.weights);
    return o;
  }));
}

function initScenarios() {
  $('scenario-load').onchange = () => {
    const o = $('scenario-load').selectedOptions[0];
    if (!o?.dataset.weights) return;
    const w = JSON.parse(o.dataset.weights);
    for (const k of Object.keys(weights)) if (k in w) weights[k] = Number(w[k]);
    renderSliders();
    recolour();
  };
  $('scenario-save').onclick = async () => {
    try {
      await send('POST', '/api/scenarios', { name: $('scenario-name').value, profile: app.profile(), weights });
      $('scenario-name').value = '';
      await loadScenarios();
    } catch (err) { showError(err.message); }
  };
}

async function start() {
  $('error').hidden = true;
  applyLanguage();
  let collections, profileList;
  try {
    [collections, profileList] = await Promise.all([getJson('/collections'), getJson('/api/profiles')]);
  } catch (e) {
    showError(e.message);
    return;
  }
  profiles = profileList.profiles;
  ids = collections.collections.map((c) => c.id);
  window.energistasjonIds = ids;
  const select = $('profile');
  select.replaceChildren(...profiles.map((p) => new Option(ui.lang === 'en' ? (p.name_en ?? p.name) : p.name, p.id)));
  select.value = params.get('profile') ?? 'mcs-corridor';
  if (!select.value) select.value = profiles[0].id;
  const setProfile = (fromUrl) => {
    const p = currentProfile();
    defaults = Object.fromEntries(p.criteria.map((c) => [c.id, c.weight]));
    weights = { ...defaults };
    const saved = fromUrl ? params.get('weights') : null;
    if (saved) for (const kv of saved.split(',')) { const [k, v] = kv.split(':'); if (k in weights) weights[k] = Number(v); }
    renderSliders();
  };
  setProfile(true);
  try {
    await fillFilters();
  } catch (e) {
    showError(e.message);
    return;
  }
  $('reset').onclick = () => { setProfile(false); recolour(); };
  // Open where the candidates are (a study area inside a national data set), else on the
  // municipalities.
  const byId = (id) => collections.collections.find((c) => c.id === id);
  const region = [byId(candidateSource(select.value)), byId('municipalities'), collections.collections[0]]
    .find((c) => c?.extent?.spatial?.bbox?.[0]);
  const bbox = region?.extent?.spatial?.bbox?.[0] ?? [4, 57, 31, 71];
  if (map) map.remove();
  // `view=zoom/lat/lon` in the URL, else the whole region.
  const view = (params.get('view') ?? '').split('/').map(Number);
  const placed = view.length === 3 && view.every(Number.isFinite)
    ? { zoom: view[0], center: [view[2], view[1]] }
    : { bounds: [[bbox[0], bbox[1]], [bbox[2], bbox[3]]] };
  map = new maplibregl.Map({
    container: 'map',
    style: style(candidateSource(select.value)),
    ...placed,
    attributionControl: { compact: false },
    canvasContextAttributes: { preserveDrawingBuffer: true },
  });
  window.energistasjonMap = map;
  map.addControl(new maplibregl.NavigationControl(), 'top-left');
  map.on('moveend', () => {
    const c = map.getCenter();
    setUrl({ view: `${map.getZoom().toFixed(2)}/${c.lat.toFixed(5)}/${c.lng.toFixed(5)}` });
  });
  map.on('error', (e) => {
    // The online background may fail offline; that is expected, not an error to show.
    if (e?.sourceId === 'kartverket') return;
    if (e?.error?.status >= 400 || /Failed to fetch/.test(e?.error?.message ?? '')) showError(t('unreachable'));
  });
  map.on('click', (e) => app.onMapClick?.(e));
  map.on('style.load', () => refreshProposals().catch((err) => showError(err.message)));
  const open = (e) => {
    if (app.drawing || e.originalEvent === app.drawEvent) return;
    const id = e.features?.[0]?.properties?.id;
    if (id) app.showSite(id);
  };
  for (const layer of ['candidates', 'proposals-point', 'proposals-fill']) {
    map.on('click', layer, open);
    map.on('mouseenter', layer, () => { map.getCanvas().style.cursor = app.drawing ? 'crosshair' : 'pointer'; });
    map.on('mouseleave', layer, () => { map.getCanvas().style.cursor = app.drawing ? 'crosshair' : ''; });
  }
  select.onchange = () => {
    setProfile(false);
    setUrl({ profile: select.value, site: null, weights: null });
    map.setStyle(style(candidateSource(select.value)));
    refreshRanking().catch((err) => showError(err.message));
    loadScenarios().catch((err) => showError(err.message));
    updateExport();
  };
  for (const id of ['f-kommune', 'f-status', 'f-min']) $(id).onchange = onFilter;
  $('export-format').onchange = updateExport;
  $('background').onchange = () => {
    map.setLayoutProperty('kartverket', 'visibility', $('background').checked ? 'visible' : 'none');
    map.setPaintProperty('municipalities-fill', 'fill-opacity', $('background').checked ? 0.35 : 0.8);
    setUrl({ bg: $('background').checked ? '1' : null });
  };
  updateExport();
  refreshRanking().catch((err) => showError(err.message));
  loadScenarios().catch((err) => showError(err.message));
  refreshSession().catch((err) => showError(err.message));
  if (params.get('site')) app.showSite(params.get('site'));
}
app.showArea = (id) => showArea(id).catch((err) => showError(err.message));

$('lang').addEventListener('click', () => {
  ui.lang = ui.lang === 'nb' ? 'en' : 'nb';
  setUrl({ lang: ui.lang === 'en' ? 'en' : null });
  start();
});
$('retry').addEventListener('click', start);
$('dismiss').addEventListener('click', () => { $('error').hidden = true; });
$('background').checked = params.get('bg') === '1';
initTabs();
if (['sites', 'site', 'propose', 'corridors', 'export'].includes(params.get('tab'))) {
  selectTab(params.get('tab'));
  if (params.get('tab') === 'corridors') $('tab-corridors').click();
}
initScenarios();
initReview(app);
initCorridors(app);
initSizing();
start();
