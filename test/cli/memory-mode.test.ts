import { describe, expect, it } from "vitest";
import { sizeModeFrom } from "../../src/cli/memory-mode.ts";

describe("sizeModeFrom: when V8's memory-saving mode starts (src/cli/memory-mode.ts)", () => {
  it.each([
    [["check"], "first-request"],
    [["check", "--cluster", "prod", "--format", "json"], "first-request"],
    [["snapshot", "--out", "facts.json"], "first-request"],
    [["stop", "--cluster", "prod", "--yes"], "first-request"],
    [["wait", "--role", "ecs-infra"], "first-request"],
    [["targets", "--accounts", "org"], "first-request"],
  ] as const)("a command that reads AWS, %j: at its first request", (argv, expected) => {
    expect(sizeModeFrom(argv)).toBe(expected);
  });

  it.each([
    [["check", "--snapshot", "facts.json"]],
    [["merge", "a.json", "b.json"]],
    [["rules"]],
    [["explain", "trust-policy"]],
    [["--help"]],
    [[]],
  ] as const)("anything else, %j: at once (an offline check's peak is its snapshot's parse)", (argv) => {
    expect(sizeModeFrom(argv)).toBe("now");
  });
});
