import { describe, expect, it } from "vitest";
import { applyChanges } from "../../../src/changes/apply.ts";
import {
  type StackDeletionReading,
  stackDeletionList,
} from "../../../src/changes/cloudformation/stack-deletion.ts";
import type { ChangeList } from "../../../src/changes/model.ts";
import type { Fact, PlannedRole } from "../../../src/facts/types.ts";
import { ACCOUNT, facts, policy, role, VOLUMES_POLICY_ARN } from "../../support/facts.ts";
import { change, changeSet, changesOf, detail, ECS_TRUST_DOC, roleProps, STACK_ID } from "./change-sets.ts";

/**
 * A NoEcho parameter's value shows as `****` in a change set (its Parameters, and the property values that resolve
 * from it) and in DescribeStacks: the value is hidden, so whatever resolves from it is unknown (code NoEchoValue),
 * like {{changeSet:KNOWN_AFTER_APPLY}}, never compared as the literal string "****".
 */

const MASK = "****";
const GRANT = policy({
  Effect: "Allow",
  Action: ["ec2:DetachVolume", "ec2:DeleteVolume", "ec2:DescribeVolumes"],
  Resource: "*",
});
const today = () =>
  facts([role("ecs-infra", { attached: [VOLUMES_POLICY_ARN], inline: { volumes: GRANT } })]);
const apply = (list: ChangeList) => applyChanges(today(), list);

function only(list: ChangeList): PlannedRole {
  const r = apply(list).roles.find((x) => x.name === "ecs-infra");
  if (!r) throw new Error("ecs-infra is not planned");
  return r;
}
function roleAfter(r: PlannedRole) {
  if (r.after.state !== "exists") throw new Error(`ecs-infra is ${r.after.state} after`);
  return r.after.role;
}
const codeOf = (f: Fact<unknown>) => (f.ok ? "known" : f.error.code);

const modify = (
  before: Record<string, unknown>,
  afterProps: Record<string, unknown>,
  details: object[] = [],
) =>
  changesOf(
    changeSet(
      [
        change({
          action: "Modify",
          logicalId: "InfraRole",
          physicalId: "ecs-infra",
          type: "AWS::IAM::Role",
          before: roleProps(before),
          after: roleProps(afterProps),
          details,
        }),
      ],
      { Parameters: [{ ParameterKey: "Boundary", ParameterValue: MASK }] },
    ),
  );

