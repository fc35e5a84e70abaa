// The web map: the service's own layers as vector tiles, candidates coloured by score on a
// colour-blind-safe scale (viridis), a site panel with the breakdown per criterion, and
// bokmål or English. State lives in the URL so a view can be shared.
import * as maplibregl from '/web/vendor/maplibre-gl/maplibre-gl.mjs';
import { strings } from '/web/i18n.js';

const params = new URLSearchParams(location.search);
let lang = params.get('lang') === 'en' ? 'en' : 'nb';
let map;
// Criterion id → weight for the current profile; the profile's own when not changed.
let weights = {};
let defaults = {};

const t = (key) => strings[lang][key] ?? key;

function applyLanguage() {
  document.documentElement.lang = lang;
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  const button = document.getElementById('lang');
  button.textContent = t('switchTo');
  button.setAttribute('aria-label', t('switchTo'));
  document.getElementById('map').setAttribute('aria-label', t('map'));
}

function showError(message) {
  document.getElementById('error-text').textContent = message;
  document.getElementById('error').hidden = false;
}

async function getJson(url) {
  let response;
  try {
    response = await fetch(url, { headers: { accept: 'application/json' } });
  } catch {
    throw new Error(t('unreachable'));
  }
  if (!response.ok) {
    let detail = '';
    try { detail = (await response.json()).detail ?? ''; } catch { /* not JSON */ }
    throw new Error(`${t('failed')} (${response.status}). ${detail}`);
  }
  return response.json();
}

const weightsParam = () => Object.entries(weights).map(([k, v]) => `${k}:${v}`).join(',');
const changed = () => Object.keys(weights).some((k) => weights[k] !== defaults[k]);

function tileUrl(id) {
  const base = `${location.origin}/tiles/${id}/{z}/{x}/{y}.mvt`;
  return id.startsWith('candidates-') && changed() ? `${base}?weights=${weightsParam()}` : base;
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

function renderSliders(profile) {
  const box = document.getElementById('sliders');
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
    const name = lang === 'en' ? c.label_en : c.label;
    text.textContent = `${name}: ${weights[c.id]}`;
    input.setAttribute('aria-label', name);
    input.addEventListener('change', () => {
      setWeight(c.id, Number(input.value));
      renderSliders(profile);
      recolour();
    });
    label.append(text, input);
    box.append(label);
  }
}

// The ten best sites under the current weights, from POST /api/score, beside the map.
async function refreshRanking(profile, ids) {
  const grid = ids.includes(`candidates-${profile}-grid`);
  const ranked = await fetch('/api/score', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ profile, candidates: grid ? 'grid' : 'parcels', weights, limit: 10 }),
  }).then((r) => (r.ok ? r.json() : Promise.reject(new Error(`${t('failed')} (${r.status})`))));
  const list = document.getElementById('ranked');
  list.replaceChildren(...ranked.candidates.map((c) => {
    const li = document.createElement('li');
    li.dataset.id = c.id;
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = `${c.name ?? c.id} (${c.score.toFixed(1)})`;
    b.onclick = async () => {
      const site = await getJson(`/api/candidates/${encodeURIComponent(c.id)}?profile=${profile}`);
      const at = centre(site.geometry);
      if (at) map.flyTo({ center: at, zoom: Math.max(map.getZoom(), 12) });
      showSite(c.id, profile).catch((err) => showError(err.message));
    };
    li.append(b);
    return li;
  }));
  highlight(params.get('site'));
}

// The middle of a GeoJSON geometry's coordinates: enough to fly to a site.
function centre(g) {
  const pts = [];
  const walk = (c) => (typeof c[0] === 'number' ? pts.push(c) : c.forEach(walk));
  if (g?.coordinates) walk(g.coordinates);
  if (!pts.length) return null;
  return [pts.reduce((a, p) => a + p[0], 0) / pts.length, pts.reduce((a, p) => a + p[1], 0) / pts.length];
}

function highlight(id) {
  for (const li of document.querySelectorAll('#ranked li')) li.classList.toggle('selected', li.dataset.id === id);
}

function recolour() {
  refreshRanking(document.getElementById('profile').value, window.energistasjonIds ?? []).catch((err) => showError(err.message));
  setUrl({ weights: changed() ? weightsParam() : null });
  const source = map?.getStyle()?.layers.find((l) => l.id === 'candidates')?.source;
  if (source) map.getSource(source).setTiles([tileUrl(source)]);
}

// Viridis stops: readable for every common form of colour blindness.
const scoreColour = ['interpolate', ['linear'], ['get', 'score'],
  0, '#440154', 25, '#3b528b', 50, '#21918c', 75, '#5ec962', 100, '#fde725'];

function style(ids, candidates) {
  const sources = {};
  for (const id of ids) sources[id] = tiles(id);
  const layers = [{ id: 'background', type: 'background', paint: { 'background-color': '#eef2f3' } }];
  const has = (id) => ids.includes(id);
  if (has('municipalities')) {
    layers.push({ id: 'municipalities-fill', type: 'fill', source: 'municipalities', 'source-layer': 'municipalities', paint: { 'fill-color': '#ffffff', 'fill-opacity': 0.8 } });
  }
  if (has('landuse')) {
    layers.push({ id: 'landuse', type: 'fill', source: 'landuse', 'source-layer': 'landuse', paint: { 'fill-color': '#b8d8be', 'fill-opacity': 0.5 } });
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
      filter: ['==', ['get', 'year'], 2030], paint: { 'line-color': '#c0392b', 'line-width': 5, 'line-opacity': 0.5 } });
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
      'circle-stroke-color': '#222', 'circle-stroke-width': 0.5 } });
  return { version: 8, sources, layers };
}

