/** C(n, k) as a float: exact for the small n of eval trials. */
function choose(n: number, k: number): number {
  if (k < 0 || k > n) return 0;
  let result = 1;
  for (let index = 1; index <= k; index += 1) result = (result * (n - k + index)) / index;
  return result;
}

/**
 * τ-bench's pass^k: the chance that k trials of a task, drawn from its n, all succeed, averaged over the
 * tasks — mean over tasks of C(c, k) / C(n, k), with c the task's successes. Tasks with fewer than k trials
 * are left out (as τ² does); undefined when no task has k.
 */
export function passHatK(outcomes: ReadonlyMap<string, readonly boolean[]>, k: number): number | undefined {
  const terms: number[] = [];
  for (const trials of outcomes.values()) {
    if (trials.length < k) continue;
    const successes = trials.filter(Boolean).length;
    terms.push(choose(successes, k) / choose(trials.length, k));
  }
  return terms.length === 0 ? undefined : terms.reduce((sum, term) => sum + term, 0) / terms.length;
}

/** pass^1 … pass^kMax, keyed by k. */
export function passHatKs(outcomes: ReadonlyMap<string, readonly boolean[]>, kMax: number): Record<string, number> {
  const result: Record<string, number> = {};
  for (let k = 1; k <= kMax; k += 1) {
    const value = passHatK(outcomes, k);
    if (value !== undefined) result[String(k)] = value;
  }
  return result;
}
