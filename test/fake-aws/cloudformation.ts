import { AwsError } from "./errors.ts";
import { decodeToken, effectivePageSize, encodeToken, pageOf } from "./paging.ts";
import type { QueryParams } from "./query.ts";
import { type FakeState, stableId } from "./state.ts";
import type { XmlFields, XmlValue } from "./xml.ts";

/**
 * CloudFormation (awsQuery, 2010-05-15): the reads the change gate makes. DescribeChangeSet pages its Changes with
 * NextToken and, without IncludePropertyValues, answers each change's Target with only Attribute, Name and
 * RequiresRecreation and no contexts; a change set may leave changes out of the answer with values and say so in
 * StatusReason (`[WARN] --include-property-values …`), as CloudFormation does. A missing change set is
 * ChangeSetNotFound (404); a missing stack is ValidationError "Stack with id X does not exist".
 */

export interface FakeCloudFormation {
  stacks?: FakeStack[];
  changeSets?: FakeChangeSet[];
}

export interface FakeStack {
  name: string;
  /** Default: arn:aws:cloudformation:REGION:ACCOUNT:stack/NAME/<stable id>. */
  id?: string;
  /** Default CREATE_COMPLETE. */
  status?: string;
  parameters?: Record<string, string>;
  resources?: FakeStackResource[];
  /** The template body: a string exactly as given (JSON or YAML), an object as JSON. */
  template?: string | object;
  /** A nested stack's parent stack id. */
  parentId?: string;
}

export interface FakeStackResource {
  logicalId: string;
  physicalId?: string;
  type: string;
  /** Default CREATE_COMPLETE. */
  status?: string;
}

export interface FakeChangeSet {
  name: string;
  /** The stack's name. */
  stack: string;
  /** Default: arn:aws:cloudformation:REGION:ACCOUNT:changeSet/NAME/<stable id>. */
  id?: string;
  status?: string;
  statusReason?: string;
  executionStatus?: string;
  includeNestedStacks?: boolean;
  parentChangeSetId?: string;
  /** `Changes` as the AWS CLI prints them (ResourceChange with JSON-string contexts). */
  changes: object[];
  /** Logical ids left out of the answer with property values: StatusReason is then the WARN. */
  droppedWithValues?: string[];
}

export const INCOMPLETE_WARNING =
  "[WARN] --include-property-values option can return incomplete ChangeSet data because: Logical Id: ";

const CREATED = "2026-09-14T09:12:44.318Z";

export function stackId(state: FakeState, stack: FakeStack): string {
  return (
    stack.id ??
    `arn:aws:cloudformation:${state.region}:${state.accountId}:stack/${stack.name}/${stableId("", `${state.accountId}/${stack.name}`, 8, "hex")}-1b2c-11ef-9d4e-0a1b2c3d4e5f`
  );
}

export function changeSetArn(state: FakeState, set: FakeChangeSet): string {
  return (
    set.id ??
    `arn:aws:cloudformation:${state.region}:${state.accountId}:changeSet/${set.name}/${stableId("", `${set.stack}/${set.name}`, 8, "hex")}-2d3f-4a1b-9c8d-7e6f5a4b3c2d`
  );
}

type Handler = (state: FakeState, params: QueryParams) => XmlFields;

const HANDLERS: Record<string, Handler> = {
  DescribeChangeSet: describeChangeSet,
  ListStackResources: listStackResources,
  GetTemplate: getTemplate,
  DescribeStacks: describeStacks,
};

export function handleCloudFormation(state: FakeState, action: string, params: QueryParams): XmlFields {
  const handler = HANDLERS[action];
  if (!handler)
    throw new AwsError("InvalidAction", `Could not find operation ${action} for version 2010-05-15`);
  return handler(state, params);
}

function data(state: FakeState): FakeCloudFormation {
  return state.account.cloudformation ?? {};
}

function findStack(state: FakeState, nameOrId: string | undefined): FakeStack {
  const stack = data(state).stacks?.find((s) => s.name === nameOrId || stackId(state, s) === nameOrId);
  if (!stack) throw new AwsError("ValidationError", `Stack with id ${nameOrId ?? "null"} does not exist`);
  return stack;
}

function findChangeSet(state: FakeState, params: QueryParams): FakeChangeSet {
  const wanted = params.ChangeSetName;
  if (!wanted)
    throw new AwsError(
      "ValidationError",
      "1 validation error detected: Value null at 'changeSetName' failed to satisfy constraint: Member must not be null",
    );
  const byArn = wanted.startsWith("arn:");
  const stack = params.StackName;
  const set = data(state).changeSets?.find((s) =>
    byArn
      ? changeSetArn(state, s) === wanted
      : s.name === wanted &&
        stack !== undefined &&
        (s.stack === stack ||
          data(state).stacks?.some((x) => x.name === s.stack && stackId(state, x) === stack)),
  );
  if (!set) throw new AwsError("ChangeSetNotFound", `ChangeSet [${wanted}] does not exist`, 404);
  return set;
}

