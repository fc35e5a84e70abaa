// Shared by the end-to-end tests: Debian's Chromium through playwright-core (nothing is
// downloaded), a check that prints what held, and axe-core run inside the page.
import { chromium } from 'playwright-core';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

// Evaluated through the DevTools protocol, not added as a <script>: the service's
// Content-Security-Policy (rightly) refuses inline scripts, and the map is tested under it.
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export const base = process.env.BASE_URL;
export const shots = process.env.SHOTS ?? 'screenshots';
mkdirSync(shots, { recursive: true });

export function check(ok, message) {
  if (!ok) throw new Error(message);
  console.log(`ok - ${message}`);
}

// axe-core inside the page: no serious or critical violations on this view.
export async function accessible(page, view) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
  check(result.length === 0, `axe-core finds no serious or critical violations on ${view}${result.length ? `: ${result.join('; ')}` : ''}`);
}

export function launch() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

// Runs the steps, prints the first failure and exits non-zero on it.
export async function run(steps) {
  const browser = await launch();
  let failed = false;
  try {
    await steps(browser);
  } catch (e) {
    console.error(`not ok - ${e.message}`);
    failed = true;
  } finally {
    await browser.close();
  }
  process.exit(failed ? 1 : 0);
}

export async function mapReady(page) {
  await page.waitForFunction(() => window.energistasjonMap?.loaded() && window.energistasjonMap.areTilesLoaded(), null, { timeout: 60000 });
}

export async function postJson(path, body) {
  const r = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return r.json();
}

// How many distinct colours a 20×20 sample of the map canvas shows: a blank map shows one or two.
export async function canvasColours(page) {
  return page.evaluate(() => {
    const c = window.energistasjonMap.getCanvas();
    const gl = c.getContext('webgl2') ?? c.getContext('webgl');
    const px = new Uint8Array(4);
    const seen = new Set();
    for (let i = 0; i < 400; i++) {
      const x = Math.floor((i % 20 + 0.5) * c.width / 20);
      const y = Math.floor((Math.floor(i / 20) + 0.5) * c.height / 20);
      gl.readPixels(x, y, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, px);
      seen.add(px.join(','));
    }
    return seen.size;
  });
}
