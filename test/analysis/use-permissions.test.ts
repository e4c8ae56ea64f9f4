import { describe, expect, it } from "vitest";
import { INFRASTRUCTURE_USES, infrastructureUse } from "../../src/analysis/infrastructure-uses.ts";
import { rolePolicies } from "../../src/analysis/role-policies.ts";
import { holdsUse, useAccess } from "../../src/analysis/use-access.ts";
import { judgeUse } from "../../src/analysis/use-permissions.ts";
import type { InfrastructureUseId } from "../../src/facts/types.ts";
import { deletedRole, err, facts, policy, role } from "../support/facts.ts";
import { copyWithout, referenceFor, useFacts } from "../support/use-cases.ts";

/**
 * The one per-use judgement, as a table over all six uses: the managed policy passes its own use (a test of each
 * request model), one action taken away fails naming it, a Deny the evaluator cannot decide is unknown, and a role
 * that is gone or unreadable is never a pass.
 */

const FIRST_ACTION = (use: InfrastructureUseId) => infrastructureUse(use).requirements[0]?.action as string;

describe("judgeUse, for every use", () => {
  for (const use of INFRASTRUCTURE_USES) {
    const action = FIRST_ACTION(use.id);
    describe(use.id, () => {
      it("the use's own managed policy (or the EBS minimum) attached and ECS trusted: pass", () => {
        const f = use.id === "ebs" ? facts([useEbsRole()]) : useFacts(use.id);
        expect(judgeUse(f, f.roles[0] as never, use)).toMatchObject({
          kind: "judged",
          status: "pass",
          problems: [],
        });
      });

      it(`the policy without ${action}: fail, the problem names it and the fix attaches the use's policy`, () => {
        if (use.id === "ebs") return expectEbsMissing(action);
        const f = useFacts(use.id, { attached: [], inline: { copy: copyWithout(use.id, action) } });
        const judged = judgeUse(f, f.roles[0] as never, use);
        expect(judged.kind).toBe("judged");
        if (judged.kind !== "judged") return;
        expect(judged.status).toBe("fail");
        expect(judged.problems.join(" ")).toContain(action);
        expect(judged.fixes.join("\n")).toContain(use.policy.name);
      });

      it("a Deny hinging on aws:SourceVpc: unknown", () => {
        const guard = policy({
          Effect: "Deny",
          Action: action,
          Resource: "*",
          Condition: { StringNotEquals: { "aws:SourceVpc": "vpc-1" } },
        });
        const f =
          use.id === "ebs"
            ? facts([useEbsRole({ inline: { guard } })])
            : useFacts(use.id, { inline: { guard } });
        expect(judgeUse(f, f.roles[0] as never, use)).toMatchObject({ kind: "judged", status: "unknown" });
      });

      it("a deleted role, and one whose GetRole failed", () => {
        const gone = { ...deletedRole("infra"), referencedBy: [referenceFor(use.id)] };
        expect(judgeUse(facts([gone]), gone, use)).toEqual({ kind: "deleted" });
        const f = facts([]);
        const unread = { ...gone, role: err("iam:GetRole") };
        expect(judgeUse(f, unread, use)).toMatchObject({ kind: "unreadable" });
      });
    });
  }

  it("useAccess folds every resource a statement grants an action on into one worst verdict per action", () => {
    const f = useFacts("managed-instances");
    const p = rolePolicies(f, f.roles[0] as never);
    if (!p.ok) throw new Error("unreadable");
    const verdicts = useAccess(f, p.value, infrastructureUse("managed-instances"));
    const fleet = verdicts.filter((v) => v.action === "ec2:CreateFleet");
    expect(fleet).toHaveLength(1);
    expect(fleet[0]?.sids.length).toBeGreaterThan(1);
    expect(holdsUse(f, p.value, infrastructureUse("managed-instances"))).toBe(true);
    // The Managed Instances policy does not hold the Express use.
    expect(holdsUse(f, p.value, infrastructureUse("express"))).toBe(false);
  });
});

/** An EBS role: the volumes policy the fixtures attach by default, named by a service's volume configuration. */
function useEbsRole(spec: Parameters<typeof role>[1] = {}) {
  return role("infra", { referencedBy: [referenceFor("ebs")], ...spec });
}

function expectEbsMissing(action: string) {
  const copy = policy({
    Effect: "Allow",
    Action: ["ec2:DetachVolume", "ec2:DeleteVolume", "ec2:DescribeVolumes"].filter((a) => a !== action),
    Resource: "*",
  });
  const r = useEbsRole({ attached: [], inline: { copy } });
  const judged = judgeUse(facts([r]), r, infrastructureUse("ebs"));
  expect(judged).toMatchObject({ kind: "judged", status: "fail" });
  if (judged.kind === "judged") expect(judged.problems.join(" ")).toContain(action);
}
