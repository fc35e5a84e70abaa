// Signing in, proposing a site (drawn on the map or uploaded as a file) and seeing its score
// at once, and the coordinators' review: a queue, comments, votes and status changes along
// the transitions the service allows.
import { csrf, getJson, send, t, ui } from '/web/api.js';

export const STATUSES = ['proposed', 'under_review', 'recommended', 'approved', 'rejected', 'built'];
// Okabe–Ito colours: distinguishable with every common colour-vision deficiency.
const COLOURS = {
  proposed: '#e69f00', under_review: '#56b4e9', recommended: '#f0e442',
  approved: '#009e73', rejected: '#d55e00', built: '#0072b2',
};

// A MapLibre expression colouring by `expr`, or with no expression one status's colour.
export function statusColour(expr, status) {
  if (!expr) return COLOURS[status];
  return ['match', expr, ...STATUSES.flatMap((s) => [s, COLOURS[s]]), '#888'];
}

const $ = (id) => document.getElementById(id);
let app;
let me = null;
// The site the panel shows, with the version its status change must name.
let current = null;
// The geometry being drawn: a point, or a ring's vertices.
let draft = null;

const when = (secs) => new Date(secs * 1000).toLocaleString(ui.lang === 'en' ? 'en-GB' : 'nb-NO');

// The signed-in user (null when anonymous), for sections that offer writing.
export function currentUser() {
  return me;
}

export async function refreshSession() {
  try {
    me = await getJson('/api/me');
  } catch (err) {
    if (err.status !== 401) throw err;
    me = null;
    csrf.set(null);
  }
  render();
}

function render() {
  const signedIn = Boolean(me);
  $('login-form').hidden = signedIn;
  $('logout').hidden = !signedIn;
  $('propose').hidden = !signedIn;
  $('queue').hidden = !(signedIn && (me.role === 'coordinator' || me.role === 'admin'));
  $('scenario-save-row').hidden = !signedIn;
  $('who').textContent = signedIn
    ? `${me.username} · ${t(`role_${me.role}`)}${me.municipalities?.length ? ` (${me.municipalities.join(', ')})` : ''}`
    : '';
  if (signedIn && !$('queue').hidden) refreshQueue().catch((err) => app.showError(err.message));
  if (current) showReview(current.id).catch((err) => app.showError(err.message));
}

async function refreshQueue() {
  const data = await app.refreshProposals();
  const open = data.features.filter((f) => ['proposed', 'under_review', 'recommended'].includes(f.properties.status));
  $('queue-list').replaceChildren(...open.map((f) => {
    const li = document.createElement('li');
    li.dataset.id = f.properties.id;
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'link';
    b.textContent = `${f.properties.name} (${f.properties.kommunenummer}) · ${t(`status_${f.properties.status}`)}`;
    b.onclick = () => {
      const c = app.centre(f.geometry);
      if (c) app.map.flyTo({ center: c, zoom: Math.max(app.map.getZoom(), 12) });
      app.showSite(f.properties.id);
    };
    li.append(b);
    return li;
  }));
  if (!open.length) {
    const li = document.createElement('li');
    li.textContent = t('queueEmpty');
    $('queue-list').append(li);
  }
}