function candidateSource(ids, profile) {
  // The grid when the server measured one, else the parcels.
  return ids.includes(`candidates-${profile}-grid`) ? `candidates-${profile}-grid` : `candidates-${profile}`;
}

function setUrl(updates) {
  for (const [k, v] of Object.entries(updates)) {
    if (v === null || v === undefined) params.delete(k); else params.set(k, v);
  }
  history.replaceState(null, '', `${location.pathname}?${params}`);
}

async function showSite(id, profile) {
  const site = await getJson(`/api/candidates/${encodeURIComponent(id)}?profile=${profile}`);
  const p = site.properties;
  document.getElementById('site').hidden = false;
  document.getElementById('site-title').textContent = p.name ?? p.id;
  document.getElementById('site-score').textContent = p.excluded
    ? t('excluded')
    : `${t('score')} ${p.score.toFixed(1)} · ${t('rank')} ${p.rank}, ${t('rankMunicipality')} ${p.municipality_rank} (${p.kommunenavn ?? ''})`;
  const list = document.getElementById('site-criteria');
  list.replaceChildren();
  for (const c of p.criteria ?? []) {
    const li = document.createElement('li');
    li.dataset.criterion = c.id;
    const label = lang === 'en' ? c.label_en : c.label;
    const reason = lang === 'en' ? c.reason_en : c.reason;
    li.innerHTML = '<div class="name"></div><div class="bar"><span></span></div><div class="muted"></div>';
    li.querySelector('.name').textContent = `${label}: ${c.points.toFixed(1)} / ${c.weight} ${t('points')}`;
    li.querySelector('.bar > span').style.width = `${(100 * c.points / (c.weight || 1)).toFixed(0)}%`;
    li.querySelector('.muted').textContent = reason;
    list.append(li);
  }
  const ex = document.getElementById('site-exclusions');
  ex.replaceChildren(...(p.exclusions ?? []).map((e) => {
    const li = document.createElement('li');
    li.textContent = lang === 'en' ? e.reason_en : e.reason;
    return li;
  }));
  setUrl({ site: id });
  highlight(id);
}

async function start() {
  document.getElementById('error').hidden = true;
  applyLanguage();
  let collections, profiles;
  try {
    [collections, profiles] = await Promise.all([getJson('/collections'), getJson('/api/profiles')]);
  } catch (e) {
    showError(e.message);
    return;
  }
  const ids = collections.collections.map((c) => c.id);
  window.energistasjonIds = ids;
  const select = document.getElementById('profile');
  select.replaceChildren(...profiles.profiles.map((p) => {
    const o = document.createElement('option');
    o.value = p.id;
    o.textContent = lang === 'en' ? (p.name_en ?? p.name) : p.name;
    return o;
  }));
  const profile = params.get('profile') ?? 'mcs-corridor';
  select.value = profile;
  const setProfile = (id, fromUrl) => {
    const p = profiles.profiles.find((x) => x.id === id) ?? profiles.profiles[0];
    defaults = Object.fromEntries(p.criteria.map((c) => [c.id, c.weight]));
    weights = { ...defaults };
    const saved = fromUrl ? params.get('weights') : null;
    if (saved) for (const kv of saved.split(',')) { const [k, v] = kv.split(':'); if (k in weights) weights[k] = Number(v); }
    renderSliders(p);
  };
  setProfile(profile, true);
  document.getElementById('reset').onclick = () => { setProfile(select.value, false); recolour(); };
  const region = collections.collections.find((c) => c.id === 'municipalities') ?? collections.collections[0];
  const bbox = region?.extent?.spatial?.bbox?.[0] ?? [4, 57, 31, 71];
  if (map) map.remove();
  // `view=zoom/lat/lon` in the URL, else the whole region.
  const view = (params.get('view') ?? '').split('/').map(Number);
  const placed = view.length === 3 && view.every(Number.isFinite)
    ? { zoom: view[0], center: [view[2], view[1]] }
    : { bounds: [[bbox[0], bbox[1]], [bbox[2], bbox[3]]] };
  map = new maplibregl.Map({
    container: 'map',
    style: style(ids, candidateSource(ids, profile)),
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
    if (e?.error?.status >= 400 || /Failed to fetch/.test(e?.error?.message ?? '')) showError(t('unreachable'));
  });
  map.on('click', 'candidates', (e) => {
    const id = e.features?.[0]?.properties?.id;
    if (id) showSite(id, select.value).catch((err) => showError(err.message));
  });
  select.onchange = () => {
    setProfile(select.value, false);
    setUrl({ profile: select.value, site: null, weights: null });
    map.setStyle(style(ids, candidateSource(ids, select.value)));
    refreshRanking(select.value, ids).catch((err) => showError(err.message));
  };
  refreshRanking(profile, ids).catch((err) => showError(err.message));
  if (params.get('site')) showSite(params.get('site'), profile).catch((err) => showError(err.message));
}

document.getElementById('lang').addEventListener('click', () => {
  lang = lang === 'nb' ? 'en' : 'nb';
  setUrl({ lang: lang === 'en' ? 'en' : null });
  start();
});
document.getElementById('retry').addEventListener('click', start);
start();
