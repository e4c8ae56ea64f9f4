/**
 * Sorting the tool's own keys (ARNs, names, account ids, Regions, API actions): by UTF-16 code unit, the same on
 * every machine and locale. Not `localeCompare`: its first call loads ICU's collation data, ≈6 ms of CPU on every
 * run (Node 20, 2 cores), and a report's order must not hang on the machine's locale anyway.
 */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
