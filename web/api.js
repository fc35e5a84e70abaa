// Talking to the service: JSON in and out, the session's CSRF token on every write, and
// the service's problem+json turned into a message a planner can act on, in their language.
import { strings } from '/web/i18n.js';

export const ui = { lang: new URLSearchParams(location.search).get('lang') === 'en' ? 'en' : 'nb' };
export const t = (key) => strings[ui.lang][key] ?? strings.nb[key] ?? key;

// The CSRF token from the login answer; the session cookie itself is HttpOnly.
const CSRF = 'energistasjon-csrf';
export const csrf = {
  get: () => sessionStorage.getItem(CSRF),
  set: (v) => (v ? sessionStorage.setItem(CSRF, v) : sessionStorage.removeItem(CSRF)),
};

export class ServiceError extends Error {
  constructor(message, status, detail) {
    super(message);
    this.status = status;
    this.detail = detail;
  }
}

// What went wrong, in plain words: the status and the parameter the service named pick the
// sentence; the service's own detail (English) follows for the specifics.
function explain(status, problem) {
  const parameter = problem?.parameter;
  let key = {
    400: 'err400', 401: 'err401', 403: 'err403', 404: 'err404', 409: 'err409', 413: 'err413', 503: 'err503',
  }[status] ?? 'failed';
  if (status === 400 && parameter && strings.nb[`err400_${parameter}`]) key = `err400_${parameter}`;
  const detail = problem?.detail ?? '';
  // The status code last, for whoever the planner asks for help.
  return new ServiceError(`${t(key)}${detail ? ` (${detail})` : ''} [HTTP ${status}]`, status, detail);
}

async function answer(response) {
  if (response.ok) {
    return response.status === 204 ? null : response.json();
  }
  let problem = null;
  try { problem = await response.json(); } catch { /* not JSON */ }
  throw explain(response.status, problem);
}

export async function getJson(url) {
  let response;
  try {
    response = await fetch(url, { headers: { accept: 'application/json' }, credentials: 'same-origin' });
  } catch {
    throw new ServiceError(t('unreachable'), 0, '');
  }
  return answer(response);
}

// A write: JSON body (or raw bytes with a content type), the CSRF header when signed in.
export async function send(method, url, body, contentType = 'application/json') {
  const headers = { accept: 'application/json', 'content-type': contentType };
  if (csrf.get()) headers['x-csrf-token'] = csrf.get();
  let response;
  try {
    response = await fetch(url, {
      method,
      headers,
      credentials: 'same-origin',
      body: contentType === 'application/json' && body !== undefined ? JSON.stringify(body) : body,
    });
  } catch {
    throw new ServiceError(t('unreachable'), 0, '');
  }
  return answer(response);
}
