import { describe, expect, it } from "vitest";
import { rules } from "../../rules/index.ts";
import { evaluateFacts } from "../../src/engine/evaluate.ts";
import { countingReads, scaledFacts } from "../support/scaled-facts.ts";

/**
 * No step of evaluation may grow faster than the account: doubling the tasks, volumes and events must not much more
 * than double the reads of the facts. Counted, never timed: a quadratic scan (every volume looking through every
 * task) reads four times as much at twice the size, whatever the machine.
 */

function readsPerRule(n: number): Map<string, number> {
  const facts = scaledFacts(n);
  const perRule = new Map<string, number>();
  for (const rule of rules) {
    const counted = countingReads(facts);
    evaluateFacts(counted.value, { rules: [rule], evaluatedAt: new Date("2026-11-27T12:00:00.000Z") });
    perRule.set(rule.id, counted.reads());
  }
  return perRule;
}

describe("evaluation grows linearly with the account", () => {
  const small = readsPerRule(400);
  const large = readsPerRule(1600);
  for (const rule of rules) {
    it(`${rule.id}: 4× the tasks, volumes and events read the facts at most 4.5× as often`, () => {
      const a = small.get(rule.id) ?? 0;
      const b = large.get(rule.id) ?? 0;
      expect(a, "the rule read nothing: the count would prove nothing").toBeGreaterThan(0);
      expect(b / a).toBeLessThanOrEqual(4.5);
    });
  }
});