// The review part of the site panel: status, votes, comments and history; the controls
// the signed-in user may use.
export async function showReview(id) {
  let data;
  try {
    data = await getJson(`/api/sites/${encodeURIComponent(id)}`);
  } catch (err) {
    // Without a review store there is nothing to show; that is not an error.
    if (err.status === 503 || err.status === 404) { $('review').hidden = true; return; }
    throw err;
  }
  current = { id, version: data.site.version };
  $('review').hidden = false;
  const s = data.site;
  $('review-status').textContent = `${t('status')}: ${t(`status_${s.status}`)}`;
  $('review-status').dataset.status = s.status;
  $('review-votes').textContent = `${t('voteSupport')} ${s.support} · ${t('voteOppose')} ${s.oppose} · ${t('voteNeedsInfo')} ${s.needs_info}`;
  const entries = [
    ...data.comments.map((c) => ({ at: c.created_at, text: `${c.author}: ${c.text}`, kind: 'comment' })),
    ...data.history.filter((h) => h.action !== 'comment.add').map((h) => ({ at: h.at, text: describe(h), kind: 'history' })),
  ].sort((a, b) => a.at - b.at);
  $('review-comments').replaceChildren(...entries.map((e) => {
    const li = document.createElement('li');
    li.className = e.kind;
    const time = document.createElement('time');
    time.dateTime = new Date(e.at * 1000).toISOString();
    time.textContent = when(e.at);
    li.append(time, document.createTextNode(` ${e.text}`));
    return li;
  }));
  const mayWrite = me && (me.role !== 'municipality' || me.municipalities.includes(s.kommunenummer));
  $('review-write').hidden = !mayWrite;
  const coordinator = me && (me.role === 'coordinator' || me.role === 'admin');
  $('review-status-set').hidden = !(coordinator && data.allowed_next.length);
  $('status-buttons').replaceChildren(...data.allowed_next.map((next) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.dataset.status = next;
    b.textContent = `${t('setStatus')} ${t(`status_${next}`)}`;
    b.onclick = () => act(() => send('POST', `/api/sites/${encodeURIComponent(id)}/status`,
      { status: next, version: current.version, reason: $('status-reason').value || undefined }));
    return b;
  }));
}

function describe(h) {
  const after = h.after ?? {};
  switch (h.action) {
    case 'proposal.add': return `${h.actor}: ${t('historyProposed')}`;
    case 'vote.set': return `${h.actor}: ${t('historyVoted')} «${t(`vote_${after.vote}`)}»`;
    case 'checklist.tick': return `${h.actor}: ${t('historyTicked')} «${after.item}»${after.done ? '' : ` (${t('clNotDone')})`}`;
    case 'status.set': return `${h.actor}: ${t('historyStatus')} ${t(`status_${after.status}`)}${after.reason ? ` (${after.reason})` : ''}`;
    default: return `${h.actor}: ${h.action}`;
  }
}

// A review action, then everything that shows its result: the panel, the map, the queue.
async function act(write) {
  try {
    await write();
    $('status-reason').value = '';
    await showReview(current.id);
    await app.refreshProposals();
    app.reloadTiles();
    if (!$('queue').hidden) await refreshQueue();
  } catch (err) {
    app.showError(err.message);
  }
}

function setDraft(geometry) {
  const features = [];
  if (geometry) features.push({ type: 'Feature', geometry, properties: {} });
  if (draft?.ring) for (const p of draft.ring) features.push({ type: 'Feature', geometry: { type: 'Point', coordinates: p }, properties: {} });
  app.map.getSource('draft')?.setData({ type: 'FeatureCollection', features });
}

function draftGeometry() {
  if (!draft) return null;
  if (draft.point) return { type: 'Point', coordinates: draft.point };
  if (draft.ring.length >= 3 && draft.closed) return { type: 'Polygon', coordinates: [[...draft.ring, draft.ring[0]]] };
  if (draft.ring.length >= 2) return { type: 'LineString', coordinates: draft.ring };
  return null;
}

function startDrawing(kind) {
  draft = kind === 'point' ? { point: null } : { ring: [], closed: false };
  app.drawing = kind;
  app.map.getCanvas().style.cursor = 'crosshair';
  $('draw-finish').hidden = kind === 'point';
  $('draw-hint').textContent = t(kind === 'point' ? 'hintPoint' : 'hintPolygon');
  setDraft(null);
}

function stopDrawing() {
  app.drawing = null;
  app.map.getCanvas().style.cursor = '';
  $('draw-finish').hidden = true;
}

function onMapClick(e) {
  if (!app.drawing) return;
  // The same click must not also open a site under the pointer.
  app.drawEvent = e.originalEvent;
  const p = [Number(e.lngLat.lng.toFixed(7)), Number(e.lngLat.lat.toFixed(7))];
  if (app.drawing === 'point') {
    draft.point = p;
    stopDrawing();
    $('draw-hint').textContent = t('hintReady');
  } else {
    draft.ring.push(p);
    $('draw-hint').textContent = `${t('hintPolygon')} (${draft.ring.length})`;
  }
  setDraft(draftGeometry());
}

