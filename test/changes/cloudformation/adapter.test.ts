import { describe, expect, it } from "vitest";
import { applyChanges, plannedPolicyArns, plannedRoleNames } from "../../../src/changes/apply.ts";
import type { ChangeList } from "../../../src/changes/model.ts";
import type { Facts, PlanFacts, PlannedRole } from "../../../src/facts/types.ts";
import { ACCOUNT, facts, managed, policy, role, VOLUMES_POLICY_ARN } from "../../support/facts.ts";
import {
  change,
  changeSet,
  changeSetId,
  changesOf,
  detail,
  ECS_TRUST_DOC,
  fixture,
  KAA,
  reading,
  roleProps,
} from "./change-sets.ts";

/** The CloudFormation adapter, table by table: each row a change set, applied to today's ecs-infra. */

const CUSTOM = `arn:aws:iam::${ACCOUNT}:policy/ecs-volumes`;
const GRANT = policy({
  Effect: "Allow",
  Action: ["ec2:DetachVolume", "ec2:DeleteVolume", "ec2:DescribeVolumes"],
  Resource: "*",
});
const DENY = policy({ Effect: "Deny", Action: "ec2:DeleteVolume", Resource: "*" });

const today = (): Facts =>
  facts([role("ecs-infra", { attached: [VOLUMES_POLICY_ARN, CUSTOM], inline: { volumes: GRANT } })], {
    policies: [managed(CUSTOM, GRANT)],
  });

const apply = (list: ChangeList) => applyChanges(today(), list);
const only = (p: PlanFacts, name = "ecs-infra"): PlannedRole => {
  const r = p.roles.find((x) => x.name === name);
  if (!r) throw new Error(`no planned role ${name} in ${p.roles.map((x) => x.name).join(", ")}`);
  return r;
};
const roleAfter = (r: PlannedRole) => {
  if (r.after.state !== "exists") throw new Error(`expected ${r.name} to exist after, got ${r.after.state}`);
  return r.after.role;
};
const arns = (r: PlannedRole) => {
  const a = roleAfter(r).attachedPolicies;
  return a.ok ? a.value.map((p) => p.arn).sort() : a.error.code;
};
const inlineNames = (r: PlannedRole) => {
  const i = roleAfter(r).inlinePolicies;
  return i.ok ? i.value.map((p) => p.name).sort() : i.error.code;
};
const kinds = (r: PlannedRole) => r.changes.map((c) => c.kind);

const modifyRole = (before: Record<string, unknown>, afterProps: Record<string, unknown>, extra = {}) =>
  change({
    action: "Modify",
    logicalId: "InfraRole",
    physicalId: "ecs-infra",
    type: "AWS::IAM::Role",
    before: roleProps(before),
    after: roleProps(afterProps),
    ...extra,
  });

