/**
 * The picks of SRANDMEMBER, SPOP, HRANDFIELD and ZRANDMEMBER with a count, as Redis makes
 * them: a negative count means that many independent picks (repeats allowed); a positive
 * count means distinct elements, the whole collection in its own order when the count
 * covers it, else a random subset.
 */
export function randomPicks<T>(items: readonly T[], count: number): T[] {
  if (items.length === 0) return [];
  if (count < 0) return Array.from({ length: -count }, () => items[Math.floor(Math.random() * items.length)]!);
  if (count >= items.length) return [...items];
  const pool = [...items];
  // A partial Fisher–Yates shuffle: the first `count` slots end up a uniform random subset.
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(Math.random() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  return pool.slice(0, count);
}
