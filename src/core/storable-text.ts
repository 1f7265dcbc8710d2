/**
 * PostgreSQL cannot hold every JavaScript string: `text` and `jsonb` refuse NUL, and an unpaired UTF-16
 * surrogate has no UTF-8 form (jsonb refuses its `\ud800` escape; a text parameter would silently turn
 * it into U+FFFD). Input that is stored or compared with stored values is checked with this, so it is
 * refused with a 400 naming the field instead of failing in the database with a 500.
 */
const LONE_SURROGATE = /\p{Cs}/u;

export function isStorableText(value: string): boolean {
  return !value.includes('\u0000') && !LONE_SURROGATE.test(value);
}

export const UNSTORABLE_TEXT_MESSAGE = 'must not contain NUL characters or unpaired UTF-16 surrogates';

/** Whether every string of a JSON value (keys included) is storable, walked without recursion (values may nest deep). */
export function isStorableJson(value: unknown): boolean {
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const next = pending.pop();
    if (typeof next === 'string') {
      if (!isStorableText(next)) return false;
    } else if (Array.isArray(next)) {
      pending.push(...next);
    } else if (next !== null && typeof next === 'object') {
      for (const [key, item] of Object.entries(next)) {
        if (!isStorableText(key)) return false;
        pending.push(item);
      }
    }
  }
  return true;
}
