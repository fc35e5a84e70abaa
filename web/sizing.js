// The site panel's "Dimensjonering": how many chargers, MW and m² the site needs per year
// under a demand scenario, and whether the grid nearby can feed it, from GET /api/sizing.
// Every year comes in one answer, so the year selector redraws without asking again.
import { getJson, t, ui } from '/web/api.js';

const $ = (id) => document.getElementById(id);
let current = null;
let asked = null;

// Numbers as the panel shows them; the e2e test formats the API's the same way.
export const fmt = {
  int: (x) => Math.round(x).toLocaleString(ui.lang === 'en' ? 'en-GB' : 'nb-NO'),
  dec: (x, d) => x.toLocaleString(ui.lang === 'en' ? 'en-GB' : 'nb-NO', { minimumFractionDigits: d, maximumFractionDigits: d }),
};

function figures(s) {
  const rows = [
    ['heavy_aadt', t('szHeavy'), `${fmt.int(s.heavy_aadt)} ${t('szPerDay')}`],
    ['ze_trucks_per_day', t('szZe'), `${fmt.dec(100 * s.ze_share, 1)} % → ${fmt.dec(s.ze_trucks_per_day, 1)} ${t('szPerDay')}`],
    ['arrivals_peak_hour', t('szArrivals'), `${fmt.dec(s.arrivals_peak_hour, 2)} ${t('szPerHour')}`],
    ['chargers', t('szChargers'), `${s.chargers} × ${fmt.int(s.power_kw_each)} kW`],
    ['peak_mw', t('szPeak'), `${fmt.dec(s.peak_mw, 2)} MW`],
    ['area_m2', t('szArea'), `${fmt.int(s.area_m2)} m²`],
  ];
  if (s.kg_per_day != null) rows.push(['kg_per_day', t('szKg'), `${fmt.int(s.kg_per_day)} kg`]);
  if (s.storage_kg != null) rows.push(['storage_kg', t('szStorage'), `${fmt.int(s.storage_kg)} kg (${t(`szTier_${s.major_accident_tier}`)})`]);
  return rows;
}

function render() {
  const box = $('sizing');
  if (!current) { box.hidden = true; return; }
  const year = Number($('sizing-year').value);
  const s = current.years.find((y) => y.year === year) ?? current.years[0];
  box.hidden = false;
  $('sizing-traffic').textContent = (ui.lang === 'en' ? current.traffic_en : current.traffic) ?? '';
  const dl = $('sizing-figures');
  dl.replaceChildren();
  for (const [key, label, value] of figures(s)) {
    const dt = document.createElement('dt');
    dt.textContent = label;
    const dd = document.createElement('dd');
    dd.dataset.figure = key;
    dd.textContent = value;
    dl.append(dt, dd);
  }
  const grid = $('sizing-grid');
  grid.dataset.verdict = s.grid.verdict;
  grid.textContent = `${t('szGrid')}: ${ui.lang === 'en' ? s.grid_text_en : s.grid_text}`;
}

// Size `site` under `profile`; a failure hides the section and says why instead.
export async function showSizing(site, profile) {
  asked = { site, profile };
  const scenario = $('sizing-scenario').value || 'default';
  const q = new URLSearchParams({ profile, site, demand_scenario: scenario });
  try {
    const answer = await getJson(`/api/sizing?${q}`);
    // A later click may have asked for another site meanwhile.
    if (asked.site !== site || asked.profile !== profile) return;
    current = answer;
    const sel = $('sizing-year');
    const years = current.years.map((y) => String(y.year));
    if ([...sel.options].map((o) => o.value).join() !== years.join()) {
      const keep = sel.value;
      sel.replaceChildren(...years.map((y) => new Option(y, y)));
      sel.value = years.includes(keep) ? keep : (years.includes('2030') ? '2030' : years[0]);
    }
    render();
  } catch (err) {
    current = null;
    $('sizing').hidden = false;
    $('sizing-figures').replaceChildren();
    $('sizing-traffic').textContent = '';
    $('sizing-grid').textContent = `${t('szFailed')}: ${err.message}`;
  }
}

export function initSizing() {
  $('sizing-year').addEventListener('change', render);
  $('sizing-scenario').addEventListener('change', () => {
    if (asked) showSizing(asked.site, asked.profile);
  });
}
