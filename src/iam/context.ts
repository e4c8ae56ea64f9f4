/** The request context as the evaluator reads it: key names case-insensitive, values as comparable subjects. */

import { parseGlob, patternSubject, type Subject } from "./glob.ts";
import { memoize } from "./memo.ts";
import type { RequestValue } from "./types.ts";

/** Looks a context key up by name, ignoring case; undefined means the key is unknown (not absent). */
export type ContextLookup = (key: string) => RequestValue | undefined;

const ABSENT: RequestValue = Object.freeze({ kind: "absent" });

/**
 * The lookup over a request's listed keys and its absent key families (see RequestContext.absentKeys): a listed key
 * wins, then a family or name the request is known not to carry, and anything else is unknown.
 */
export function contextLookup(
  context: Record<string, RequestValue>,
  absentKeys: readonly string[] = [],
): ContextLookup {
  const byLowerName = new Map<string, RequestValue>();
  for (const [name, value] of Object.entries(context)) {
    // A key with no values is null to IAM ("keys with empty values"): the same as absent.
    byLowerName.set(name.toLowerCase(), value.kind === "exact" && value.values.length === 0 ? ABSENT : value);
  }
  const absentNames = new Set<string>();
  const absentFamilies: string[] = [];
  for (const entry of absentKeys) {
    const lower = entry.toLowerCase();
    if (lower.endsWith("/")) absentFamilies.push(lower);
    else absentNames.add(lower);
  }
  return (key) => {
    const lower = key.toLowerCase();
    const listed = byLowerName.get(lower);
    if (listed !== undefined) return listed;
    if (absentNames.has(lower)) return ABSENT;
    // A family needs a key under it: "aws:ResourceTag/" itself names no tag.
    return absentFamilies.some((f) => lower.length > f.length && lower.startsWith(f)) ? ABSENT : undefined;
  };
}

const patternSubjects = memoize((pattern): readonly Subject[] => [patternSubject(parseGlob(pattern))]);

/** The values a present request value stands for: each exact value, or the one pattern. */
export function subjectsOf(value: Exclude<RequestValue, { kind: "absent" }>): readonly Subject[] {
  if (value.kind === "exact") return value.values.map((text) => ({ kind: "exact", text }));
  return patternSubjects(value.pattern);
}
