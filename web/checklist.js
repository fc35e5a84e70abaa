// The site panel's "Veien til vedtak": the dossier to print, the guide it follows, and the
// guide's checklist for the profile's station type, with what the data answer and what the
// municipality has ticked. Users who may review the site tick items and comment on them.
import { getJson, send, t, ui } from '/web/api.js';
import { currentUser } from '/web/review.js';

const $ = (id) => document.getElementById(id);
let asked = null;

function dossierLinks(site, profile) {
  const q = (format) => new URLSearchParams({ profile, format, lang: ui.lang }).toString();
  const base = `/api/sites/${encodeURIComponent(site)}/dossier`;
  $('dossier-open').href = `${base}?${q('html')}`;
  $('dossier-md').href = `${base}?${q('md')}`;
  $('dossier-json').href = `${base}?${q('json')}`;
}

function answerText(a) {
  if (!a) return t('clPeople');
  const word = t(`cl_${a.answer}`);
  return `${t('clData')}: ${word}. ${ui.lang === 'en' ? a.reason_en : a.reason}`;
}

function render(data, site, mayTick) {
  const box = $('checklist-items');
  box.replaceChildren();
  $('checklist-progress').textContent = t('clProgress').replace('{done}', data.done).replace('{total}', data.total);
  for (const step of data.steps) {
    const h = document.createElement('h4');
    h.textContent = ui.lang === 'en' ? step.name_en : step.name;
    const ul = document.createElement('ul');
    ul.className = 'checklist';
    for (const item of data.items.filter((i) => i.step === step.id)) {
      const li = document.createElement('li');
      li.dataset.item = item.id;
      if (item.data) li.dataset.answer = item.data.answer;
      const id = `cl-${item.id}`;
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.id = id;
      box.checked = Boolean(item.tick?.done);
      box.disabled = !mayTick;
      const label = document.createElement('label');
      label.htmlFor = id;
      label.textContent = ui.lang === 'en' ? item.text_en : item.text;
      const answer = document.createElement('div');
      answer.className = 'muted answer';
      answer.textContent = answerText(item.data);
      const source = document.createElement('div');
      source.className = 'muted source';
      source.textContent = `${t('clSource')}: ${item.source}`;
      const comment = document.createElement('input');
      comment.type = 'text';
      comment.className = 'tick-comment';
      comment.value = item.tick?.comment ?? '';
      comment.disabled = !mayTick;
      comment.setAttribute('aria-label', `${t('comment')}: ${label.textContent}`);
      const by = document.createElement('div');
      by.className = 'muted by';
      by.textContent = item.tick ? `${t('clBy')} ${item.tick.author}` : '';
      const save = () => tick(site, item.id, box.checked, comment.value);
      box.onchange = save;
      comment.onchange = save;
      li.append(box, label, answer, source, comment, by);
      ul.append(li);
    }
    box.append(h, ul);
  }
}

async function tick(site, item, done, comment) {
  try {
    await send('POST', `/api/sites/${encodeURIComponent(site)}/checklist?profile=${encodeURIComponent(asked.profile)}`,
      { item, done, comment: comment || undefined });
    await showChecklist(site, asked.profile);
  } catch (err) {
    $('checklist-error').textContent = err.message;
  }
}

// The section for `site` under `profile`; a failure hides the checklist and says why.
export async function showChecklist(site, profile) {
  asked = { site, profile };
  $('checklist').hidden = false;
  $('checklist-error').textContent = '';
  dossierLinks(site, profile);
  try {
    const data = await getJson(`/api/sites/${encodeURIComponent(site)}/checklist?profile=${encodeURIComponent(profile)}`);
    if (asked.site !== site || asked.profile !== profile) return;
    const me = currentUser();
    const kommune = data.kommunenummer;
    const mayTick = Boolean(me) && (me.role !== 'municipality' || me.municipalities.includes(kommune));
    $('guide-link').href = data.guide_url;
    $('guide-link').textContent = data.guide;
    render(data, site, mayTick);
  } catch (err) {
    $('checklist-items').replaceChildren();
    $('checklist-error').textContent = err.message;
  }
}
