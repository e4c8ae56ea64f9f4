import { describe, expect, it } from "vitest";
import type { Rule, RuleFinding, RuleOptions, Status } from "../../src/engine/types.ts";
import type { Facts } from "../../src/facts/types.ts";

/** One row of a rule table: a named situation, its facts, and what the rule must say about each resource. */
export interface RuleCase {
  name: string;
  facts: Facts;
  options?: Partial<RuleOptions>;
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

/** Runs one row and asserts it; throws on the first mismatch. `testRule` calls it for each row. */
export function assertRuleCase(rule: Rule, kind: "valid" | "invalid", c: RuleCase): void {
  const findings = rule.check(c.facts, {
    now: new Date(c.facts.collectedAt),
    stuckAfterMs: 15 * 60_000,
    ...c.options,
  });
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
  if (kind === "valid") expect(findings.every((f) => f.status === "pass")).toBe(true);
  else expect(findings.some((f) => f.status !== "pass")).toBe(true);
  for (const [resource, re] of Object.entries(c.message ?? {})) {
    expect(findings.find((f) => f.resource === resource)?.message).toMatch(re);
  }
  for (const f of findings) {
    if (f.status !== "pass" && f.status !== "unknown")
      expect(f.remediation, `${f.resource} needs a remediation`).toBeTruthy();
  }
  c.assert?.(findings);
}

/**
 * ESLint-style rule tests: `valid` rows must give only passes, `invalid` rows must give the statuses listed.
 * Every row asserts behaviour that could fail: the exact status of every resource the rule reports on.
 */
export function testRule(rule: Rule, table: { valid: RuleCase[]; invalid: RuleCase[] }): void {
  describe(rule.id, () => {
    for (const [kind, rows] of [
      ["valid", table.valid],
      ["invalid", table.invalid],
    ] as const) {
      describe(kind, () => {
        for (const c of rows) it(c.name, () => assertRuleCase(rule, kind, c));
      });
    }
  });
}
