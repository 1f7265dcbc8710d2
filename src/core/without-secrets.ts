/** Field names whose values are secrets at any depth: a created key's `key` is shown once and never stored. */
const SECRET_FIELDS = new Set(['key', 'secret', 'api_key', 'apiKey', 'password', 'token', 'csrf_token', 'headers']);

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Whether a field of this name holds a secret (see `withoutSecrets`; `redactSecrets` masks such values). */
export const isSecretField = (field: string): boolean => SECRET_FIELDS.has(field);

/** A deep copy without secret fields (for audit rows and logs). */
export function withoutSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSecrets);
  if (!isRecord(value)) return value;
  const copy: Record<string, unknown> = {};
  for (const [field, inner] of Object.entries(value)) if (!SECRET_FIELDS.has(field)) copy[field] = withoutSecrets(inner);
  return copy;
}
