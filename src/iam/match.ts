/** The Action and Resource elements against a request: actions as case-insensitive globs, resources as ARNs. */

import { compareArn } from "./arn.ts";
import { type ContextLookup, subjectsOf } from "./context.ts";
import { globText, matchGlob, parseGlob, type Subject } from "./glob.ts";
import { memoize } from "./memo.ts";
import { anyOf, fromTruth, maybe, NO, type Outcome, YES } from "./truth.ts";
import type { RequestValue } from "./types.ts";
import { resolvePolicyValue } from "./variables.ts";

/** A policy action as a lower-cased glob (memoised per policy string). */
const actionGlob = memoize((pattern) => parseGlob(pattern.toLowerCase()));

/**
 * Whether a lower-cased action matches a policy action: most name one action outright ("ec2:DeleteVolume"), and
 * matching one is equality, with no regular expression to build; only `*` and `?` are wildcards (memoised).
 */
const actionMatcher = memoize((pattern): ((lowerAction: string) => boolean) => {
  const lower = pattern.toLowerCase();
  if (!lower.includes("*") && !lower.includes("?")) return (lowerAction) => lowerAction === lower;
  const glob = actionGlob(pattern);
  return (lowerAction) => matchGlob(glob, lowerAction);
});

/** Whether one policy action (`ec2:*Volume*`, `*`) names the request action; IAM ignores case in actions. */
export function actionMatches(pattern: string, action: string): boolean {
  return matchGlob(actionGlob(pattern), action.toLowerCase());
}

/**
 * Per Action or NotAction list (a parsed statement's, kept with its policy), the lower-cased actions it was asked
 * about and whether it names each: the rules ask about the same role's statements for every request of a use.
 */
const namedBy = new WeakMap<readonly string[], Map<string, boolean>>();

/** Whether any of the policy's actions names the request action, given already lower-cased (memoised per list). */
export function namesAction(patterns: readonly string[], lowerAction: string): boolean {
  let known = namedBy.get(patterns);
  if (!known) {
    known = new Map();
    namedBy.set(patterns, known);
  }
  let named = known.get(lowerAction);
  if (named === undefined) {
    named = patterns.some((p) => actionMatcher(p)(lowerAction));
    known.set(lowerAction, named);
  }
  return named;
}

/** Whether any of the policy's actions names the request action, given already lower-cased. */
export function matchActions(patterns: readonly string[], lowerAction: string): Outcome {
  return namesAction(patterns, lowerAction) ? YES : NO;
}

/**
 * Whether any of the policy's resources names the request resource. An exact request value listing several ARNs
 * means "one of these, unknown which"; an absent resource is compared as "*".
 */
export function matchResources(
  patterns: readonly string[],
  resource: RequestValue,
  lookup: ContextLookup,
  variables: boolean,
): Outcome {
  const subjects: readonly Subject[] =
    resource.kind === "absent" ? [{ kind: "exact", text: "*" }] : subjectsOf(resource);
  const resolved = patterns.map((pattern) => ({
    pattern,
    value: resolvePolicyValue(pattern, lookup, variables),
  }));
  const perSubject = subjects.map((subject) =>
    anyOf(
      resolved.map(({ pattern, value }) => {
        if (!value.ok) return { truth: "maybe", unknowns: value.unknowns };
        return fromTruth(compareArn(value.glob, subject), () => ({
          reason: `Resource "${pattern}" matches only some of the request's resources ("${describe(subject)}")`,
        }));
      }),
    ),
  );
  // An empty list names no resource: nothing can be said of it (and [].every would say "yes").
  if (perSubject.length === 0) return maybe("the request names no resource");
  if (perSubject.every((o) => o.truth === "yes")) return YES;
  if (perSubject.every((o) => o.truth === "no")) return NO;
  const unknowns = perSubject.flatMap((o) => o.unknowns);
  return unknowns.length > 0
    ? { truth: "maybe", unknowns }
    : maybe("the policy's resources match only some of the request's resources");
}

function describe(subject: Subject): string {
  return subject.kind === "exact" ? subject.text : globText(subject.glob);
}
