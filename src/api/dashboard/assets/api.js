// Calls to this socval's /v1 API with the signed-in token. The token lives in sessionStorage (this
// tab only, gone when it closes) and is only ever attached to same-origin paths.

const TOKEN_KEY = 'socval.token';

export const session = {
  get token() {
    return sessionStorage.getItem(TOKEN_KEY);
  },
  signIn(token) {
    sessionStorage.setItem(TOKEN_KEY, token.trim());
  },
  signOut() {
    sessionStorage.removeItem(TOKEN_KEY);
  },
};

/** A refused call: its HTTP status and the problem+json body, when there is one. */
export class ApiError extends Error {
  constructor(status, problem, retryAfter = null) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
    this.retryAfter = retryAfter;
  }

  /** Words for a person: what went wrong and what to do next. */
  explain() {
    switch (this.status) {
      case 401:
        return `Your token was not accepted (${this.message}). Sign in again with a valid token.`;
      case 403:
        return `Your token does not allow this (${this.message}).`;
      case 404:
        return 'Not found, or it belongs to another organisation.';
      case 429:
        return `Too many requests for your token just now. Try again in ${this.retryAfter ?? 'a few'} seconds.`;
      case 503:
        return 'The service cannot reach its database just now. Try again in a moment.';
      default: {
        const id = this.problem?.request_id ? ` (request ${this.problem.request_id})` : '';
        return `${this.message}${id}`;
      }
    }
  }
}

/** GET a JSON resource under /v1. */
export async function get(path) {
  if (!path.startsWith('/v1/')) {
    throw new Error(`refusing to send the token to ${path}`);
  }
  let response;
  try {
    response = await fetch(path, {
      headers: { Authorization: `Bearer ${session.token}`, Accept: 'application/json' },
      credentials: 'omit',
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(0, { detail: 'the service cannot be reached' });
  }
  if (!response.ok) {
    const problem = await response.json().catch(() => null);
    throw new ApiError(response.status, problem, response.headers.get('Retry-After'));
  }
  return response.json();
}

/** Every item of a paginated list, following `next_cursor` (bounded, for safety). */
export async function getAll(path, maxPages = 20) {
  const items = [];
  let cursor = null;
  for (let page = 0; page < maxPages; page += 1) {
    const separator = path.includes('?') ? '&' : '?';
    const suffix = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const body = await get(`${path}${separator}limit=500${suffix}`);
    items.push(...body.items);
    cursor = body.next_cursor;
    if (!cursor) break;
  }
  return items;
}

/** `get`, but a 403 becomes `null`: a panel the caller's roles may not see. */
export async function getIfAllowed(path) {
  try {
    return await get(path);
  } catch (error) {
    if (error instanceof ApiError && error.status === 403) return null;
    throw error;
  }
}

/** Path segments escaped for use in an API path. */
export function path(strings, ...values) {
  return strings.reduce((out, s, i) => out + s + (i < values.length ? encodeURIComponent(values[i]) : ''), '');
}
