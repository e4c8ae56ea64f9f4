import { describe, expect, it } from "vitest";
import type { RuleFinding } from "../../src/engine/finding.ts";
import { defineRule } from "../../src/engine/rule.ts";
import { facts, role } from "./facts.ts";
import { assertRuleCase } from "./rule-tester.ts";

/** The rule-table helper must not let a rule's second finding for a resource hide behind its first. */

const ROLE = "arn:aws:iam::111122223333:role/infra";
const reporting = (...findings: RuleFinding[]) =>
  defineRule({
    meta: {
      id: "fake-rule",
      title: "Fake",
      concern: "stopping-tasks",
      severity: "fail",
      needs: [],
      docs: { summary: "s", rationale: "r", remediation: "f" },
      snippets: {},
    },
    check: () => findings,
  });
const finding = (status: RuleFinding["status"]): RuleFinding => ({
  status,
  resource: ROLE,
  message: `${status} message`,
  remediation: "fix it",
});
const row = (expected: RuleFinding["status"]) => ({
  name: "row",
  facts: facts([role("infra")]),
  expect: { [ROLE]: expected },
});

describe("assertRuleCase", () => {
  it("accepts one finding per resource", () => {
    expect(() => assertRuleCase(reporting(finding("fail")), "invalid", row("fail"))).not.toThrow();
  });

  it.each([
    ["a pass hidden behind a fail", ["pass", "fail"], "fail"],
    ["a fail hidden behind a pass", ["fail", "pass"], "pass"],
    ["the same status twice", ["fail", "fail"], "fail"],
  ] as const)("fails a rule that reports one resource twice: %s", (_name, statuses, last) => {
    const rule = reporting(...statuses.map(finding));
    expect(() => assertRuleCase(rule, "invalid", row(last))).toThrow(
      /fake-rule reported a resource more than once: \[\["arn:aws:iam::111122223333:role\/infra"/,
    );
  });

  it("accepts a skipped row that names the flag that would get it judged", () => {
    const skip = {
      ...finding("skipped"),
      message: "nobody known deploys with it: name one with --principal",
    };
    expect(() => assertRuleCase(reporting(skip), "skipped", row("skipped"))).not.toThrow();
  });

  it("refuses a skip that does not say which flag would get it judged", () => {
    expect(() => assertRuleCase(reporting(finding("skipped")), "skipped", row("skipped"))).toThrow(
      /a skip names the flag that would get it judged/,
    );
  });

  it("refuses a skipped row with a problem in it, and a skip in an invalid row", () => {
    const skip = { ...finding("skipped"), message: "name one with --principal" };
    expect(() => assertRuleCase(reporting(finding("fail")), "skipped", row("fail"))).toThrow();
    expect(() => assertRuleCase(reporting(skip), "invalid", row("skipped"))).toThrow();
  });
});