describe("AWS::IAM::Role in a change set", () => {
  it("Remove deletes the role (its physical id is the role's name); the stack's ECS service goes with it", () => {
    const p = apply(changesOf(fixture("remove-service-and-role")));
    expect(only(p).after.state).toBe("deleted");
    expect(only(p).changes[0]).toMatchObject({
      kind: "delete-role",
      address: "prod-ecs/InfraRole",
      location: { format: "cloudformation", stack: "prod-ecs", logicalId: "InfraRole" },
      type: "AWS::IAM::Role",
      actions: ["Remove"],
    });
    expect(p.deletedServices).toEqual([{ address: "prod-ecs/ApiService", name: "api", cluster: "prod" }]);
  });

  it("Remove with PolicyAction Retain deletes nothing: the role stays as it is", () => {
    const raw = changeSet([
      change({
        action: "Remove",
        logicalId: "InfraRole",
        physicalId: "ecs-infra",
        type: "AWS::IAM::Role",
        policyAction: "Retain",
        before: roleProps(),
      }),
    ]);
    const r = only(apply(changesOf(raw)));
    expect(kinds(r)).toEqual(["other"]);
    expect(arns(r)).toEqual([CUSTOM, VOLUMES_POLICY_ARN].sort());
  });

  it("Replacement True on a rename deletes the old name; the new role has only what the change set gives it", () => {
    const p = apply(changesOf(fixture("rename-role")));
    expect(only(p).after.state).toBe("deleted");
    expect(only(p).changes[0]?.summary).toMatch(/Replacement True.*replaced by ecs-infra-v2/);
    const next = only(p, "ecs-infra-v2");
    expect(kinds(next)).toEqual(["create-role"]);
    expect(arns(next)).toEqual([VOLUMES_POLICY_ARN]);
    expect(inlineNames(next)).toEqual([]);
    expect(plannedRoleNames(changesOf(fixture("rename-role")))).toEqual(["ecs-infra"]);
  });

  it("Replacement Conditional counts as a replacement; a generated new name leaves the old role deleted", () => {
    const raw = changeSet([
      change({
        action: "Modify",
        logicalId: "InfraRole",
        physicalId: "ecs-infra",
        type: "AWS::IAM::Role",
        replacement: "Conditional",
        policyAction: "ReplaceAndDelete",
        before: roleProps(),
        after: roleProps({ RoleName: undefined, Path: KAA }),
      }),
    ]);
    const r = only(apply(changesOf(raw)));
    expect(r.after.state).toBe("deleted");
    expect(r.changes[0]?.summary).toMatch(
      /Conditional.*counts as a replacement.*a role named when the change set runs/,
    );
  });

  it("ReplaceAndRetain keeps the old role, and so its tasks' permissions", () => {
    const raw = changeSet([
      modifyRole({}, { RoleName: "ecs-infra-v2" }, { replacement: "True", policyAction: "ReplaceAndRetain" }),
    ]);
    const p = apply(changesOf(raw));
    expect(kinds(only(p))).toEqual(["other"]);
    expect(arns(only(p))).toEqual([CUSTOM, VOLUMES_POLICY_ARN].sort());
    expect(only(p, "ecs-infra-v2").after.state).toBe("exists");
  });

  it("ManagedPolicyArns compared: the one that leaves is detached, the one that joins attached", () => {
    const r = only(apply(changesOf(changeSet([modifyRole({}, { ManagedPolicyArns: [CUSTOM] })]))));
    // CUSTOM is attached today from outside the stack, and joins the list: attaching it again changes nothing.
    expect(kinds(r)).toEqual(["detach", "attach"]);
    expect(arns(r)).toEqual([CUSTOM]);
    const other = `arn:aws:iam::${ACCOUNT}:policy/other`;
    const added = changesOf(changeSet([modifyRole({}, { ManagedPolicyArns: [VOLUMES_POLICY_ARN, other] })]));
    expect(plannedPolicyArns(added)).toEqual([other]);
    expect(arns(only(apply(added)))).toEqual([CUSTOM, VOLUMES_POLICY_ARN, other].sort());
  });

  it("a ManagedPolicyArns element known only after apply attaches an unknown policy, never nothing", () => {
    const p = apply(changesOf(changeSet([modifyRole({}, { ManagedPolicyArns: [VOLUMES_POLICY_ARN, KAA] })])));
    const unknown = (arns(only(p)) as string[]).find((a) => a.includes("known-after-apply"));
    expect(unknown && p.managedPolicies[unknown]).toMatchObject({
      ok: false,
      error: { code: "KnownAfterApply" },
    });
  });

  it("AssumeRolePolicyDocument and PermissionsBoundary are the role's after the change", () => {
    const tasks = {
      ...ECS_TRUST_DOC,
      Statement: [{ ...ECS_TRUST_DOC.Statement[0], Principal: { Service: "ecs-tasks.amazonaws.com" } }],
    };
    const boundary = `arn:aws:iam::${ACCOUNT}:policy/boundary`;
    const r = only(
      apply(
        changesOf(
          changeSet([modifyRole({}, { AssumeRolePolicyDocument: tasks, PermissionsBoundary: boundary })]),
        ),
      ),
    );
    expect(kinds(r)).toEqual(["trust", "boundary"]);
    expect(roleAfter(r).role).toMatchObject({
      ok: true,
      value: { trustPolicy: { ok: true, value: tasks }, permissionsBoundaryArn: boundary },
    });
  });

  it("inline Policies compared: a name that leaves is deleted, a new one put with its document", () => {
    const r = only(
      apply(
        changesOf(
          changeSet([
            modifyRole(
              { Policies: [{ PolicyName: "volumes", PolicyDocument: GRANT }] },
              { Policies: [{ PolicyName: "guard", PolicyDocument: JSON.stringify(DENY) }] },
            ),
          ]),
        ),
      ),
    );
    expect(kinds(r)).toEqual(["delete-inline", "put-inline"]);
    expect(inlineNames(r)).toEqual(["guard"]);
    const inline = roleAfter(r).inlinePolicies;
    expect(inline.ok && inline.value[0]?.document).toEqual({ ok: true, value: DENY });
  });

  it("a policy document holding {{changeSet:KNOWN_AFTER_APPLY}} anywhere is unknown (an unknown Resource could deny)", () => {
    const doc = policy({ Effect: "Deny", Action: "ec2:DeleteVolume", Resource: KAA });
    const r = only(
      apply(
        changesOf(changeSet([modifyRole({}, { Policies: [{ PolicyName: "guard", PolicyDocument: doc }] })])),
      ),
    );
    const inline = roleAfter(r).inlinePolicies;
    expect(inline.ok && inline.value.find((p) => p.name === "guard")?.document).toMatchObject({
      ok: false,
      error: { code: "KnownAfterApply" },
    });
  });

  it("a tags-only modification changes nothing ECS needs", () => {
    const r = only(apply(changesOf(fixture("tags-only"))));
    expect(kinds(r)).toEqual(["tags"]);
    expect(arns(r)).toEqual([CUSTOM, VOLUMES_POLICY_ARN].sort());
  });

  it("a Modify described without values: each access property the Details name is unknown; Tags alone pass", () => {
    const raw = changeSet([
      change({
        action: "Modify",
        logicalId: "InfraRole",
        physicalId: "ecs-infra",
        type: "AWS::IAM::Role",
        details: [detail("ManagedPolicyArns")],
      }),
    ]);
    expect(arns(only(apply(changesOf(raw))))).toBe("KnownAfterApply");
    const tags = changeSet([
      change({
        action: "Modify",
        logicalId: "InfraRole",
        physicalId: "ecs-infra",
        type: "AWS::IAM::Role",
        scope: ["Tags"],
        details: [detail("Tags", "Never", "Tags")],
      }),
    ]);
    expect(kinds(only(apply(changesOf(tags))))).toEqual(["tags"]);
  });

  it("Action Dynamic on a role is unknown: CloudFormation decides only while it runs", () => {
    const raw = changeSet([
      change({ action: "Dynamic", logicalId: "InfraRole", physicalId: "ecs-infra", type: "AWS::IAM::Role" }),
    ]);
    expect(only(apply(changesOf(raw))).after).toMatchObject({
      state: "unknown",
      reason: expect.stringMatching(/Action Dynamic/),
    });
  });

  it("a role CloudFormation names itself (no RoleName) is new: nothing can hold it yet, so it is not judged", () => {
    const raw = changeSet([
      change({
        action: "Add",
        logicalId: "NewRole",
        type: "AWS::IAM::Role",
        after: roleProps({ RoleName: undefined }),
      }),
    ]);
    expect(apply(changesOf(raw)).roles).toEqual([]);
  });
});

