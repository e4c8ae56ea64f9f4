/** A bounded memo for the pure, string-keyed work the evaluator repeats (policies reuse the same strings). */

const LIMIT = 4096;

/** Wraps `compute` with a cache that is emptied when it reaches its limit (policies are small; this is plenty). */
export function memoize<V>(compute: (key: string) => V, limit = LIMIT): (key: string) => V {
  const cache = new Map<string, V>();
  return (key) => {
    const hit = cache.get(key);
    if (hit !== undefined) return hit;
    const value = compute(key);
    if (cache.size >= limit) cache.clear();
    cache.set(key, value);
    return value;
  };
}
