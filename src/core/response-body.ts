const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A response payload as JSON, or null when it is not (audit rows record what a client was answered). */
export function responseJsonOf(payload: unknown): unknown {
  if (typeof payload !== 'string' && !Buffer.isBuffer(payload)) return null;
  try {
    return JSON.parse(payload.toString()) as unknown;
  } catch {
    return null;
  }
}

/** The `error.code` (else `error.type`) of an error body in the hub's shape, or null. */
export function errorCodeOf(body: unknown): string | null {
  const error = isRecord(body) ? body.error : undefined;
  const code = isRecord(error) ? (typeof error.code === 'string' ? error.code : error.type) : undefined;
  return typeof code === 'string' ? code : null;
}