describe("the policy resources that name roles", () => {
  const iamPolicy = (action: "Add" | "Modify" | "Remove", before?: object, afterProps?: object, extra = {}) =>
    change({
      action,
      logicalId: "InfraRoleDefaultPolicy",
      physicalId: "prod-e-Infra-1A2B3C",
      type: "AWS::IAM::Policy",
      ...(before ? { before: before as Record<string, unknown> } : {}),
      ...(afterProps ? { after: afterProps as Record<string, unknown> } : {}),
      ...extra,
    });

  it("AWS::IAM::Policy: a role leaving its Roles loses the inline policy; one joining gets it", () => {
    const before = { PolicyName: "volumes", PolicyDocument: GRANT, Roles: ["ecs-infra"] };
    const r = only(
      apply(changesOf(changeSet([iamPolicy("Modify", before, { ...before, Roles: ["other"] })]))),
    );
    expect(kinds(r)).toEqual(["delete-inline"]);
    expect(inlineNames(r)).toEqual([]);
  });

  it("AWS::IAM::Policy Remove deletes the inline policy from each role; with Retain nothing", () => {
    const before = { PolicyName: "volumes", PolicyDocument: GRANT, Roles: ["ecs-infra"] };
    expect(inlineNames(only(apply(changesOf(changeSet([iamPolicy("Remove", before)])))))).toEqual([]);
    expect(
      apply(changesOf(changeSet([iamPolicy("Remove", before, undefined, { policyAction: "Retain" })]))).roles,
    ).toEqual([]);
  });

  it("AWS::IAM::RolePolicy Add puts its document on the role it names", () => {
    const raw = changeSet([
      change({
        action: "Add",
        logicalId: "Guard",
        type: "AWS::IAM::RolePolicy",
        after: { RoleName: "ecs-infra", PolicyName: "guard", PolicyDocument: DENY },
      }),
    ]);
    const r = only(apply(changesOf(raw)));
    expect(inlineNames(r)).toEqual(["guard", "volumes"]);
  });

  it("a removal and an add of the same inline policy by two resources: removals run last, so it counts as deleted", () => {
    const before = { PolicyName: "volumes", PolicyDocument: GRANT, Roles: ["ecs-infra"] };
    const raw = changeSet([
      iamPolicy("Remove", before),
      change({ action: "Add", logicalId: "Moved", type: "AWS::IAM::Policy", after: before }),
    ]);
    expect(inlineNames(only(apply(changesOf(raw))))).toEqual([]);
  });

  it("Roles known only after apply: a Deny cannot be attributed (unknown); a policy that only allows takes nothing away", () => {
    const p = apply(changesOf(fixture("known-after-apply-roles")));
    expect(p.roles).toEqual([]);
    expect(p.unattributed.map((c) => c.address)).toEqual(["prod-ecs/GuardPolicy"]);
  });

  it("AWS::IAM::ManagedPolicy (physical id: its ARN): a new PolicyDocument is the default version for every role it reaches", () => {
    const props = { ManagedPolicyName: "ecs-volumes", PolicyDocument: GRANT, Roles: [] };
    const raw = changeSet([
      change({
        action: "Modify",
        logicalId: "Volumes",
        physicalId: CUSTOM,
        type: "AWS::IAM::ManagedPolicy",
        before: props,
        after: { ...props, PolicyDocument: DENY },
      }),
    ]);
    const p = apply(changesOf(raw));
    // Attached to ecs-infra today (not through the stack): the new version reaches it all the same.
    expect(kinds(only(p))).toEqual(["policy-document"]);
    expect(p.managedPolicies[CUSTOM]).toMatchObject({
      ok: true,
      value: { document: { ok: true, value: DENY } },
    });
  });

  it("AWS::IAM::ManagedPolicy Remove deletes the policy and detaches it from its Roles", () => {
    const props = { ManagedPolicyName: "ecs-volumes", PolicyDocument: GRANT, Roles: ["ecs-infra"] };
    const p = apply(
      changesOf(
        changeSet([
          change({
            action: "Remove",
            logicalId: "Volumes",
            physicalId: CUSTOM,
            type: "AWS::IAM::ManagedPolicy",
            before: props,
          }),
        ]),
      ),
    );
    expect(arns(only(p))).toEqual([VOLUMES_POLICY_ARN]);
    expect(p.managedPolicies[CUSTOM]).toMatchObject({ ok: false, error: { code: "NoSuchEntity" } });
  });

  it("a new AWS::IAM::ManagedPolicy attached to the role is judged by its document (its ARN built from name and account)", () => {
    const raw = changeSet([
      change({
        action: "Add",
        logicalId: "Guard",
        type: "AWS::IAM::ManagedPolicy",
        after: { ManagedPolicyName: "guard", PolicyDocument: DENY, Roles: ["ecs-infra"] },
      }),
    ]);
    const list = changesOf(raw);
    // It does not exist yet: there is nothing to read from IAM.
    expect(plannedPolicyArns(list)).toEqual([]);
    const p = apply(list);
    const arn = `arn:aws:iam::${ACCOUNT}:policy/guard`;
    expect(arns(only(p))).toContain(arn);
    expect(p.managedPolicies[arn]).toMatchObject({
      ok: true,
      value: { document: { ok: true, value: DENY } },
    });
  });

  it("a policy resource described without values: the roles it reaches are not known", () => {
    const raw = changeSet([
      change({
        action: "Modify",
        logicalId: "Volumes",
        physicalId: CUSTOM,
        type: "AWS::IAM::ManagedPolicy",
        details: [detail("PolicyDocument")],
      }),
    ]);
    const p = apply(changesOf(raw));
    expect(p.unattributed).toHaveLength(1);
    expect(p.managedPolicies[CUSTOM]).toMatchObject({ ok: false, error: { code: "KnownAfterApply" } });
  });
});

