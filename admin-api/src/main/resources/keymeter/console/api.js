// The console's one way to the server: the JSON admin API with the session cookie (sent by the
// browser, never readable here) and, on every change, the session's CSRF token.

let csrfToken = '';

/** An error the API answered: HTTP status, gRPC status name and the server's message. */
export class ApiError extends Error {
  constructor(httpStatus, status, message) {
    super(message);
    this.httpStatus = httpStatus;
    this.status = status;
  }

  /** The field the server named ("name: must be …" → "name"), if any. */
  get field() {
    const match = /^([a-z_][a-z0-9_.]*(?:\[[^\]]*\])?):\s/i.exec(this.message);
    return match ? match[1] : '';
  }

  /** What the person reads: the server's words, which name the field and the rule. */
  get text() {
    return this.status ? `${this.message} (${this.status})` : this.message;
  }
}

/** Who is signed in, and the CSRF token for later calls. Sends the browser to sign-in when there is no session. */
export async function loadSession() {
  const response = await fetch('/console/session.json', { credentials: 'same-origin', cache: 'no-store' });
  if (response.status === 401) {
    location.assign('/console/sign-in');
    throw new ApiError(401, 'UNAUTHENTICATED', 'not signed in');
  }
  const session = await response.json();
  csrfToken = session.csrfToken;
  delete session.csrfToken;
  return session;
}

function query(params) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params || {})) {
    if (value !== undefined && value !== null && value !== '') search.set(name, value);
  }
  const text = search.toString();
  return text ? '?' + text : '';
}

/** One call: resolves to the parsed JSON body, rejects with an ApiError. */
export async function call(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (method !== 'GET' && method !== 'HEAD') headers['X-CSRF-Token'] = csrfToken;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, {
      method, headers, credentials: 'same-origin', cache: 'no-store',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (network) {
    throw new ApiError(0, 'UNAVAILABLE', 'the control plane did not answer');
  }
  const text = await response.text();
  let data = {};
  try {
    data = text ? JSON.parse(text) : {};
  } catch (notJson) {
    data = {};
  }
  if (!response.ok) {
    const error = data.error || {};
    if (response.status === 401) setTimeout(() => location.assign('/console/sign-in'), 1500);
    throw new ApiError(response.status, error.status || '', error.message || `HTTP ${response.status}`);
  }
  return data;
}

export const get = (path, params) => call('GET', path + query(params));
export const post = (path, body) => call('POST', path, body === undefined ? {} : body);
export const patch = (path, body) => call('PATCH', path, body);
export const del = (path) => call('DELETE', path);

/** Ends the session on the server, then goes to the sign-in page. */
export async function signOut() {
  await fetch('/console/sign-out', {
    method: 'POST', credentials: 'same-origin', headers: { 'X-CSRF-Token': csrfToken },
  });
  csrfToken = '';
  location.assign('/console/sign-in');
}

/** A path segment, escaped: ids come from the server, but a path is no place to trust that. */
export const seg = (value) => encodeURIComponent(value);