describe("a NoEcho value (****) in a change set is unknown, never the string", () => {
  /** The boundary's placeholder ARN in the after-state, and the error it stands for. */
  const boundaryOf = (list: ChangeList) => {
    const p = apply(list);
    const r = p.roles.find((x) => x.name === "ecs-infra");
    const v = r && roleAfter(r).role;
    const arn = v?.ok && v.value.exists ? v.value.permissionsBoundaryArn : undefined;
    return { kinds: r?.changes.map((c) => c.kind), arn, fact: arn ? p.managedPolicies[arn] : undefined };
  };

  it("a PermissionsBoundary set from a NoEcho parameter is unknown, not a policy named ****", () => {
    const b = boundaryOf(modify({}, { PermissionsBoundary: MASK }, [detail("PermissionsBoundary")]));
    expect(b.kinds).toEqual(["boundary"]);
    expect(b.arn).not.toBe(MASK);
    expect(b.fact).toMatchObject({ ok: false, error: { code: "NoEchoValue", message: /NoEcho parameter/ } });
  });

  it("a boundary masked on both sides still changes when the Details name it (the hidden value may differ)", () => {
    const b = boundaryOf(
      modify({ PermissionsBoundary: MASK }, { PermissionsBoundary: MASK }, [detail("PermissionsBoundary")]),
    );
    expect(b.kinds).toEqual(["boundary"]);
    expect(b.fact).toMatchObject({ ok: false, error: { code: "NoEchoValue" } });
  });

  it("masked on both sides and not named by the Details, the boundary does not change (a tags change passes)", () => {
    const r = only(
      modify(
        { PermissionsBoundary: MASK },
        { PermissionsBoundary: MASK, Tags: [{ Key: "team", Value: "b" }] },
        [detail("Tags", "Never", "Tags")],
      ),
    );
    expect(r.changes.map((c) => c.kind)).toEqual(["tags"]);
  });

  it("a ManagedPolicyArns element from a NoEcho parameter attaches an unknown policy", () => {
    const r = only(
      modify({}, { ManagedPolicyArns: [VOLUMES_POLICY_ARN, `arn:aws:iam::${ACCOUNT}:policy/${MASK}`] }),
    );
    const attached = roleAfter(r).attachedPolicies;
    expect(attached.ok && attached.value.some((p) => p.arn.includes(MASK))).toBe(false);
    const planned = apply(modify({}, { ManagedPolicyArns: [VOLUMES_POLICY_ARN, MASK] })).managedPolicies;
    expect(Object.values(planned).map((f) => codeOf(f))).toContain("NoEchoValue");
  });

  it("a trust policy with a NoEcho value (an external id) is unknown", () => {
    const trust = {
      ...ECS_TRUST_DOC,
      Statement: [{ ...ECS_TRUST_DOC.Statement[0], Condition: { StringEquals: { "sts:ExternalId": MASK } } }],
    };
    const r = only(modify({}, { AssumeRolePolicyDocument: trust }));
    const v = roleAfter(r).role;
    expect(v.ok && v.value.exists && codeOf(v.value.trustPolicy)).toBe("NoEchoValue");
  });

  it("an inline policy whose document holds a NoEcho value is unknown; one named by it keeps no literal name", () => {
    const masked = policy({
      Effect: "Deny",
      Action: "ec2:DeleteVolume",
      Resource: `arn:aws:ec2:*:${MASK}:volume/*`,
    });
    const r = only(modify({}, { Policies: [{ PolicyName: "guard", PolicyDocument: masked }] }));
    const inline = roleAfter(r).inlinePolicies;
    expect(
      inline.ok && codeOf(inline.value.find((p) => p.name === "guard")?.document ?? { ok: true, value: 0 }),
    ).toBe("NoEchoValue");
    const named = only(modify({}, { Policies: [{ PolicyName: MASK, PolicyDocument: GRANT }] }));
    const names = roleAfter(named).inlinePolicies;
    expect(names.ok && names.value.map((p) => p.name)).not.toContain(MASK);
  });

  it("an AWS::IAM::RolePolicy naming its role from a NoEcho parameter cannot be attributed to a role", () => {
    const p = apply(
      changesOf(
        changeSet([
          change({
            action: "Add",
            logicalId: "Guard",
            type: "AWS::IAM::RolePolicy",
            after: {
              RoleName: MASK,
              PolicyName: "guard",
              PolicyDocument: policy({ Effect: "Deny", Action: "ec2:DeleteVolume", Resource: "*" }),
            },
          }),
        ]),
      ),
    );
    expect(p.roles.map((r) => r.name)).not.toContain(MASK);
    expect(p.unattributed.map((c) => c.address)).toEqual(["prod-ecs/Guard"]);
  });
});

describe("a NoEcho parameter of a stack being deleted (DescribeStacks shows ****)", () => {
  const reading = (managedPolicyArns: unknown): StackDeletionReading => ({
    stackName: "prod-ecs",
    stackId: STACK_ID,
    parameters: { PolicyName: MASK },
    resources: [
      {
        logicalId: "Guard",
        physicalId: `arn:aws:iam::${ACCOUNT}:policy/guard`,
        type: "AWS::IAM::ManagedPolicy",
      },
    ],
    template: {
      ok: true,
      value: {
        Resources: {
          Guard: {
            Type: "AWS::IAM::ManagedPolicy",
            Properties: { PolicyDocument: GRANT, Roles: managedPolicyArns },
          },
        },
      },
    },
    nested: [],
    unread: [],
  });

  it("a Roles list resolved from it names no role called ****: which roles lose the policy is unknown", () => {
    const list = stackDeletionList(reading([{ Ref: "PolicyName" }]));
    expect(list.touches.map((t) => t.role)).not.toContain(MASK);
    expect(list.touches.some((t) => typeof t.role === "symbol")).toBe(true);
  });
});