// The score per profile, and what fails, right after a proposal is stored.
function showScores(name, scores, append = false) {
  const box = $('proposal-result');
  const h = document.createElement('h3');
  h.textContent = `${t('scoredAs')} «${name}»`;
  const ul = document.createElement('ul');
  ul.className = 'scores';
  for (const s of scores) {
    const li = document.createElement('li');
    li.dataset.profile = s.profile;
    const profileName = document.querySelector(`#profile option[value="${s.profile}"]`)?.textContent ?? s.profile;
    li.textContent = s.excluded
      ? `${profileName}: ${t('excluded')} – ${s.fails.map((f) => (ui.lang === 'en' ? f.reason_en : f.reason)).join('; ')}`
      : `${profileName}: ${s.score.toFixed(1)} ${t('points')}`;
    ul.append(li);
  }
  if (append) box.append(h, ul); else box.replaceChildren(h, ul);
}

export function initReview(theApp) {
  app = theApp;
  $('login-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const answer = await send('POST', '/api/login', { username: $('username').value, password: $('password').value });
      csrf.set(answer.csrf_token);
      $('password').value = '';
      await refreshSession();
    } catch (err) {
      app.showError(err.status === 401 ? t('loginFailed') : err.message);
    }
  });
  $('logout').onclick = async () => {
    try { await send('POST', '/api/logout'); } catch (err) { app.showError(err.message); }
    csrf.set(null);
    await refreshSession();
  };
  $('draw-point').onclick = () => startDrawing('point');
  $('draw-polygon').onclick = () => startDrawing('polygon');
  $('draw-finish').onclick = () => {
    if (draft?.ring?.length >= 3) {
      draft.closed = true;
      stopDrawing();
      $('draw-hint').textContent = t('hintReady');
      setDraft(draftGeometry());
    } else {
      $('draw-hint').textContent = t('hintTooFew');
    }
  };
  // The map is made again on a language switch; it hands every click here.
  app.onMapClick = onMapClick;
  $('proposal-send').onclick = async () => {
    const geometry = draftGeometry();
    const name = $('proposal-name').value.trim();
    if (!geometry || geometry.type === 'LineString') { app.showError(t('drawFirst')); return; }
    if (!name) { app.showError(t('nameFirst')); return; }
    try {
      const answer = await send('POST', '/api/proposals', { name, geometry });
      showScores(name, answer.scores);
      draft = null;
      setDraft(null);
      $('proposal-name').value = '';
      $('draw-hint').textContent = '';
      await app.refreshProposals();
      if (!$('queue').hidden) await refreshQueue();
    } catch (err) {
      app.showError(err.message);
    }
  };
  $('upload-file').onchange = async () => {
    const file = $('upload-file').files[0];
    if (!file) return;
    const lower = file.name.toLowerCase();
    const format = lower.endsWith('.gpkg') ? 'gpkg' : lower.endsWith('.zip') ? 'shp' : 'geojson';
    try {
      const answer = await send('POST', `/api/proposals/upload?format=${format}`, await file.arrayBuffer(), 'application/octet-stream');
      $('proposal-result').replaceChildren();
      for (const p of answer.proposals) showScores(p.proposal.name, p.scores, true);
      await app.refreshProposals();
    } catch (err) {
      app.showError(err.message);
    } finally {
      $('upload-file').value = '';
    }
  };
  $('comment-send').onclick = () => {
    const text = $('comment-text').value;
    act(async () => {
      await send('POST', `/api/sites/${encodeURIComponent(current.id)}/comments`, { text });
      $('comment-text').value = '';
    });
  };
  for (const b of document.querySelectorAll('[data-vote]')) {
    b.onclick = () => act(() => send('POST', `/api/sites/${encodeURIComponent(current.id)}/votes`, { vote: b.dataset.vote }));
  }
}
