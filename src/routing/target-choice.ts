/** Weighted random choice; items with weight 0 are picked only when nothing else is left. */
export function chooseWeighted<T extends { weight: number }>(items: readonly T[], random: () => number = Math.random): T | undefined {
  if (items.length === 0) return undefined;
  let total = 0;
  for (const item of items) total += item.weight;
  if (total <= 0) return items[Math.floor(random() * items.length)];
  let point = random() * total;
  for (const item of items) {
    point -= item.weight;
    if (point < 0 && item.weight > 0) return item;
  }
  return items.findLast((item) => item.weight > 0);
}
