// The programme page: the themes with their measures at a glance (coloured by status), the
// KPIs as charts over time with their targets, the budget against the accounts, and from
// each energy-station KPI a link to the map view behind it.
import { getJson, send, t, ui } from '/web/api.js';

const $ = (id) => document.getElementById(id);
const STATUS = ['planned', 'in_progress', 'done', 'postponed', 'cancelled'];
// Okabe–Ito, as on the map.
const COLOUR = { planned: '#999999', in_progress: '#0072b2', done: '#009e73', postponed: '#e69f00', cancelled: '#d55e00' };
const num = (v) => v.toLocaleString(ui.lang === 'en' ? 'en-GB' : 'nb-NO', { maximumFractionDigits: 2 });

function applyLanguage() {
  document.documentElement.lang = ui.lang;
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  $('lang').textContent = t('switchTo');
}

// A line chart of a KPI's values with its target as a dashed line, as SVG.
function chart(k) {
  const ns = 'http://www.w3.org/2000/svg';
  const [w, h, pad] = [300, 110, 24];
  const values = k.values.map((v) => v.value);
  const top = Math.max(1, ...values, k.target ?? 0);
  const x = (i) => (values.length <= 1 ? w / 2 : pad + ((w - 2 * pad) * i) / (values.length - 1));
  const y = (v) => h - pad - ((h - 2 * pad) * v) / top;
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', `0 0 ${w} ${h}`);
  svg.setAttribute('class', 'chart');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', `${k.name}: ${values.length ? num(values.at(-1)) : t('noValue')}${k.target != null ? `, ${t('target')} ${num(k.target)}` : ''}`);
  const add = (tag, attrs, text) => {
    const el = document.createElementNS(ns, tag);
    for (const [a, v] of Object.entries(attrs)) el.setAttribute(a, v);
    if (text) el.textContent = text;
    svg.append(el);
    return el;
  };
  add('line', { x1: pad, y1: h - pad, x2: w - pad, y2: h - pad, stroke: '#999' });
  if (k.target != null) {
    add('line', { x1: pad, y1: y(k.target), x2: w - pad, y2: y(k.target), stroke: '#c0392b', 'stroke-dasharray': '4 3', class: 'target' });
    add('text', { x: w - pad, y: y(k.target) - 3, 'font-size': 10, 'text-anchor': 'end', fill: '#7a0019' }, `${t('target')} ${num(k.target)}`);
  }
  if (values.length > 1) add('polyline', { fill: 'none', stroke: '#0b3954', 'stroke-width': 2, points: values.map((v, i) => `${x(i)},${y(v)}`).join(' ') });
  values.forEach((v, i) => {
    const c = add('circle', { cx: x(i), cy: y(v), r: 3, fill: '#0b3954' });
    const title = document.createElementNS(ns, 'title');
    title.textContent = `${k.values[i].at}: ${num(v)}`;
    c.append(title);
  });
  return svg;
}

