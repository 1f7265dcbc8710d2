import { isSecretField } from './without-secrets.js';

/**
 * Secrets that turn up inside text (prompts, pasted configs, model output), each replaced by a marker
 * naming its kind. Credentials first: an email inside a URL with a password is still masked.
 */
const SECRET_PATTERNS: readonly [kind: string, pattern: RegExp][] = [
  ['private-key', /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g],
  ['bearer', /\b(?<=bearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi],
  ['api-key', /\b(?:sk|pk|rk)-[A-Za-z0-9_-]{16,}/g],
  ['api-key', /\bth(?:k|adm)_[A-Za-z0-9_-]{16,}/g],
  ['api-key', /\bAKIA[0-9A-Z]{16}\b/g],
  ['api-key', /\bAIza[0-9A-Za-z_-]{30,}/g],
  ['api-key', /\bgh[pousr]_[A-Za-z0-9]{30,}/g],
  ['api-key', /\bxox[abprs]-[A-Za-z0-9-]{10,}/g],
  ['jwt', /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g],
  ['password', /(?<=\b(?:password|passwd|pwd|secret|api[_-]?key|access[_-]?token)\s*[:=]\s*["']?)[^\s"',;]{4,}/gi],
  ['email', /\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b/g],
];

const marker = (kind: string): string => `[redacted:${kind}]`;

/** The text with every secret it contains (API keys, bearer tokens, JWTs, private keys, passwords, emails) masked. */
export function redactSecretText(text: string): string {
  let redacted = text;
  for (const [kind, pattern] of SECRET_PATTERNS) redacted = redacted.replace(pattern, marker(kind));
  return redacted;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A deep copy fit to keep: the values of secret fields (`api_key`, `password`, `headers`… as `withoutSecrets`
 * names them) masked, not dropped, so the shape stays readable; secrets inside any string masked. A string
 * longer than `maxString` is cut first (it could not be kept whole anyway), and so is its last word, which
 * might be the first half of a secret.
 */
export function redactSecrets(value: unknown, maxString = Number.POSITIVE_INFINITY): unknown {
  if (typeof value === 'string') return redactSecretText(value.length > maxString ? cutAtWord(value, maxString) : value);
  if (Array.isArray(value)) return value.map((item) => redactSecrets(item, maxString));
  if (!isRecord(value)) return value;
  const copy: Record<string, unknown> = {};
  for (const [field, inner] of Object.entries(value))
    copy[field] = isSecretField(field) ? marker('field') : redactSecrets(inner, maxString);
  return copy;
}

/** The first `length` characters, less a trailing partial word, marked as cut. */
export function cutAtWord(text: string, length: number): string {
  const head = text.slice(0, length);
  return `${head.replace(/[^\s"',;:=]*$/, '')}…`;
}
