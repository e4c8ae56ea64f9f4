import { type Fact, type FactError, KNOWN_AFTER_APPLY } from "../facts/types.ts";

/** Policy documents and values as sources write them: JSON strings or objects, compared by content. */

export function knownAfterApply(api: string, message: string): { ok: false; error: FactError } {
  return { ok: false, error: { api, code: KNOWN_AFTER_APPLY, message } };
}

export function malformedDocument(api: string, message: string): { ok: false; error: FactError } {
  return { ok: false, error: { api, code: "MalformedPolicyDocument", message } };
}

/** A policy document written as a JSON string; `where` names it in the source for the error a bad one becomes. */
export function documentFromText(api: string, value: unknown, where: string): Fact<unknown> {
  if (typeof value !== "string" || !value.trim()) return malformedDocument(api, `${where} is empty`);
  try {
    return { ok: true, value: JSON.parse(value) };
  } catch (err) {
    return malformedDocument(api, `${where} is not JSON: ${(err as Error).message}`);
  }
}

/** Whether two values are the same JSON, a string that is JSON compared by what it holds (key order aside). */
export function sameJson(a: unknown, b: unknown): boolean {
  const parse = (v: unknown) => {
    if (typeof v !== "string") return v;
    try {
      return JSON.parse(v);
    } catch {
      return v;
    }
  };
  return canonical(parse(a)) === canonical(parse(b));
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (typeof v === "object" && v !== null)
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  return JSON.stringify(v) ?? "null";
}