/** A change as described without property values: no contexts, and each Target's Attribute, Name, RequiresRecreation only. */
function withoutValues(change: object): object {
  const rc = (change as { ResourceChange?: Record<string, unknown> }).ResourceChange ?? {};
  const { BeforeContext: _b, AfterContext: _a, ...rest } = rc;
  const details = Array.isArray(rest.Details)
    ? (rest.Details as { Target?: Record<string, unknown> }[]).map((d) => ({
        ...d,
        Target: {
          ...(d.Target?.Attribute !== undefined ? { Attribute: d.Target.Attribute } : {}),
          ...(d.Target?.Name !== undefined ? { Name: d.Target.Name } : {}),
          ...(d.Target?.RequiresRecreation !== undefined
            ? { RequiresRecreation: d.Target.RequiresRecreation }
            : {}),
        },
      }))
    : rest.Details;
  return { ...change, ResourceChange: { ...rest, ...(details ? { Details: details } : {}) } };
}

function describeChangeSet(state: FakeState, params: QueryParams): XmlFields {
  const set = findChangeSet(state, params);
  const values = params.IncludePropertyValues === "true";
  const dropped = values ? (set.droppedWithValues ?? []) : [];
  const logicalId = (c: object) =>
    (c as { ResourceChange?: { LogicalResourceId?: string } }).ResourceChange?.LogicalResourceId;
  const changes = set.changes
    .filter((c) => !dropped.includes(logicalId(c) ?? ""))
    .map((c) => (values ? c : withoutValues(c)));
  const query = { id: changeSetArn(state, set), values };
  const offset = params.NextToken ? decodeToken(params.NextToken, query) : 0;
  if (offset === undefined) throw new AwsError("ValidationError", "Invalid NextToken");
  const page = pageOf(changes, offset, effectivePageSize(undefined, 100, state.pageSize.cloudformation));
  const stack = data(state).stacks?.find((s) => s.name === set.stack);
  const reason = dropped.length
    ? `${INCOMPLETE_WARNING}${dropped.join(", ")}, failed property validation`
    : set.statusReason;
  return {
    Changes: page.items as XmlValue[],
    ChangeSetName: set.name,
    ChangeSetId: changeSetArn(state, set),
    StackId: stack
      ? stackId(state, stack)
      : `arn:aws:cloudformation:${state.region}:${state.accountId}:stack/${set.stack}/0`,
    StackName: set.stack,
    Parameters: [],
    CreationTime: CREATED,
    ExecutionStatus: set.executionStatus ?? "AVAILABLE",
    Status: set.status ?? "CREATE_COMPLETE",
    ...(reason ? { StatusReason: reason } : {}),
    NotificationARNs: [],
    RollbackConfiguration: {},
    Capabilities: ["CAPABILITY_NAMED_IAM"],
    IncludeNestedStacks: set.includeNestedStacks ?? false,
    ...(set.parentChangeSetId ? { ParentChangeSetId: set.parentChangeSetId } : {}),
    ...(page.next !== undefined ? { NextToken: encodeToken(page.next, query) } : {}),
  };
}

function listStackResources(state: FakeState, params: QueryParams): XmlFields {
  const stack = findStack(state, params.StackName);
  const query = { stack: stackId(state, stack) };
  const offset = params.NextToken ? decodeToken(params.NextToken, query) : 0;
  if (offset === undefined) throw new AwsError("ValidationError", "Invalid NextToken");
  const all = (stack.resources ?? []).map((r) => ({
    LogicalResourceId: r.logicalId,
    ...(r.physicalId ? { PhysicalResourceId: r.physicalId } : {}),
    ResourceType: r.type,
    LastUpdatedTimestamp: CREATED,
    ResourceStatus: r.status ?? "CREATE_COMPLETE",
    DriftInformation: { StackResourceDriftStatus: "NOT_CHECKED" },
  }));
  const page = pageOf(all, offset, effectivePageSize(undefined, 100, state.pageSize.cloudformation));
  return {
    StackResourceSummaries: page.items,
    ...(page.next !== undefined ? { NextToken: encodeToken(page.next, query) } : {}),
  };
}

function getTemplate(state: FakeState, params: QueryParams): XmlFields {
  const stack = findStack(state, params.StackName);
  const template = stack.template ?? { Resources: {} };
  return {
    TemplateBody: typeof template === "string" ? template : JSON.stringify(template),
    StagesAvailable: ["Original", "Processed"],
  };
}

function describeStacks(state: FakeState, params: QueryParams): XmlFields {
  const stack = findStack(state, params.StackName);
  return {
    Stacks: [
      {
        StackId: stackId(state, stack),
        StackName: stack.name,
        Parameters: Object.entries(stack.parameters ?? {}).map(([ParameterKey, ParameterValue]) => ({
          ParameterKey,
          ParameterValue,
        })),
        CreationTime: CREATED,
        StackStatus: stack.status ?? "CREATE_COMPLETE",
        DisableRollback: false,
        NotificationARNs: [],
        Tags: [],
        EnableTerminationProtection: false,
        ...(stack.parentId ? { ParentId: stack.parentId, RootId: stack.parentId } : {}),
        DriftInformation: { StackDriftStatus: "NOT_CHECKED" },
      },
    ],
  };
}
