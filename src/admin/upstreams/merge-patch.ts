/**
 * Applies a PATCH body the way the admin API documents it (RFC 7386 at the top level): a present field
 * replaces the current value, `null` removes it, an absent field keeps it. The body is validated
 * first, so only fields of `T` reach here, and `null` only where the field may be absent.
 */
export function mergePatch<T extends object>(current: T, patch: { [K in keyof T]?: T[K] | null }): T {
  const next = { ...current } as Record<string, unknown>;
  for (const [field, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    if (value === null) delete next[field];
    else next[field] = value;
  }
  return next as T;
}
