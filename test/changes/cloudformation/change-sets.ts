import { readFileSync } from "node:fs";
import { type ChangeSetReading, changeSetChanges } from "../../../src/changes/cloudformation/adapter.ts";
import { parseChangeSet } from "../../../src/changes/cloudformation/change-set.ts";
import type { ChangeList } from "../../../src/changes/model.ts";
import { ACCOUNT, REGION, VOLUMES_POLICY_ARN } from "../../support/facts.ts";

/**
 * Change sets in DescribeChangeSet's wire shape (what the SDK answers and `aws cloudformation describe-change-set
 * --include-property-values --output json` prints; see fixtures/README.md for the sources): contexts are JSON
 * strings of {Properties, Metadata, DeletionPolicy?, UpdateReplacePolicy?}.
 */

export const STACK = "prod-ecs";
export const STACK_ID = `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/${STACK}/6f1c2a40-1b2c-11ef-9d4e-0a1b2c3d4e5f`;
export const changeSetId = (name: string, stack = STACK) =>
  `arn:aws:cloudformation:${REGION}:${ACCOUNT}:changeSet/${name}/0b4e5a8c-2d3f-4a1b-9c8d-${stack.length.toString().padStart(12, "0")}`;
export const KAA = "{{changeSet:KNOWN_AFTER_APPLY}}";

export const ECS_TRUST_DOC = {
  Statement: [{ Action: "sts:AssumeRole", Effect: "Allow", Principal: { Service: "ecs.amazonaws.com" } }],
  Version: "2012-10-17",
};

export function roleProps(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    AssumeRolePolicyDocument: ECS_TRUST_DOC,
    ManagedPolicyArns: [VOLUMES_POLICY_ARN],
    RoleName: "ecs-infra",
    ...over,
  };
}

export interface ChangeSpec {
  action: "Add" | "Modify" | "Remove" | "Import" | "Dynamic" | "SyncWithActual";
  logicalId: string;
  type: string;
  physicalId?: string;
  replacement?: "True" | "False" | "Conditional";
  policyAction?: string;
  scope?: string[];
  details?: object[];
  before?: Record<string, unknown>;
  after?: Record<string, unknown>;
  /** Context attributes beside Properties (DeletionPolicy, UpdateReplacePolicy). */
  attributes?: Record<string, unknown>;
  changeSetId?: string;
}

const context = (properties: Record<string, unknown>, spec: ChangeSpec, stack: string) =>
  JSON.stringify({
    Properties: properties,
    Metadata: { "aws:cdk:path": `${stack}/${spec.logicalId}/Resource` },
    ...spec.attributes,
  });

export function change(spec: ChangeSpec, stack = STACK): object {
  return {
    Type: "Resource",
    ResourceChange: {
      ...(spec.policyAction ? { PolicyAction: spec.policyAction } : {}),
      Action: spec.action,
      LogicalResourceId: spec.logicalId,
      ...(spec.physicalId ? { PhysicalResourceId: spec.physicalId } : {}),
      ResourceType: spec.type,
      ...(spec.replacement
        ? { Replacement: spec.replacement }
        : spec.action === "Modify"
          ? { Replacement: "False" }
          : {}),
      Scope: spec.scope ?? (spec.action === "Modify" ? ["Properties"] : []),
      Details: spec.details ?? [],
      ...(spec.changeSetId ? { ChangeSetId: spec.changeSetId } : {}),
      ...(spec.before ? { BeforeContext: context(spec.before, spec, stack) } : {}),
      ...(spec.after ? { AfterContext: context(spec.after, spec, stack) } : {}),
    },
  };
}

/** A detail as CloudFormation writes it for a property (what a description without values still has). */
export function detail(name: string, requiresRecreation = "Never", attribute = "Properties"): object {
  return {
    Target: {
      Attribute: attribute,
      ...(attribute === "Properties" ? { Name: name } : {}),
      RequiresRecreation: requiresRecreation,
    },
    Evaluation: "Static",
    ChangeSource: "DirectModification",
  };
}

export function changeSet(
  changes: object[],
  extra: Record<string, unknown> = {},
  stack = STACK,
): Record<string, unknown> {
  const name = (extra.ChangeSetName as string | undefined) ?? "preflight";
  return {
    Changes: changes,
    ChangeSetName: name,
    ChangeSetId: changeSetId(name, stack),
    StackId: stack === STACK ? STACK_ID : STACK_ID.replace(`stack/${STACK}/`, `stack/${stack}/`),
    StackName: stack,
    Parameters: [],
    CreationTime: "2026-09-14T09:12:44.318000+00:00",
    ExecutionStatus: "AVAILABLE",
    Status: "CREATE_COMPLETE",
    NotificationARNs: [],
    RollbackConfiguration: {},
    Capabilities: ["CAPABILITY_NAMED_IAM"],
    IncludeNestedStacks: false,
    ...extra,
  };
}

export function reading(
  raw: unknown,
  more: Partial<Omit<ChangeSetReading, "set" | "plain">> & { plain?: unknown } = {},
): ChangeSetReading {
  const { plain, ...rest } = more;
  return {
    set: parseChangeSet(raw, "test"),
    ...(plain ? { plain: parseChangeSet(plain, "test (without values)") } : {}),
    nested: [],
    removedStacks: [],
    unread: [],
    ...rest,
  };
}

/** One change set's ChangeList, as the adapter makes it. */
export function changesOf(raw: unknown, more: Parameters<typeof reading>[1] = {}): ChangeList {
  return changeSetChanges(reading(raw, more));
}

export function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`fixtures/${name}.json`, import.meta.url), "utf8"));
}
