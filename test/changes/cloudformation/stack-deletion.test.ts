import { describe, expect, it } from "vitest";
import { applyChanges } from "../../../src/changes/apply.ts";
import {
  type StackDeletionReading,
  stackDeletionList,
} from "../../../src/changes/cloudformation/stack-deletion.ts";
import type { PlanFacts } from "../../../src/facts/types.ts";
import { ACCOUNT, facts, policy, role, VOLUMES_POLICY_ARN } from "../../support/facts.ts";
import { STACK, STACK_ID } from "./change-sets.ts";

/** A stack's deletion: every resource ListStackResources lists is removed, unless its DeletionPolicy keeps it. */

const GRANT = policy({ Effect: "Allow", Action: "ec2:*", Resource: "*" });
const SERVICE = `arn:aws:ecs:us-east-1:${ACCOUNT}:service/prod/api`;
const NESTED_ID = `arn:aws:cloudformation:us-east-1:${ACCOUNT}:stack/${STACK}-Storage-1X2Y/bb`;

function stack(
  resources: Record<string, unknown>,
  more: Partial<StackDeletionReading> = {},
): StackDeletionReading {
  return {
    stackName: STACK,
    stackId: STACK_ID,
    parameters: { KeepRoles: "Retain" },
    resources: [
      { logicalId: "InfraRole", physicalId: "ecs-infra", type: "AWS::IAM::Role", status: "CREATE_COMPLETE" },
      { logicalId: "KeptRole", physicalId: "kept", type: "AWS::IAM::Role", status: "UPDATE_COMPLETE" },
      {
        logicalId: "ByParameter",
        physicalId: "by-parameter",
        type: "AWS::IAM::Role",
        status: "CREATE_COMPLETE",
      },
      { logicalId: "Api", physicalId: SERVICE, type: "AWS::ECS::Service", status: "CREATE_COMPLETE" },
      { logicalId: "Gone", physicalId: "gone", type: "AWS::IAM::Role", status: "DELETE_COMPLETE" },
      {
        logicalId: "Grant",
        physicalId: "prod-Grant-1AB",
        type: "AWS::IAM::Policy",
        status: "CREATE_COMPLETE",
      },
    ],
    template: {
      ok: true,
      value: {
        Resources: {
          InfraRole: { Type: "AWS::IAM::Role", Properties: { RoleName: "ecs-infra" } },
          KeptRole: { Type: "AWS::IAM::Role", DeletionPolicy: "Retain", Properties: { RoleName: "kept" } },
          ByParameter: { Type: "AWS::IAM::Role", DeletionPolicy: { Ref: "KeepRoles" } },
          Api: { Type: "AWS::ECS::Service", Properties: {} },
          Grant: {
            Type: "AWS::IAM::Policy",
            Properties: {
              PolicyName: "grant",
              PolicyDocument: GRANT,
              Roles: [{ Ref: "InfraRole" }, "outside"],
            },
          },
          ...resources,
        },
      },
    },
    nested: [],
    unread: [],
    ...more,
  };
}

const today = () =>
  facts(
    ["ecs-infra", "kept", "by-parameter", "outside", "deep"].map((n) =>
      role(n, { attached: [VOLUMES_POLICY_ARN], inline: n === "outside" ? { grant: GRANT } : {} }),
    ),
  );
const states = (p: PlanFacts) =>
  Object.fromEntries(p.roles.map((r) => [r.name, [r.after.state, r.changes.map((c) => c.kind)]]));

describe("check --before-stack-delete: what deleting a stack does", () => {
  it("deletes each role unless DeletionPolicy (a literal or a parameter's) keeps it; resources already gone are left out", () => {
    const list = stackDeletionList(stack({}));
    expect(list.source).toMatchObject({
      format: "cloudformation",
      kind: "stack-deletion",
      stack: STACK,
      stackId: STACK_ID,
    });
    const p = applyChanges(today(), list);
    expect(states(p)).toEqual({
      "by-parameter": ["exists", ["other"]],
      "ecs-infra": ["deleted", ["delete-role", "delete-inline"]],
      kept: ["exists", ["other"]],
      outside: ["exists", ["delete-inline"]],
    });
    expect(p.deletedServices).toEqual([{ address: `${STACK}/Api`, name: "api", cluster: "prod" }]);
    expect(list.incomplete).toBeUndefined();
  });

  it("a Ref to a role of the stack resolves to its name; an intrinsic the tool cannot resolve is unknown", () => {
    const p = applyChanges(
      today(),
      stackDeletionList(
        stack({
          Grant: {
            Type: "AWS::IAM::Policy",
            Properties: {
              PolicyName: "grant",
              PolicyDocument: GRANT,
              Roles: [{ "Fn::ImportValue": "shared-role" }],
            },
          },
        }),
      ),
    );
    expect(p.unattributed.map((c) => c.address)).toEqual([`${STACK}/Grant`]);
  });

  it("a DeletionPolicy the tool cannot resolve leaves the role unknown, not deleted or kept", () => {
    const p = applyChanges(
      today(),
      stackDeletionList(
        stack({
          KeptRole: { Type: "AWS::IAM::Role", DeletionPolicy: { "Fn::If": ["Prod", "Retain", "Delete"] } },
        }),
      ),
    );
    expect(p.roles.find((r) => r.name === "kept")?.after).toMatchObject({
      state: "unknown",
      reason: expect.stringMatching(/DeletionPolicy/),
    });
  });

  it("reads nested stacks' resources too; a nested stack kept by DeletionPolicy keeps all of them", () => {
    const nested: StackDeletionReading = {
      ...stack({}),
      stackName: `${STACK}-Storage-1X2Y`,
      stackId: NESTED_ID,
      resources: [
        { logicalId: "DeepRole", physicalId: "deep", type: "AWS::IAM::Role", status: "CREATE_COMPLETE" },
      ],
      template: { ok: true, value: { Resources: { DeepRole: { Type: "AWS::IAM::Role" } } } },
    };
    const withNested = (policyOfNested?: string) =>
      stack(
        {
          Storage: {
            Type: "AWS::CloudFormation::Stack",
            ...(policyOfNested ? { DeletionPolicy: policyOfNested } : {}),
          },
        },
        {
          resources: [
            {
              logicalId: "Storage",
              physicalId: NESTED_ID,
              type: "AWS::CloudFormation::Stack",
              status: "CREATE_COMPLETE",
            },
          ],
          nested: [nested],
        },
      );
    const deleted = stackDeletionList(withNested());
    expect(deleted.source).toMatchObject({ nested: [NESTED_ID] });
    expect(states(applyChanges(today(), deleted))).toEqual({ deep: ["deleted", ["delete-role"]] });
    expect(applyChanges(today(), stackDeletionList(withNested("Retain"))).roles).toEqual([]);
  });

  it("a template that could not be read: every resource counts as deleted, and the deletion never passes", () => {
    const list = stackDeletionList(
      stack(
        {},
        {
          template: {
            ok: false,
            error: { api: "cloudformation:GetTemplate", code: "AccessDenied", message: "no" },
          },
        },
      ),
    );
    expect(list.incomplete).toMatch(/template of stack prod-ecs could not be read \(AccessDenied/);
    expect(states(applyChanges(today(), list)).kept).toEqual(["deleted", ["delete-role"]]);
  });
});
