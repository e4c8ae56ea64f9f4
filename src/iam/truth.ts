/**
 * Kleene three-valued logic, the single mechanism for everything the evaluator cannot decide.
 * "maybe" carries the reasons it could not decide, so a decision can name the keys behind it.
 */

export type Truth = "yes" | "no" | "maybe";

/** Why something is undecided: the context key it hinges on (when there is one) and a human reason. */
export interface Unknown {
  key?: string;
  reason: string;
}

/** A three-valued result; `unknowns` is non-empty only when `truth` is "maybe". */
export interface Outcome {
  truth: Truth;
  unknowns: readonly Unknown[];
}

export const YES: Outcome = Object.freeze({ truth: "yes", unknowns: Object.freeze([]) });
export const NO: Outcome = Object.freeze({ truth: "no", unknowns: Object.freeze([]) });

/** An undecided outcome for one reason. */
export function maybe(reason: string, key?: string): Outcome {
  return { truth: "maybe", unknowns: [key === undefined ? { reason } : { key, reason }] };
}

/** Lifts a bare truth value; a bare "maybe" gets the given reason. */
export function fromTruth(truth: Truth, reasonIfMaybe: () => Unknown): Outcome {
  if (truth === "yes") return YES;
  if (truth === "no") return NO;
  return { truth: "maybe", unknowns: [reasonIfMaybe()] };
}

export function not(a: Outcome): Outcome {
  if (a.truth === "yes") return NO;
  if (a.truth === "no") return YES;
  return a;
}

/** Kleene conjunction: "no" dominates, then "maybe" (keeping every maybe's reasons). */
export function allOf(items: Iterable<Outcome>): Outcome {
  const unknowns: Unknown[] = [];
  for (const item of items) {
    if (item.truth === "no") return NO;
    if (item.truth === "maybe") unknowns.push(...item.unknowns);
  }
  return unknowns.length === 0 ? YES : { truth: "maybe", unknowns };
}

/** Kleene disjunction: "yes" dominates, then "maybe" (keeping every maybe's reasons). */
export function anyOf(items: Iterable<Outcome>): Outcome {
  const unknowns: Unknown[] = [];
  let sawMaybe = false;
  for (const item of items) {
    if (item.truth === "yes") return YES;
    if (item.truth === "maybe") {
      sawMaybe = true;
      unknowns.push(...item.unknowns);
    }
  }
  return sawMaybe ? { truth: "maybe", unknowns } : NO;
}

/** Kleene disjunction of bare truth values. */
export function anyTruth(items: Iterable<Truth>): Truth {
  let result: Truth = "no";
  for (const t of items) {
    if (t === "yes") return "yes";
    if (t === "maybe") result = "maybe";
  }
  return result;
}

/** Kleene conjunction of bare truth values. */
export function allTruth(items: Iterable<Truth>): Truth {
  let result: Truth = "yes";
  for (const t of items) {
    if (t === "no") return "no";
    if (t === "maybe") result = "maybe";
  }
  return result;
}
