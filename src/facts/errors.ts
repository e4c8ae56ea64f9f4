import type { FactError } from "./types.ts";

/** Every fact error anywhere in a Facts tree (or part of one), in document order. */
export function factErrors(value: unknown, out: FactError[] = []): FactError[] {
  if (Array.isArray(value)) {
    for (const item of value) factErrors(item, out);
  } else if (value && typeof value === "object") {
    const record = value as Record<string, unknown>;
    if (record.ok === false && record.error && typeof record.error === "object")
      out.push(record.error as FactError);
    for (const child of Object.values(record)) factErrors(child, out);
  }
  return out;
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
