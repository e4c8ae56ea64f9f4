import { describe, expect, it } from "vitest";
import type { RuleFinding } from "../../src/engine/finding.ts";
import type { Rule, RuleContextInput } from "../../src/engine/rule.ts";
import type { Status } from "../../src/engine/status.ts";
import type { Facts } from "../../src/facts/types.ts";

/** One row of a rule table: a named situation, its facts, and what the rule must say about each resource. */
export interface RuleCase<Options = unknown> {
  name: string;
  facts: Facts;
  /** The context the rule runs in (now, stuckAfterMs, beforeRoleChange, the rule's own options). */
  context?: Partial<RuleContextInput<Options>>;
  /**
   * Expected status per resource (ARN or the role ref), in any order; resources not listed must not appear, and
   * none may appear twice (a rule reports one finding per resource it looked at).
   */
  expect: Record<string, Status>;
  /** Regexes each named resource's message must match. */
  message?: Record<string, RegExp>;
  /** Extra assertions on the findings. */
  assert?: (findings: RuleFinding[]) => void;
}

/**
 * What a row of each table must show: `valid`, only passes; `invalid`, a problem (fail, warn or unknown);
 * `skipped`, something in scope the rule could not honestly judge, and nothing wrong.
 */
export type RuleTableKind = "valid" | "invalid" | "skipped";

const PROBLEM: ReadonlySet<Status> = new Set(["fail", "warn", "unknown"]);

function assertKind(kind: RuleTableKind, findings: readonly RuleFinding[]): void {
  if (kind === "valid") expect(findings.every((f) => f.status === "pass")).toBe(true);
  else if (kind === "invalid") expect(findings.some((f) => PROBLEM.has(f.status))).toBe(true);
  else {
    expect(findings.some((f) => f.status === "skipped")).toBe(true);
    expect(findings.filter((f) => PROBLEM.has(f.status))).toEqual([]);
  }
}

/** Runs one row and asserts it; throws on the first mismatch. `testRule` calls it for each row. */
export function assertRuleCase<Details, Options>(
  rule: Rule<Details, Options>,
  kind: RuleTableKind,
  c: RuleCase<Options>,
): void {
  const findings = rule.check(c.facts, {
    now: new Date(c.facts.collectedAt),
    stuckAfterMs: 15 * 60_000,
    ...c.context,
  }) as RuleFinding[];
  // A second finding for a resource would hide behind the first in the per-resource `expect`: refuse it.
  const resources = findings.map((f) => f.resource);
  const repeated = [...new Set(resources.filter((r, i) => resources.indexOf(r) !== i))];
  expect(
    repeated,
    `${rule.id} reported a resource more than once: ${JSON.stringify(
      findings.filter((f) => repeated.includes(f.resource)).map((f) => [f.resource, f.status]),
    )}`,
  ).toEqual([]);
  const got = Object.fromEntries(findings.map((f) => [f.resource, f.status]));
  expect(got).toEqual(c.expect);
  assertKind(kind, findings);
  for (const [resource, re] of Object.entries(c.message ?? {})) {
    expect(findings.find((f) => f.resource === resource)?.message).toMatch(re);
  }
  for (const f of findings) {
    if (f.status === "fail" || f.status === "warn")
      expect(f.remediation, `${f.resource} needs a remediation`).toBeTruthy();
    // A skip says why, and which flag would get it judged (DESIGN: "Rules").
    if (f.status === "skipped")
      expect(f.message, `${f.resource}: a skip names the flag that would get it judged`).toMatch(/--[a-z]/);
  }
  c.assert?.(findings);
}

/**
 * ESLint-style rule tests: `valid` rows must give only passes, `invalid` rows and `skipped` rows the statuses listed.
 * Every row asserts behaviour that could fail: the exact status of every resource the rule reports on.
 */
export function testRule<Details, Options>(
  rule: Rule<Details, Options>,
  table: { valid: RuleCase<Options>[]; invalid: RuleCase<Options>[]; skipped?: RuleCase<Options>[] },
): void {
  describe(rule.id, () => {
    for (const [kind, rows] of [
      ["valid", table.valid],
      ["invalid", table.invalid],
      ["skipped", table.skipped ?? []],
    ] as const) {
      if (!rows.length && kind === "skipped") continue;
      describe(kind, () => {
        for (const c of rows) it(c.name, () => assertRuleCase(rule, kind, c));
      });
    }
  });
}
