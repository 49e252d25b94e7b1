// api.js — the interface's only way to the server: /api/v1 (and TAXII)
// with the session cookie, the session's CSRF token on every request that
// changes state, errors turned into messages that say what to do, upload
// progress through XMLHttpRequest, and the time each request took (shown
// to the bench, bench/web).
let csrf = null;
let onSessionEnd = () => {};

export function setCsrf(token) { csrf = token; }
export function setSessionEndHandler(fn) { onSessionEnd = fn; }

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

// What to tell a person for an HTTP failure, on top of the server's text.
function advice(status) {
  switch (status) {
    case 0: return 'The server could not be reached: check that accord serve is running and the network, then retry.';
    case 400: return 'Check the values entered.';
    case 401: return 'Log in again.';
    case 403: return 'Your account may not do this; ask an administrator if you need to.';
    case 404: return 'It may not exist, or not be shared with your organisation.';
    case 413: return 'The file is larger than the server accepts (max_content_length).';
    case 422: return 'The content was not accepted; see the details.';
    case 429: return 'Wait a little, then try again.';
    default: return status >= 500 ? 'The server failed; retry, and if it persists tell the administrator (the server log has the request id).' : '';
  }
}

function errorFrom(status, body, fallback) {
  const desc = (body && (body.description || body.title)) || fallback || `HTTP ${status}`;
  const tip = advice(status);
  return new ApiError(status, tip && !desc.includes(tip) ? `${desc}. ${tip}` : desc);
}

// Paths of /api/v1 are given without the prefix; TAXII paths in full.
function url(path) {
  return path.startsWith('/api/') || path.startsWith('/taxii2/') ? path : `/api/v1${path}`;
}

export const timings = [];
if (typeof window !== 'undefined') window.__accordTimings = timings;

export async function api(path, { method = 'GET', body, headers = {}, raw = false, signal } = {}) {
  const h = { Accept: 'application/json', ...headers };
  if (method !== 'GET' && method !== 'HEAD' && csrf) h['X-CSRF-Token'] = csrf;
  let payload = body;
  if (body !== undefined && typeof body !== 'string' && !(body instanceof Blob)) {
    payload = JSON.stringify(body);
    h['Content-Type'] = 'application/json';
  } else if (typeof body === 'string' && !h['Content-Type']) {
    h['Content-Type'] = 'application/json';
  }
  const t0 = performance.now();
  let r;
  try {
    r = await fetch(url(path), { method, headers: h, body: payload, credentials: 'same-origin', signal });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw errorFrom(0, null, 'No answer from the server');
  }
  if (r.status === 401 && !path.startsWith('/session')) onSessionEnd();
  if (!r.ok) {
    const j = await r.json().catch(() => null);
    throw errorFrom(r.status, j, r.statusText);
  }
  const result = raw ? await r.blob() : r.status === 204 ? null : await r.json();
  timings.push({ path, ms: performance.now() - t0 });
  if (timings.length > 2000) timings.splice(0, 1000);
  return result;
}

// POST a file with upload progress: onProgress(fraction 0..1, phase).
export function upload(path, file, onProgress) {
  return new Promise((resolve, reject) => {
    const x = new XMLHttpRequest();
    x.open('POST', `/api/v1${path}`);
    x.setRequestHeader('Accept', 'application/json');
    x.setRequestHeader('Content-Type', 'application/json');
    if (csrf) x.setRequestHeader('X-CSRF-Token', csrf);
    x.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total, 'upload');
    };
    x.upload.onload = () => onProgress(1, 'server');
    x.onerror = () => reject(errorFrom(0, null, 'The upload failed'));
    x.onload = () => {
      let j = null;
      try { j = JSON.parse(x.responseText); } catch (e) { /* not JSON */ }
      if (x.status === 401) onSessionEnd();
      if (x.status >= 200 && x.status < 300) resolve(j);
      else reject(errorFrom(x.status, j, x.statusText));
    };
    x.send(file);
  });
}

// Save a blob under a file name (evidence packs, exports).
export function saveBlob(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

export function qs(params) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') p.set(k, v);
  const s = p.toString();
  return s ? `?${s}` : '';
}