async function start() {
  $('error').hidden = true;
  applyLanguage();
  if (!$('year').options.length) {
    try {
      const { years } = await getJson('/api/programme');
      const wanted = new URLSearchParams(location.search).get('year');
      $('year').replaceChildren(...years.map((y) => new Option(String(y), String(y))));
      if (wanted && years.includes(Number(wanted))) $('year').value = wanted;
    } catch (e) {
      $('error-text').textContent = e.message;
      $('error').hidden = false;
      return;
    }
  }
  const year = $('year').value;
  $('report-link').href = `/api/programme/${year}/report?format=html`;
  let p;
  try {
    p = await getJson(`/api/programme/${year}`);
  } catch (e) {
    $('error-text').textContent = e.message;
    $('error').hidden = false;
    return;
  }
  $('title').textContent = `${t('programmeTitle')} ${p.year}`;
  $('vision').textContent = p.vision;
  $('status-key').replaceChildren(...STATUS.map((s) => {
    const li = document.createElement('li');
    const sw = document.createElement('span');
    sw.className = 'swatch';
    sw.style.background = COLOUR[s];
    li.append(sw, document.createTextNode(t(`m_${s}`)));
    return li;
  }));
  const themes = [{ id: 'overall', name: t('overall') }, ...p.themes];
  $('board').replaceChildren(...themes.map((th) => {
    const col = document.createElement('section');
    col.className = 'theme';
    col.dataset.theme = th.id;
    const h = document.createElement('h3');
    h.textContent = th.name;
    const list = document.createElement('ul');
    for (const m of p.measures.filter((x) => x.theme === th.id)) {
      const li = document.createElement('li');
      li.className = 'measure';
      li.dataset.id = m.id;
      li.dataset.status = m.status;
      li.style.borderLeftColor = COLOUR[m.status];
      const head = document.createElement('strong');
      head.textContent = `${m.id} · ${t(`m_${m.status}`)}`;
      const text = document.createElement('p');
      text.textContent = m.text;
      const goal = document.createElement('p');
      goal.className = 'muted';
      goal.textContent = `${t('resultGoal')}: ${m.result_goal}`;
      li.append(head, text, goal);
      const note = m.notes?.at(-1);
      if (note) {
        const n = document.createElement('p');
        n.className = 'muted';
        n.textContent = `${note.date}: ${note.text}`;
        li.append(n);
      }
      list.append(li);
    }
    col.append(h, list);
    return col;
  }));
  $('kpis').replaceChildren(...p.measures.flatMap((m) => m.kpis.map((k) => {
    const card = document.createElement('figure');
    card.className = 'kpi';
    card.dataset.kpi = k.id;
    const cap = document.createElement('figcaption');
    const latest = k.values.at(-1);
    const name = k.map_view ? Object.assign(document.createElement('a'), { href: k.map_view, textContent: k.name }) : document.createTextNode(k.name);
    const value = document.createElement('div');
    value.className = 'value';
    value.textContent = latest ? `${num(latest.value)} ${k.unit}` : t('noValue');
    const when = document.createElement('div');
    when.className = 'muted';
    when.textContent = latest ? `${m.id} · ${latest.at}${latest.from ? ` · ${latest.from}` : ''}` : m.id;
    cap.append(name, value, when);
    card.append(cap, chart(k));
    return card;
  })));
  await initEdit(p);
  $('budget').querySelector('tbody').replaceChildren(...p.budget.map((b) => {
    const tr = document.createElement('tr');
    for (const v of [b.post, num(b.budget_knok), b.actual_knok != null ? num(b.actual_knok) : '–']) {
      const td = document.createElement('td');
      td.textContent = v;
      tr.append(td);
    }
    return tr;
  }));
}

// The secretariat's form: a measure's new status with a dated note, through the API.
async function initEdit(p) {
  let me = null;
  try { me = await getJson('/api/me'); } catch { /* anonymous */ }
  const secretariat = me?.role === 'secretariat';
  $('edit').hidden = !secretariat;
  $('login-hint').hidden = Boolean(me);
  if (!secretariat) return;
  const keep = $('edit-measure').value;
  $('edit-measure').replaceChildren(...p.measures.map((m) => new Option(`${m.id}: ${m.text.slice(0, 60)}`, m.id)));
  if (keep) $('edit-measure').value = keep;
  $('edit-status').replaceChildren(...STATUS.map((s) => new Option(t(`m_${s}`), s)));
  const current = () => p.measures.find((m) => m.id === $('edit-measure').value);
  $('edit-status').value = current()?.status ?? 'planned';
  $('edit-measure').onchange = () => { $('edit-status').value = current()?.status ?? 'planned'; };
}

$('edit-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const change = { kind: 'measure_status', measure: $('edit-measure').value, status: $('edit-status').value, note: $('edit-note').value };
  if ($('edit-date').value) change.date = $('edit-date').value;
  try {
    await send('POST', `/api/programme/${$('year').value}/changes`, change);
    $('edit-note').value = '';
    await start();
  } catch (err) {
    $('error-text').textContent = err.message;
    $('error').hidden = false;
  }
});

$('lang').addEventListener('click', () => {
  ui.lang = ui.lang === 'nb' ? 'en' : 'nb';
  const q = new URLSearchParams(location.search);
  if (ui.lang === 'en') q.set('lang', 'en'); else q.delete('lang');
  history.replaceState(null, '', `${location.pathname}?${q}`);
  start();
});
$('retry').addEventListener('click', start);
$('year').addEventListener('change', start);
start();
