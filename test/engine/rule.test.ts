import { describe, expect, it } from "vitest";
import { rules } from "../../rules/index.ts";
import { concernIndex, judgeFindings } from "../../src/engine/evaluate.ts";
import type { Finding } from "../../src/engine/finding.ts";
import { defineRule, type RuleOptionsSchema } from "../../src/engine/rule.ts";
import { asVerdict, worseOf, worstStatus } from "../../src/engine/status.ts";
import { RULE_METRICS, totalsOf } from "../../src/engine/totals.ts";
import { facts } from "../support/facts.ts";

/** The rule contract: messages worded by id, options defaulted, totals summed by the rules that own them. */

const options: RuleOptionsSchema<{ limit: number }> = {
  configKeys: ["limit"],
  parse: (values) => ({ limit: Number(values.limit) }),
  defaults: { limit: 3 },
};

const counting = defineRule({
  meta: {
    id: "counting",
    title: "Counts",
    concern: "stopping-tasks",
    severity: "fail",
    needs: [],
    options,
    docs: { summary: "s", rationale: "r", remediation: "f" },
    snippets: {},
    messages: {
      over: (d: { n: number; limit: number }) => `${d.n} is over ${d.limit}.`,
    },
  },
  check(_facts, context) {
    return [
      { status: "fail", resource: "r1", messageId: "over", data: { n: 5, limit: context.options.limit } },
      { status: "pass", resource: "r2", message: "worded by a shared helper" },
    ];
  },
  summarize: (findings) => ({ metrics: { StuckTasks: findings.filter((f) => f.status === "fail").length } }),
});

const context = { now: new Date(0), stuckAfterMs: 1 };

describe("defineRule", () => {
  it("words a result from its message table, in a finding's usual key order, and keeps a worded one as it is", () => {
    const [over, plain] = counting.check(facts([]), context);
    expect(over).toEqual({ status: "fail", resource: "r1", message: "5 is over 3." });
    expect(Object.keys(over ?? {})).toEqual(["status", "resource", "message"]);
    expect(plain?.message).toBe("worded by a shared helper");
  });

  it("gives the rule its defaults, or the options the config parsed", () => {
    expect(counting.check(facts([]), { ...context, options: { limit: 9 } })[0]?.message).toBe("5 is over 9.");
  });

  it("keeps the metadata flat on the rule the registry holds, without the message table", () => {
    expect(counting).toMatchObject({
      id: "counting",
      concern: "stopping-tasks",
      severity: "fail",
      needs: [],
    });
    expect("messages" in counting).toBe(false);
  });
});

describe("status order", () => {
  it("fail > unknown > warn > pass, skipped ranking with pass but never over it", () => {
    expect(worstStatus(["pass", "warn", "unknown"])).toBe("unknown");
    expect(worstStatus(["skipped", "pass"])).toBe("pass");
    expect(worstStatus(["skipped"])).toBe("skipped");
    expect(worstStatus([])).toBe("pass");
    expect(worseOf("skipped", "warn")).toBe("warn");
    expect(asVerdict("skipped")).toBe("pass");
  });
});

describe("totals and concerns", () => {
  const f = (rule: string, status: Finding["status"], extra: Partial<Finding> = {}): Finding => ({
    rule,
    status,
    resource: "x",
    message: "m",
    ...extra,
  });

  it("each rule sums its own findings; every metric is declared, zero when nothing counts", () => {
    const totals = totalsOf([counting], [f("counting", "fail"), f("counting", "fail"), f("other", "fail")]);
    expect(totals.metrics.StuckTasks).toBe(2);
    expect(Object.keys(totals.metrics)).toEqual(RULE_METRICS.map((m) => m.Name));
    expect(totals.metrics.FailedTrailCalls).toBe(0);
  });

  it("a suppressed finding still counts in totals (metrics describe the account), not in the verdict", () => {
    const suppressed = f("counting", "fail", { suppressed: { reason: "known" } });
    expect(totalsOf([counting], [suppressed]).metrics.StuckTasks).toBe(1);
    expect(judgeFindings([suppressed], [counting], "fail").verdict).toBe("pass");
  });

  it("the registry's rules each name a concern", () => {
    const concernOf = concernIndex(rules);
    for (const r of rules) expect(concernOf(r.id)).toBe(r.concern);
    expect(concernOf("target-access")).toBeUndefined();
  });
});
