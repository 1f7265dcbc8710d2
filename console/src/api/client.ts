/**
 * The console's one way to talk to the hub. Two kinds of sign-in: a person (the HttpOnly session cookie,
 * writes carry the CSRF token) uses the tenant routes under `/v1`; the hub admin (the admin key, held in this
 * tab's sessionStorage only) uses `/admin/v1`. Errors arrive in the hub's own shape and become ApiError.
 */
const CSRF_KEY = 'tokenhub.csrf';
const ADMIN_KEY = 'tokenhub.admin-key';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | null,
    message: string,
    readonly param: string | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const credentials = {
  csrf: (): string | null => localStorage.getItem(CSRF_KEY),
  setCsrf: (token: string | null) => (token ? localStorage.setItem(CSRF_KEY, token) : localStorage.removeItem(CSRF_KEY)),
  adminKey: (): string | null => sessionStorage.getItem(ADMIN_KEY),
  setAdminKey: (key: string | null) => (key ? sessionStorage.setItem(ADMIN_KEY, key) : sessionStorage.removeItem(ADMIN_KEY)),
};

/** Whether this tab is signed in with the admin key (the admin API) rather than as a person. */
export const isAdminMode = (): boolean => credentials.adminKey() !== null;

/** `/admin/v1` for the hub admin, `/v1` for a person: the tenant routes mirror the admin ones' shapes. */
export const apiBase = (): '/admin/v1' | '/v1' => (isAdminMode() ? '/admin/v1' : '/v1');

export type Query = Record<string, string | number | boolean | null | undefined>;

export function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(name, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  query?: Query;
  signal?: AbortSignal;
  /** Send this bearer key instead of the tab's credentials (the playground's key, a bootstrap). */
  bearer?: string;
  headers?: Record<string, string>;
}

export function requestHeaders(options: RequestOptions = {}): Record<string, string> {
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const bearer = options.bearer ?? credentials.adminKey();
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  const csrf = credentials.csrf();
  if (!bearer && csrf && options.method && options.method !== 'GET') headers['x-csrf-token'] = csrf;
  return headers;
}

export async function errorOf(response: Response): Promise<ApiError> {
  let code: string | null = null;
  let param: string | null = null;
  let message = `${response.status} ${response.statusText}`;
  try {
    const body = (await response.json()) as { error?: { message?: string; code?: string | null; param?: string | null } };
    if (body.error?.message) message = body.error.message;
    code = body.error?.code ?? null;
    param = body.error?.param ?? null;
  } catch {
    // not JSON: keep the status line
  }
  return new ApiError(response.status, code, message, param);
}

/** A JSON request; 204 resolves to undefined. Throws ApiError for any non-2xx answer. */
export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const init: RequestInit = {
    method: options.method ?? 'GET',
    headers: requestHeaders(options),
    credentials: 'same-origin',
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  };
  const response = await fetch(withQuery(path, options.query), init);
  if (!response.ok) throw await errorOf(response);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

/** Reads a `text/event-stream` response as parsed events (`data:` lines joined), until it ends or `signal` aborts. */
export async function* sse(response: Response): AsyncGenerator<{ event: string; data: string; id: string | null }> {
  if (!response.body) return;
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end = buffer.indexOf('\n\n');
    while (end !== -1) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = 'message';
      let id: string | null = null;
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
        else if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('id:')) id = line.slice(3).trim();
      }
      if (data.length > 0) yield { event, data: data.join('\n'), id };
      end = buffer.indexOf('\n\n');
    }
  }
}

/** After single sign-on the hub hands the session's CSRF token over once, in a short-lived cookie: keep it, drop the cookie. */
export function adoptCsrfHandoff(): void {
  const match = /(?:^|;\s*)tokenhub_csrf=([^;]+)/.exec(document.cookie);
  if (!match?.[1]) return;
  credentials.setAdminKey(null);
  credentials.setCsrf(decodeURIComponent(match[1]));
  document.cookie = 'tokenhub_csrf=; Max-Age=0; Path=/console; SameSite=Strict';
}
