type Json = Record<string, unknown>;

/** How the demos call their in-process hub: JSON in and out, the admin key unless told another, a non-2xx thrown. */
export function demoCaller(url: string, adminKey: string): (method: string, path: string, body?: unknown, key?: string) => Promise<Json> {
  return async (method, path, body, key = adminKey) => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} → ${response.status}: ${text}`);
    return text ? (JSON.parse(text) as Json) : {};
  };
}
