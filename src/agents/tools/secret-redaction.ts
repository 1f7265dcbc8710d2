/**
 * Takes a tool's resolved secrets out of whatever goes back to the model (a result, an error, a far side's echo of
 * the headers it got): the model's context is the tenant's, and ends up in run steps, threads and logs.
 */
export const REDACTED = '[redacted]';

/** Shorter values would be scrubbed out of ordinary text ("true", "1234") and are no credential worth the name. */
const MIN_SECRET_LENGTH = 4;

export type Redactor = (text: string) => string;

/** A redactor for `secrets` as sent and in the forms a far side may echo them (JSON-escaped, percent-encoded). */
export function secretRedactor(secrets: Iterable<string>): Redactor {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (secret.length < MIN_SECRET_LENGTH) continue;
    forms.add(secret);
    forms.add(JSON.stringify(secret).slice(1, -1));
    forms.add(encodeURIComponent(secret));
  }
  // Longest first, so a header value holding a secret (`Bearer sk-…`) goes whole.
  const ordered = [...forms].sort((a, b) => b.length - a.length);
  if (ordered.length === 0) return (text) => text;
  return (text) => {
    let out = text;
    for (const form of ordered) if (out.includes(form)) out = out.replaceAll(form, REDACTED);
    return out;
  };
}
