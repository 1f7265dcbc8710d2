/**
 * Ranking measures of the supplier search over labelled requests. Labels are graded 0–3; an unlabelled
 * supplier is 0.
 *
 * - precision@k: the share of the first k results that are relevant (grade ≥ `relevantFrom`, default 3:
 *   the supplier truly satisfies the request), over k — a ranking of fewer than k results counts the gap
 *   as misses.
 * - nDCG@k: Σ (2^grade − 1) / log2(position + 1) over the first k results, divided by the same sum for the
 *   best possible ranking of every labelled supplier (0 when nothing is labelled).
 */
export function precisionAtK(ranking: readonly string[], labels: Readonly<Record<string, number>>, k: number, relevantFrom = 3): number {
  if (k <= 0) return 0;
  const relevant = ranking.slice(0, k).filter((id) => (labels[id] ?? 0) >= relevantFrom).length;
  return relevant / k;
}

const gain = (grade: number) => 2 ** grade - 1;
const discount = (position: number) => Math.log2(position + 2);

export function ndcgAtK(ranking: readonly string[], labels: Readonly<Record<string, number>>, k: number): number {
  const dcg = ranking.slice(0, k).reduce((sum, id, position) => sum + gain(labels[id] ?? 0) / discount(position), 0);
  const ideal = Object.values(labels)
    .sort((left, right) => right - left)
    .slice(0, k)
    .reduce((sum, grade, position) => sum + gain(grade) / discount(position), 0);
  return ideal === 0 ? 0 : dcg / ideal;
}

export interface RankingReport {
  requests: number;
  precisionAt5: number;
  ndcgAt10: number;
}

/** The mean precision@5 and nDCG@10 of rankings, each with its request's labels. */
export function rankingReport(cases: readonly { ranking: readonly string[]; labels: Readonly<Record<string, number>> }[]): RankingReport {
  if (cases.length === 0) return { requests: 0, precisionAt5: 0, ndcgAt10: 0 };
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
  return {
    requests: cases.length,
    precisionAt5: mean(cases.map((entry) => precisionAtK(entry.ranking, entry.labels, 5))),
    ndcgAt10: mean(cases.map((entry) => ndcgAtK(entry.ranking, entry.labels, 10))),
  };
}
