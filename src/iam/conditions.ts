/**
 * The Condition element: operator blocks and keys ANDed, a key's values ORed, with IAM's rules for absent keys,
 * `...IfExists`, `ForAnyValue:`/`ForAllValues:` and `Null`. A key the request is known not to carry is decided
 * exactly; a key the request model says nothing about is unknown, and makes its condition "maybe", never false.
 */

import { type ContextLookup, subjectsOf } from "./context.ts";
import { type Glob, globText, parseGlob, type Subject } from "./glob.ts";
import type { ConditionOperator } from "./operators/operator.ts";
import { findOperator } from "./operators/registry.ts";
import { allOf, anyOf, fromTruth, maybe, NO, not, type Outcome, YES } from "./truth.ts";
import type { RequestValue } from "./types.ts";
import { type Resolution, resolvePolicyValue } from "./variables.ts";

type SetPrefix = "ForAnyValue" | "ForAllValues";

interface OperatorName {
  set?: SetPrefix;
  base: string;
  ifExists: boolean;
}

const NAME = /^(?:(ForAnyValue|ForAllValues):)?(.+?)(IfExists)?$/i;

function parseOperatorName(name: string): OperatorName {
  const m = NAME.exec(name);
  if (!m) return { base: name, ifExists: false };
  const set =
    m[1] === undefined ? undefined : m[1].toLowerCase() === "foranyvalue" ? "ForAnyValue" : "ForAllValues";
  return { ...(set ? { set } : {}), base: m[2] as string, ifExists: m[3] !== undefined };
}

/** Evaluates a statement's Condition block against the request context. */
export function evaluateConditions(
  condition: Record<string, Record<string, string[]>>,
  lookup: ContextLookup,
  variables: boolean,
): Outcome {
  const results: Outcome[] = [];
  for (const [operatorName, keys] of Object.entries(condition)) {
    for (const [key, values] of Object.entries(keys)) {
      const outcome = evaluateKey(operatorName, key, values, lookup, variables);
      if (outcome.truth === "no") return NO;
      results.push(outcome);
    }
  }
  return allOf(results);
}

/**
 * The condition entries on keys the request certainly does not carry, each with IAM's answer for it (an entry on
 * an unsupported operator is left out: its answer is not known).
 */
export function absentKeyEntries(
  condition: Record<string, Record<string, string[]>>,
  lookup: ContextLookup,
): { operator: string; key: string; holds: boolean }[] {
  const entries: { operator: string; key: string; holds: boolean }[] = [];
  for (const [operator, keys] of Object.entries(condition)) {
    for (const [key, values] of Object.entries(keys)) {
      if (lookup(key)?.kind !== "absent") continue;
      // Policy values are never read for an absent key, so variables cannot matter here.
      const { truth } = evaluateKey(operator, key, values, lookup, false);
      if (truth !== "maybe") entries.push({ operator, key, holds: truth === "yes" });
    }
  }
  return entries;
}

function evaluateKey(
  operatorName: string,
  key: string,
  values: string[],
  lookup: ContextLookup,
  variables: boolean,
): Outcome {
  const name = parseOperatorName(operatorName);
  const label = `condition ${operatorName} ${key}`;
  const isNull = name.base.toLowerCase() === "null";
  const operator = isNull ? undefined : findOperator(name.base);
  // IAM allows neither IfExists nor a set prefix on Null.
  const supported = isNull ? !name.set && !name.ifExists : operator !== undefined;
  if (!supported) return maybe(`${label}: operator ${operatorName} is not supported`, key);
  const value = lookup(key);
  if (value === undefined) return maybe(`${label}: key not in request context`, key);
  const outcome = operator
    ? evaluateComparison(name, operator, key, values, value, lookup, variables)
    : evaluateNull(values, value);
  return labelled(outcome, label);
}

/** `Null: true` holds when the key is absent, `Null: false` when it is present. */
function evaluateNull(values: string[], value: RequestValue): Outcome {
  const present = value.kind !== "absent";
  return anyOf(values.map((v) => (v.toLowerCase() === (present ? "false" : "true") ? YES : NO)));
}

/** Every operator but Null: IAM's rules for an absent key, then the values compared. */
function evaluateComparison(
  name: OperatorName,
  operator: ConditionOperator,
  key: string,
  values: string[],
  value: RequestValue,
  lookup: ContextLookup,
  variables: boolean,
): Outcome {
  if (value.kind === "absent") {
    // IAM's answers for a key the request does not carry: "the values do not match and the condition is false", true
    // for a negated operator (StringNotLike, ArnNotLike, NotIpAddress, ...), true for ...IfExists
    // (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html);
    // ForAllValues "also returns true" with no key in the request and ForAnyValue false
    // (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html).
    if (name.ifExists || name.set === "ForAllValues") return YES;
    if (name.set === "ForAnyValue") return NO;
    return operator.negated ? YES : NO;
  }
  const policyValues: Resolution[] = values.map((v) =>
    operator.variables ? resolvePolicyValue(v, lookup, variables) : { ok: true, glob: parseGlob(v) },
  );
  const matchesAny = (subject: Subject): Outcome =>
    anyOf(
      policyValues.map((pv) =>
        pv.ok
          ? fromTruth(operator.compare(pv.glob, subject), () => ({
              key,
              reason: partialReason(pv.glob, subject),
            }))
          : { truth: "maybe", unknowns: pv.unknowns },
      ),
    );
  const perValue = subjectsOf(value).map(matchesAny);
  const holds = (o: Outcome) => (operator.negated ? not(o) : o);
  if (name.set === "ForAllValues") return allOf(perValue.map(holds));
  if (name.set === "ForAnyValue") return anyOf(perValue.map(holds));
  // Without a set prefix: some request value matches some policy value; negated, none does. On a multivalued key
  // AWS documents no meaning, so with several values the other reading (every value; negated, not every) is tried
  // too, and where the two disagree the answer is not known.
  const some = holds(anyOf(perValue));
  if (perValue.length < 2) return some;
  const every = operator.negated ? anyOf(perValue.map(not)) : allOf(perValue);
  return some.truth === every.truth
    ? some
    : {
        truth: "maybe",
        unknowns: [
          { key, reason: `${key} has several values and the condition has no ForAnyValue/ForAllValues` },
        ],
      };
}

function partialReason(policy: Glob, subject: Subject): string {
  const value = globText(policy);
  if (subject.kind === "exact") return `cannot decide whether "${subject.text}" matches "${value}"`;
  return `request value is known only as the pattern "${globText(subject.glob)}", which "${value}" matches only in part`;
}

function labelled(outcome: Outcome, label: string): Outcome {
  if (outcome.truth !== "maybe") return outcome;
  return {
    truth: "maybe",
    unknowns: outcome.unknowns.map((u) => ({ ...u, reason: `${label}: ${u.reason}` })),
  };
}
