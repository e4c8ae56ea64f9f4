import { describe, expect, it } from "vitest";
import { type ExistingRoleDetail, ecsTrustDecision } from "../../src/analysis/trust-access.ts";
import type { RoleFacts } from "../../src/facts/types.ts";
import { facts, role } from "../support/facts.ts";

const detailOf = (r: RoleFacts): ExistingRoleDetail => {
  if (!r.role.ok || !r.role.value.exists) throw new Error("the role exists");
  return r.role.value;
};

/** A trust policy ECS may use only from one Region's clusters: the decision turns on the facts' Region. */
const regional = {
  Version: "2012-10-17",
  Statement: [
    {
      Effect: "Allow",
      Principal: { Service: "ecs.amazonaws.com" },
      Action: "sts:AssumeRole",
      Condition: { ArnLike: { "aws:SourceArn": "arn:aws:ecs:us-east-1:*:*" } },
    },
  ],
};

describe("ecsTrustDecision (memoised per role detail, with what it was judged on)", () => {
  it("answers a second time as the first, and as a fresh evaluation of equal facts does", () => {
    const r = role("infra");
    const f = facts([r]);
    const first = ecsTrustDecision(f, detailOf(r));
    expect(first.ok && first.value.decision.decision).toBe("allow");
    expect(ecsTrustDecision(f, detailOf(r))).toBe(first);
    // Another facts object of the same Region (a changed plan's, with this role unchanged) judges the same.
    expect(ecsTrustDecision({ ...f }, detailOf(r))).toBe(first);
  });

  it("judges a detail afresh once its trust policy is another (a library caller's edit in place)", () => {
    const r = role("edited");
    const f = facts([r]);
    const detail = detailOf(r);
    const before = ecsTrustDecision(f, detail);
    expect(before.ok && before.value.decision.decision).toBe("allow");
    (detail as { trustPolicy: unknown }).trustPolicy = {
      ok: true,
      value: { Version: "2012-10-17", Statement: [] },
    };
    const after = ecsTrustDecision(f, detail);
    expect(after.ok && after.value.decision.decision).toBe("implicit-deny");
  });

  it("judges each facts object's own Region, and each role detail's own trust policy", () => {
    const r = role("regional", { trust: regional });
    const east = facts([r]);
    const west = { ...east, region: "eu-west-1" };
    const inEast = ecsTrustDecision(east, detailOf(r));
    const inWest = ecsTrustDecision(west, detailOf(r));
    expect(inEast.ok && inEast.value.decision.decision).toBe(
      east.region === "us-east-1" ? "allow" : "implicit-deny",
    );
    expect(inWest.ok && inWest.value.decision.decision).toBe("implicit-deny");
    // Asked again in the other order: each keeps its own answer.
    expect(ecsTrustDecision(east, detailOf(r))).toEqual(inEast);
    expect(ecsTrustDecision(west, detailOf(r))).toEqual(inWest);
    // A detail with another trust policy is another role's judgement, even under the same facts.
    const broken = role("broken", { trust: { Version: "2012-10-17", Statement: [] } });
    const judged = ecsTrustDecision(east, detailOf(broken));
    expect(judged.ok && judged.value.decision.decision).toBe("implicit-deny");
  });
});