describe("a change set that is not whole never passes", () => {
  it.each([
    ["Status FAILED", fixture("failed-no-changes"), /is FAILED.*didn't contain changes/],
    ["ExecutionStatus OBSOLETE", fixture("obsolete"), /ExecutionStatus OBSOLETE.*stack changed/],
    [
      "ExecutionStatus UNAVAILABLE",
      { ...fixture("detach-managed-policy"), ExecutionStatus: "UNAVAILABLE" },
      /ExecutionStatus UNAVAILABLE/,
    ],
    [
      "still being created",
      { ...fixture("detach-managed-policy"), Status: "CREATE_IN_PROGRESS" },
      /CREATE_IN_PROGRESS/,
    ],
    [
      "the WARN of --include-property-values, not merged (a file)",
      {
        ...fixture("detach-managed-policy"),
        StatusReason:
          "[WARN] --include-property-values option can return incomplete ChangeSet data because: Logical Id: Queue, failed property validation",
      },
      /may leave changes out/,
    ],
    ["saved with a NextToken", { ...fixture("detach-managed-policy"), NextToken: "AAAA" }, /NextToken/],
    [
      "no Status (a trimmed file)",
      { ...fixture("detach-managed-policy"), Status: undefined },
      /has no Status, so whether it is complete/,
    ],
    [
      "no ExecutionStatus",
      { ...fixture("detach-managed-policy"), ExecutionStatus: undefined },
      /has no ExecutionStatus, so/,
    ],
    [
      "neither (only the Changes kept)",
      { ...fixture("detach-managed-policy"), Status: undefined, ExecutionStatus: undefined },
      /has no Status and ExecutionStatus/,
    ],
    ["still pending", { ...fixture("detach-managed-policy"), Status: "CREATE_PENDING" }, /CREATE_PENDING/],
    [
      "another command's output (describe-change-set-hooks: ChangeSetId, Hooks, Status PLANNED)",
      {
        ChangeSetId: fixture("detach-managed-policy").ChangeSetId,
        ChangeSetName: "preflight",
        StackId: fixture("detach-managed-policy").StackId,
        StackName: "prod-ecs",
        Hooks: [],
        Status: "PLANNED",
      },
      /has no ExecutionStatus/,
    ],
    [
      "no StackId or ChangeSetId (its account and Region unknown)",
      { ...fixture("detach-managed-policy"), StackId: undefined, ChangeSetId: undefined },
      /has no StackId or ChangeSetId, so its account and Region are not known/,
    ],
  ])("%s is incomplete", (_, raw, why) => {
    expect(changesOf(raw).incomplete).toMatch(why);
  });

  it("a CREATE_COMPLETE, AVAILABLE change set is complete", () => {
    expect(changesOf(fixture("detach-managed-policy")).incomplete).toBeUndefined();
  });
});

describe("the WARN merge and nested stacks", () => {
  const warn =
    "[WARN] --include-property-values option can return incomplete ChangeSet data because: Logical Id: InfraRole, failed property validation";
  const roleChange = change({
    action: "Modify",
    logicalId: "InfraRole",
    physicalId: "ecs-infra",
    type: "AWS::IAM::Role",
    details: [detail("ManagedPolicyArns")],
  });

  it("a change seen only without values is put back: a Modify of a role's access is unknown, a Remove is judged", () => {
    const detailed = changeSet([], { StatusReason: warn });
    const list = changesOf(detailed, { plain: changeSet([roleChange]) });
    expect(list.incomplete).toBeUndefined();
    expect(arns(only(apply(list)))).toBe("KnownAfterApply");
    const removed = change({
      action: "Remove",
      logicalId: "InfraRole",
      physicalId: "ecs-infra",
      type: "AWS::IAM::Role",
    });
    expect(only(apply(changesOf(detailed, { plain: changeSet([removed]) }))).after.state).toBe("deleted");
  });

  it("a change seen only without values that cannot touch a role changes nothing", () => {
    const queue = change({
      action: "Modify",
      logicalId: "Queue",
      physicalId: "https://sqs/q",
      type: "AWS::SQS::Queue",
      details: [detail("QueueName", "Always")],
    });
    const list = changesOf(changeSet([], { StatusReason: warn }), { plain: changeSet([queue]) });
    expect(list.touches).toEqual([]);
  });

  it("a nested stack's change set is read as its own stack; one not described is unknown", () => {
    const nestedId = changeSetId("preflight-Nested", "prod-ecs-Storage-1X2Y");
    const root = changeSet(
      [
        change({
          action: "Modify",
          logicalId: "Storage",
          physicalId: "arn:aws:cloudformation:us-east-1:111122223333:stack/prod-ecs-Storage-1X2Y/aa",
          type: "AWS::CloudFormation::Stack",
          changeSetId: nestedId,
        }),
      ],
      { IncludeNestedStacks: true },
    );
    const child = changeSet(
      [modifyRole({}, { ManagedPolicyArns: [] })],
      { ChangeSetId: nestedId, ChangeSetName: "preflight-Nested" },
      "prod-ecs-Storage-1X2Y",
    );
    const p = apply(changesOf(root, { nested: [reading(child)] }));
    expect(only(p).changes[0]?.address).toBe("prod-ecs-Storage-1X2Y/InfraRole");
    expect(arns(only(p))).toEqual([CUSTOM]);
    const missing = apply(changesOf(root));
    expect(missing.unattributed[0]?.summary).toMatch(/own change set .* was not described/);
  });

  it("a nested stack changed by a change set without nested stacks is unknown", () => {
    const root = changeSet([
      change({
        action: "Modify",
        logicalId: "Storage",
        physicalId: "arn:aws:cloudformation:us-east-1:111122223333:stack/x/aa",
        type: "AWS::CloudFormation::Stack",
      }),
    ]);
    expect(apply(changesOf(root)).unattributed[0]?.summary).toMatch(/--include-nested-stacks/);
  });
});

describe("reading the JSON the AWS CLI prints", () => {
  it("refuses a change with a field it needs missing, naming it", () => {
    const raw = changeSet([
      { Type: "Resource", ResourceChange: { Action: "Remove", ResourceType: "AWS::IAM::Role" } },
    ]);
    expect(() => changesOf(raw)).toThrow(
      /Changes\[0\]\.ResourceChange\.LogicalResourceId: expected a non-empty string/,
    );
  });

  it("a context CloudFormation cut short is unreadable, so the change is judged as described without values", () => {
    const raw = fixture("detach-managed-policy") as {
      Changes: { ResourceChange: { AfterContext: string } }[];
    };
    const cut = structuredClone(raw);
    const rc = cut.Changes[0]?.ResourceChange;
    if (rc) rc.AfterContext = rc.AfterContext.slice(0, 40);
    expect(arns(only(apply(changesOf(cut))))).toBe("KnownAfterApply");
  });
});

describe("AWS::ECS::Service adds and modifies in a change set (deployedServices)", () => {
  const svc = (action: "Add" | "Modify" | "Remove", details: object[] = []) =>
    change({
      action,
      logicalId: "ApiService",
      physicalId: action === "Add" ? undefined : "api",
      type: "AWS::ECS::Service",
      details,
    });
  const deployed = (c: object) => apply(changesOf(changeSet([c]))).deployedServices ?? [];

  it("an Add, a Modify of LoadBalancers and a Modify naming no property may set a load balancer", () => {
    expect(deployed(svc("Add"))).toEqual(["prod-ecs/ApiService"]);
    expect(deployed(svc("Modify", [detail("LoadBalancers")]))).toEqual(["prod-ecs/ApiService"]);
    expect(deployed(svc("Modify", []))).toEqual(["prod-ecs/ApiService"]);
  });

  it("a Modify of DesiredCount only, or a Remove, sets none", () => {
    expect(deployed(svc("Modify", [detail("DesiredCount")]))).toEqual([]);
    expect(deployed(svc("Remove"))).toEqual([]);
  });
});
