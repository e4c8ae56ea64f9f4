import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import rule from "../../rules/planned-role-changes/index.ts";
import { applyChanges } from "../../src/changes/apply.ts";
import { terraformChanges } from "../../src/changes/terraform/adapter.ts";
import { parsePlanText } from "../../src/changes/terraform/read.ts";
import type { Facts } from "../../src/facts/types.ts";
import { validateFacts } from "../../src/snapshot/validate.ts";
import { facts, role, VOLUMES_POLICY_ARN } from "../support/facts.ts";
import { changesOf, fixture } from "./cloudformation/change-sets.ts";

const withPlan = (name: string): Facts => {
  const f = facts([role("ecs-infra", { attached: [VOLUMES_POLICY_ARN] })], {
    ecs: { clusters: { ok: true, value: [] } },
  });
  const file = `test/changes/terraform/fixtures/${name}.json`;
  return { ...f, plan: applyChanges(f, terraformChanges(parsePlanText(file, readFileSync(file)))) };
};

describe("facts with a plan applied, as a snapshot", () => {
  it.each(["delete-role", "swap-for-inline-policy", "replace-role", "after-unknown-policy", "module-nested"])(
    "%s round-trips through JSON and strict validation, and judges the same",
    (name) => {
      const f = withPlan(name);
      const back = validateFacts(JSON.parse(JSON.stringify(f)), "snap.json");
      expect(back).toEqual(f);
      const now = { now: new Date(f.collectedAt), stuckAfterMs: 900_000 };
      expect(rule.check(back, now)).toEqual(rule.check(f, now));
    },
  );

  it.each(["remove-service-and-role", "rename-role", "known-after-apply-roles", "obsolete"])(
    "a change set (%s) applied round-trips through strict validation, and judges the same",
    (name) => {
      const f0 = facts([role("ecs-infra", { attached: [VOLUMES_POLICY_ARN] })], {
        ecs: { clusters: { ok: true, value: [] } },
      });
      const f = { ...f0, plan: applyChanges(f0, changesOf(fixture(name))) };
      const back = validateFacts(JSON.parse(JSON.stringify(f)), "snap.json");
      expect(back).toEqual(f);
      const now = { now: new Date(f.collectedAt), stuckAfterMs: 900_000 };
      expect(rule.check(back, now)).toEqual(rule.check(f, now));
    },
  );

  it("refuses a plan section that is not one (validation stays strict)", () => {
    const f = JSON.parse(JSON.stringify(withPlan("delete-role")));
    f.plan.roles[0].after = { state: "gone" };
    expect(() => validateFacts(f, "snap.json")).toThrow(/snap\.json/);
    const g = JSON.parse(JSON.stringify(withPlan("delete-role")));
    g.plan.surprise = true;
    expect(() => validateFacts(g, "snap.json")).toThrow(/snap\.json/);
  });
});
