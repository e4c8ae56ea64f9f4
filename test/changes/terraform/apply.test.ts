import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { applyChanges, plannedRoleNames as namesOf } from "../../../src/changes/apply.ts";
import { terraformChanges } from "../../../src/changes/terraform/adapter.ts";
import { type Plan, parsePlan } from "../../../src/changes/terraform/parse.ts";
import type { Facts, PlannedRole } from "../../../src/facts/types.ts";
import { ACCOUNT, facts, policy, role, VOLUMES_POLICY_ARN } from "../../support/facts.ts";

const applyPlan = (f: Facts, p: Plan) => applyChanges(f, terraformChanges(p));
const plannedRoleNames = (p: Plan) => namesOf(terraformChanges(p));

const CUSTOM = `arn:aws:iam::${ACCOUNT}:policy/ecs-volumes`;
const PROVIDER = "registry.terraform.io/hashicorp/aws";
const today = () =>
  facts([role("ecs-infra", { attached: [VOLUMES_POLICY_ARN, CUSTOM] }), role("other", { attached: [] })], {
    policies: [
      [
        CUSTOM,
        {
          ok: true,
          value: {
            arn: CUSTOM,
            name: "ecs-volumes",
            defaultVersionId: "v1",
            document: { ok: true, value: policy({ Effect: "Allow", Action: "ec2:*", Resource: "*" }) },
          },
        },
      ],
    ],
  });

/** A one-change Terraform 1.9 plan, the shape jsonplan writes (before/after objects, after_unknown leaves true). */
function plan(changes: Record<string, unknown>[], rootResources: unknown[] = []) {
  return parsePlan(
    {
      format_version: "1.2",
      terraform_version: "1.9.8",
      planned_values: { root_module: {} },
      resource_changes: changes.map((c) => ({
        mode: "managed",
        provider_name: PROVIDER,
        ...c,
        change: { after_unknown: {}, before_sensitive: {}, after_sensitive: {}, ...(c.change as object) },
      })),
      configuration: { root_module: { resources: rootResources } },
      applyable: true,
      complete: true,
      errored: false,
    },
    "plan.json",
  );
}

function rc(
  type: string,
  name: string,
  actions: string[],
  before: unknown,
  after: unknown,
  afterUnknown = {},
) {
  return {
    address: `${type}.${name}`,
    type,
    name,
    change: { actions, before, after, after_unknown: afterUnknown },
  };
}

const roleAfter = (r: PlannedRole | undefined) => {
  if (r?.after.state !== "exists") throw new Error(`expected an existing role, got ${r?.after.state}`);
  return r.after.role;
};
const arns = (r: PlannedRole | undefined) => {
  const a = roleAfter(r).attachedPolicies;
  return a.ok ? a.value.map((p) => p.arn).sort() : a.error.code;
};
const roleValues = (extra: Record<string, unknown> = {}) => ({
  name: "ecs-infra",
  arn: `arn:aws:iam::${ACCOUNT}:role/ecs-infra`,
  assume_role_policy: JSON.stringify({
    Statement: [{ Action: "sts:AssumeRole", Effect: "Allow", Principal: { Service: "ecs.amazonaws.com" } }],
    Version: "2012-10-17",
  }),
  managed_policy_arns: [CUSTOM, VOLUMES_POLICY_ARN],
  inline_policy: [{ name: "", policy: "" }],
  path: "/",
  permissions_boundary: null,
  tags: {},
  tags_all: {},
  ...extra,
});

