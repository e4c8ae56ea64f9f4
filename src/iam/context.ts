/** The request context as the evaluator reads it: key names case-insensitive, values as comparable subjects. */

import { parseGlob, patternSubject, type Subject } from "./glob.ts";
import { memoize } from "./memo.ts";
import type { RequestValue } from "./types.ts";

/** Looks a context key up by name, ignoring case; undefined means the key is unknown (not absent). */
export type ContextLookup = (key: string) => RequestValue | undefined;

export function contextLookup(context: Record<string, RequestValue>): ContextLookup {
  const byLowerName = new Map<string, RequestValue>();
  for (const [name, value] of Object.entries(context)) {
    // A key with no values is null to IAM ("keys with empty values"): the same as absent.
    byLowerName.set(
      name.toLowerCase(),
      value.kind === "exact" && value.values.length === 0 ? { kind: "absent" } : value,
    );
  }
  return (key) => byLowerName.get(key.toLowerCase());
}

const patternSubjects = memoize((pattern): readonly Subject[] => [patternSubject(parseGlob(pattern))]);

/** The values a present request value stands for: each exact value, or the one pattern. */
export function subjectsOf(value: Exclude<RequestValue, { kind: "absent" }>): readonly Subject[] {
  if (value.kind === "exact") return value.values.map((text) => ({ kind: "exact", text }));
  return patternSubjects(value.pattern);
}
