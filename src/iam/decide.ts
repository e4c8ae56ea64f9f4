/** Combines statement outcomes into a Decision the way IAM does: explicit Deny wins, then every gate must allow. */

import { allTruth, anyTruth, type Outcome, type Truth } from "./truth.ts";
import type { Decision, StatementRef } from "./types.ts";

export interface JudgedStatement {
  ref: StatementRef;
  outcome: Outcome;
}

/**
 * allowed = ¬(some Deny applies) ∧ (each gate has an applicable Allow), in Kleene logic. Gates are the identity
 * policies and, when there is one, the permissions boundary (or the trust policy alone).
 */
export function decide(
  denies: readonly JudgedStatement[],
  gates: readonly (readonly JudgedStatement[])[],
): Decision {
  const deny = anyTruth(denies.map((d) => d.outcome.truth));
  if (deny === "yes") return result("explicit-deny", withTruth(denies, "yes"));
  const gateTruths: Truth[] = gates.map((gate) => anyTruth(gate.map((s) => s.outcome.truth)));
  const allowed = allTruth(gateTruths);
  if (allowed === "no") return result("implicit-deny", []);
  if (allowed === "yes" && deny === "no")
    return result(
      "allow",
      gates.flatMap((g) => withTruth(g, "yes")),
    );
  // Undecided: every maybe-Deny, and the maybe-Allows of each gate that nothing definitely opens.
  const undecided = [...denies.filter((d) => d.outcome.truth === "maybe")];
  gates.forEach((gate, i) => {
    if (gateTruths[i] === "maybe") undecided.push(...gate.filter((s) => s.outcome.truth === "maybe"));
  });
  return {
    decision: "conditional",
    statements: [],
    undecided: undecided.map(({ ref, outcome }) => ({
      statement: ref,
      keys: unique(outcome.unknowns.flatMap((u) => (u.key === undefined ? [] : [u.key]))),
      reason: unique(outcome.unknowns.map((u) => u.reason)).join("; "),
    })),
  };
}

function withTruth(statements: readonly JudgedStatement[], truth: Truth): StatementRef[] {
  return statements.filter((s) => s.outcome.truth === truth).map((s) => s.ref);
}

function result(decision: Decision["decision"], statements: StatementRef[]): Decision {
  return { decision, statements, undecided: [] };
}

function unique(items: string[]): string[] {
  return [...new Set(items)];
}
