import type { FactError } from "./types.ts";

/** Every fact error anywhere in a Facts tree (or part of one), in document order. */
export function factErrors(value: unknown, out: FactError[] = []): FactError[] {
  if (value && typeof value === "object") collectErrors(value, out);
  return out;
}

/**
 * The walk behind factErrors, over objects only: a live check's facts are mostly strings (ARNs, states, times), and
 * a primitive is skipped where it is met rather than in a call of its own.
 */
function collectErrors(value: object, out: FactError[]): void {
  if (Array.isArray(value)) {
    for (const item of value) if (item && typeof item === "object") collectErrors(item, out);
    return;
  }
  const record = value as Record<string, unknown>;
  if (record.ok === false && record.error && typeof record.error === "object")
    out.push(record.error as FactError);
  for (const child of Object.values(record))
    if (child && typeof child === "object") collectErrors(child, out);
}

/** Fact errors grouped by API and code, with how often each happened: one log line per kind of failure. */
export function summariseFactErrors(
  errors: readonly FactError[],
): { api: string; code: string; count: number; example: string }[] {
  const groups = new Map<string, { api: string; code: string; count: number; example: string }>();
  for (const e of errors) {
    const key = `${e.api} ${e.code}`;
    const group = groups.get(key);
    if (group) group.count++;
    else groups.set(key, { api: e.api, code: e.code, count: 1, example: e.message });
  }
  return [...groups.values()];
}