describe("applying a plan to today's facts", () => {
  it("managed_policy_arns set by the configuration is what the role keeps ([] detaches everything)", () => {
    const p = plan(
      [rc("aws_iam_role", "infra", ["update"], roleValues(), roleValues({ managed_policy_arns: [] }))],
      [
        {
          address: "aws_iam_role.infra",
          mode: "managed",
          type: "aws_iam_role",
          name: "infra",
          expressions: { managed_policy_arns: { constant_value: [] } },
        },
      ],
    );
    expect(arns(applyPlan(today(), p).roles[0])).toEqual([]);
  });

  it("a configured managed_policy_arns with one element known only after apply (null in after, [false, true]) is unknown", () => {
    const p = plan(
      [
        rc(
          "aws_iam_role",
          "infra",
          ["update"],
          roleValues(),
          roleValues({ managed_policy_arns: [VOLUMES_POLICY_ARN, null] }),
          { managed_policy_arns: [false, true] },
        ),
      ],
      [
        {
          address: "aws_iam_role.infra",
          mode: "managed",
          type: "aws_iam_role",
          name: "infra",
          expressions: { managed_policy_arns: { references: ["aws_iam_policy.x.arn"] } },
        },
      ],
    );
    expect(arns(applyPlan(today(), p).roles[0])).toBe("KnownAfterApply");
  });

  it("managed_policy_arns the configuration leaves out is a computed copy: an update that keeps it keeps today's", () => {
    const p = plan([
      rc("aws_iam_role", "infra", ["update"], roleValues(), roleValues({ tags: { a: "b" } })),
      rc(
        "aws_iam_role_policy_attachment",
        "custom",
        ["delete"],
        { role: "ecs-infra", policy_arn: CUSTOM },
        null,
      ),
    ]);
    // The copy still lists CUSTOM; the attachment's delete wins.
    expect(arns(applyPlan(today(), p).roles[0])).toEqual([VOLUMES_POLICY_ARN]);
  });

  it("an update that changes managed_policy_arns applies it even when jsonconfig does not show it set", () => {
    // An unset Optional+Computed attribute keeps its prior value in a plan: a change means the configuration sets it.
    const p = plan([
      rc(
        "aws_iam_role",
        "infra",
        ["update"],
        roleValues(),
        roleValues({ managed_policy_arns: [CUSTOM], tags: { a: "b" } }),
      ),
    ]);
    expect(arns(applyPlan(today(), p).roles[0])).toEqual([CUSTOM]);
  });

  it("inline_policy set by a module's configuration counts; the provider's empty block is no policy", () => {
    const module = {
      address: "module.ecs.aws_iam_role.this",
      module_address: "module.ecs",
      type: "aws_iam_role",
      name: "this",
    };
    const doc = JSON.stringify(policy({ Effect: "Allow", Action: "ec2:DescribeVolumes", Resource: "*" }));
    const p = parsePlan(
      {
        format_version: "1.2",
        planned_values: {},
        resource_changes: [
          {
            ...module,
            mode: "managed",
            change: {
              actions: ["update"],
              before: roleValues(),
              after: roleValues({ inline_policy: [{ name: "describe", policy: doc }] }),
              after_unknown: {},
            },
          },
        ],
        configuration: {
          root_module: {
            module_calls: {
              ecs: {
                source: "./ecs",
                module: {
                  resources: [
                    {
                      address: "aws_iam_role.this",
                      mode: "managed",
                      type: "aws_iam_role",
                      name: "this",
                      expressions: { inline_policy: [{ name: { constant_value: "describe" } }] },
                    },
                  ],
                },
              },
            },
          },
        },
      },
      "plan.json",
    );
    const inline = roleAfter(applyPlan(today(), p).roles[0]).inlinePolicies;
    expect(inline.ok && inline.value.map((i) => i.name)).toEqual(["describe"]);
  });

  it("deleting an …_exclusive resource detaches nothing; creating one makes its list the only attachments", () => {
    const excl = (actions: string[], before: unknown, afterValue: unknown) =>
      rc("aws_iam_role_policy_attachments_exclusive", "infra", actions, before, afterValue);
    const gone = plan([excl(["delete"], { role_name: "ecs-infra", policy_arns: [CUSTOM] }, null)]);
    expect(arns(applyPlan(today(), gone).roles[0])).toEqual([VOLUMES_POLICY_ARN, CUSTOM].sort());
    const only = plan([excl(["create"], null, { role_name: "ecs-infra", policy_arns: [CUSTOM] })]);
    expect(arns(applyPlan(today(), only).roles[0])).toEqual([CUSTOM]);
  });

  it("an …_exclusive list does not keep a policy another resource of the same plan detaches (no fixed order)", () => {
    const p = plan([
      rc("aws_iam_role_policy_attachments_exclusive", "infra", ["create"], null, {
        role_name: "ecs-infra",
        policy_arns: [CUSTOM, VOLUMES_POLICY_ARN],
      }),
      rc(
        "aws_iam_role_policy_attachment",
        "volumes",
        ["delete"],
        { role: "ecs-infra", policy_arn: VOLUMES_POLICY_ARN },
        null,
      ),
    ]);
    expect(arns(applyPlan(today(), p).roles[0])).toEqual([CUSTOM]);
  });

  it("an inline policy moved to a new address (delete one, put the same name by another) may end deleted, so it counts as deleted", () => {
    const grant = JSON.stringify(policy({ Effect: "Allow", Action: "ec2:*", Resource: "*" }));
    const withInline = facts([role("ecs-infra", { attached: [], inline: { volumes: JSON.parse(grant) } })]);
    const p = plan([
      rc(
        "aws_iam_role_policy",
        "old",
        ["delete"],
        { role: "ecs-infra", name: "volumes", policy: grant },
        null,
      ),
      rc("aws_iam_role_policy", "new", ["create"], null, {
        role: "ecs-infra",
        name: "volumes",
        policy: grant,
      }),
    ]);
    const inline = roleAfter(applyPlan(withInline, p).roles[0]).inlinePolicies;
    expect(inline.ok && inline.value.map((i) => i.name)).toEqual([]);
  });

  it("forget (a removed block with destroy = false) leaves the object in AWS: nothing changes", () => {
    const p = plan([
      rc(
        "aws_iam_role_policy",
        "old",
        ["forget"],
        { role: "ecs-infra", name: "volumes", policy: "{}" },
        null,
      ),
      rc("aws_iam_role", "infra", ["forget"], roleValues(), null),
    ]);
    expect(applyPlan(today(), p).roles).toEqual([]);
  });

  it("a new aws_iam_policy document becomes the default version for the roles it is attached to today", () => {
    const doc = policy({ Effect: "Deny", Action: "ec2:DeleteVolume", Resource: "*" });
    const p = plan([
      rc(
        "aws_iam_policy",
        "volumes",
        ["update"],
        { arn: CUSTOM, name: "ecs-volumes", policy: "{}" },
        { arn: CUSTOM, name: "ecs-volumes", policy: JSON.stringify(doc, null, 2) },
      ),
    ]);
    const planned = applyPlan(today(), p);
    expect(planned.roles.map((r) => [r.name, r.changes.map((c) => c.kind)])).toEqual([
      ["ecs-infra", ["policy-document"]],
    ]);
    expect(planned.managedPolicies[CUSTOM]).toMatchObject({
      ok: true,
      value: { document: { ok: true, value: doc } },
    });
  });

  it("aws_iam_policy_attachment detaches the roles that leave its set", () => {
    const p = plan([
      rc(
        "aws_iam_policy_attachment",
        "shared",
        ["update"],
        { name: "shared", policy_arn: CUSTOM, roles: ["ecs-infra", "other"] },
        { name: "shared", policy_arn: CUSTOM, roles: ["other"] },
      ),
    ]);
    const planned = applyPlan(today(), p);
    expect(planned.roles.map((r) => r.name)).toEqual(["ecs-infra"]);
    expect(arns(planned.roles[0])).toEqual([VOLUMES_POLICY_ARN]);
  });

  it("a permissions boundary set in the plan is the role's after apply; one known only after apply is unknown", () => {
    const b = `arn:aws:iam::${ACCOUNT}:policy/boundary`;
    const set = applyPlan(
      today(),
      plan([rc("aws_iam_role", "infra", ["update"], roleValues(), roleValues({ permissions_boundary: b }))]),
    );
    expect(roleAfter(set.roles[0]).role).toMatchObject({ ok: true, value: { permissionsBoundaryArn: b } });
    expect(set.roles[0]?.changes.map((c) => c.kind)).toEqual(["boundary"]);
    const unknown = applyPlan(
      today(),
      plan([
        rc(
          "aws_iam_role",
          "infra",
          ["update"],
          roleValues(),
          roleValues({ permissions_boundary: undefined }),
          { permissions_boundary: true },
        ),
      ]),
    );
    const arn = (roleAfter(unknown.roles[0]).role as { value: { permissionsBoundaryArn: string } }).value
      .permissionsBoundaryArn;
    expect(unknown.managedPolicies[arn]).toMatchObject({ ok: false, error: { code: "KnownAfterApply" } });
  });

  it("an attachment whose policy_arn is known only after apply attaches an unknown policy, never nothing", () => {
    const p = plan([
      rc(
        "aws_iam_role_policy_attachment",
        "new",
        ["create"],
        null,
        { role: "ecs-infra" },
        { id: true, policy_arn: true },
      ),
    ]);
    const planned = applyPlan(today(), p);
    const unknownArn = (arns(planned.roles[0]) as string[]).find((a) => a.includes("known-after-apply"));
    expect(unknownArn && planned.managedPolicies[unknownArn]).toMatchObject({
      ok: false,
      error: { code: "KnownAfterApply" },
    });
  });

  it("an inline policy named by name_prefix (name known after apply) still counts with its document", () => {
    const deny = JSON.stringify(policy({ Effect: "Deny", Action: "ec2:DeleteVolume", Resource: "*" }));
    const p = plan([
      rc(
        "aws_iam_role_policy",
        "guard",
        ["create"],
        null,
        { role: "ecs-infra", name_prefix: "guard-", policy: deny },
        { id: true, name: true },
      ),
    ]);
    const inline = roleAfter(applyPlan(today(), p).roles[0]).inlinePolicies;
    expect(inline.ok && inline.value.map((i) => [i.name, i.document.ok])).toEqual([
      ["(known after apply) aws_iam_role_policy.guard", true],
    ]);
  });

  it("an attachment to a role known only after apply is unattributed (the rule reports it unknown)", () => {
    const p = plan([
      rc(
        "aws_iam_role_policy_attachment",
        "new",
        ["create"],
        null,
        { policy_arn: CUSTOM },
        { id: true, role: true },
      ),
    ]);
    const planned = applyPlan(today(), p);
    expect(planned.roles).toEqual([]);
    expect(planned.unattributed.map((c) => c.address)).toEqual(["aws_iam_role_policy_attachment.new"]);
  });

  it("a rename replaces the role: the old name is deleted, the new one created without today's attachments", () => {
    const p = plan([
      rc(
        "aws_iam_role",
        "infra",
        ["delete", "create"],
        roleValues(),
        roleValues({ name: "ecs-infra-v2", arn: undefined }),
        { arn: true },
      ),
    ]);
    const planned = applyPlan(today(), p);
    expect(planned.roles.map((r) => [r.name, r.after.state, r.changes.map((c) => c.kind)])).toEqual([
      ["ecs-infra", "deleted", ["delete-role"]],
      ["ecs-infra-v2", "exists", ["create-role"]],
    ]);
    expect(arns(planned.roles[1])).toEqual([]);
  });

  it("create_before_destroy (create, then delete) of the same name is a replacement too", () => {
    const p = plan([
      rc("aws_iam_role", "infra", ["create", "delete"], roleValues(), roleValues(), { arn: true }),
    ]);
    const [r] = applyPlan(today(), p).roles;
    expect(r?.changes.map((c) => c.kind)).toEqual(["replace-role"]);
    expect(arns(r)).toEqual([]);
  });

  it("names the roles to collect from the plan alone, policy changes reaching roles through the plan's attachments", () => {
    const p = plan([
      rc(
        "aws_iam_policy",
        "volumes",
        ["update"],
        { arn: CUSTOM, policy: "{}" },
        { arn: CUSTOM, policy: '{"Version":"2012-10-17","Statement":[]}' },
      ),
      rc(
        "aws_iam_role_policy_attachment",
        "x",
        ["no-op"],
        { role: "Batch-Infra", policy_arn: CUSTOM },
        { role: "Batch-Infra", policy_arn: CUSTOM },
      ),
      rc("aws_iam_role", "infra", ["delete"], roleValues(), null),
    ]);
    expect(plannedRoleNames(p)).toEqual(["batch-infra", "ecs-infra"]);
    // A role the plan creates is not read from IAM (it does not exist yet); its after-state comes from the plan.
    const created = plan([
      rc("aws_iam_role", "new", ["create"], null, roleValues({ name: "new-infra", arn: undefined }), {
        arn: true,
      }),
    ]);
    expect(plannedRoleNames(created)).toEqual([]);
    expect(applyPlan(today(), created).roles.map((r) => [r.name, r.after.state])).toEqual([
      ["new-infra", "exists"],
    ]);
    const delSvc = JSON.parse(
      readFileSync(new URL("fixtures/delete-service-and-role.json", import.meta.url), "utf8"),
    );
    expect(applyPlan(today(), parsePlan(delSvc, "p.json")).deletedServices).toEqual([
      {
        address: "aws_ecs_service.api",
        name: "api",
        cluster: "arn:aws:ecs:us-east-1:111122223333:cluster/prod",
      },
    ]);
  });
});
