import { describe, expect, it } from "vitest";
import type { Finding } from "../../src/engine/finding.ts";
import type { Status } from "../../src/engine/status.ts";
import { exitCodeFor, summarise, verdictOf } from "../../src/engine/verdict.ts";

const f = (status: Status, suppressed = false): Finding => ({
  rule: "r",
  status,
  resource: "x",
  message: "m",
  ...(suppressed ? { suppressed: { reason: "ok" } } : {}),
});

describe("verdict", () => {
  it.each<[Status[], Status]>([
    [[], "pass"],
    [["pass", "pass"], "pass"],
    [["pass", "warn"], "warn"],
    [["warn", "unknown"], "unknown"],
    [["unknown", "fail", "warn"], "fail"],
    [["fail", "pass"], "fail"],
  ])("%j → %s (fail > unknown > warn > pass)", (statuses, expected) => {
    expect(verdictOf(statuses.map((s) => f(s)))).toBe(expected);
  });

  it("ignores suppressed findings but counts them", () => {
    const findings = [f("fail", true), f("pass")];
    expect(verdictOf(findings)).toBe("pass");
    expect(summarise(findings)).toEqual({ pass: 1, warn: 0, fail: 0, unknown: 0, skipped: 0, suppressed: 1 });
  });

  it.each([
    ["pass", "fail", 0],
    ["warn", "fail", 0],
    ["warn", "warn", 1],
    ["fail", "fail", 1],
    ["fail", "warn", 1],
    ["unknown", "fail", 3],
    ["unknown", "warn", 3],
  ] as const)("verdict %s with --fail-on %s exits %i", (verdict, failOn, code) => {
    expect(exitCodeFor(verdict, failOn)).toBe(code);
  });
});
