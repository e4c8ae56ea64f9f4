import { InputError } from "../../errors.ts";

/**
 * A CloudFormation change set as DescribeChangeSet answers it (the SDK's output, or the JSON `aws cloudformation
 * describe-change-set --include-property-values --output json` prints), checked field by field into what the
 * adapter reads. Shapes: the CloudFormation API reference (DescribeChangeSet, ResourceChange, ResourceChangeDetail,
 * ResourceTargetDefinition) and botocore's cloudformation 2010-05-15 model.
 */

/** `BeforeContext` / `AfterContext`: the resource's definition (Properties, DeletionPolicy, …) before and after. */
export interface ResourceContext {
  properties: Record<string, unknown>;
  deletionPolicy?: unknown;
  updateReplacePolicy?: unknown;
}

export interface ChangeDetail {
  /** Properties, Tags, Metadata, DeletionPolicy, … */
  attribute?: string;
  /** The property's name when `attribute` is Properties. */
  name?: string;
  requiresRecreation?: string;
  evaluation?: string;
  changeSource?: string;
  causingEntity?: string;
}

export interface ResourceChange {
  /** Add, Modify, Remove, Import, Dynamic, SyncWithActual. */
  action: string;
  logicalId: string;
  physicalId?: string;
  type: string;
  /** True, False, Conditional (Modify only). */
  replacement?: string;
  /** Delete, Retain, Snapshot, ReplaceAndDelete, ReplaceAndRetain, ReplaceAndSnapshot. */
  policyAction?: string;
  scope: string[];
  details: ChangeDetail[];
  /** Undefined when not described (an Add has no before); "unreadable" when the JSON is cut short or not JSON. */
  before?: ResourceContext | "unreadable";
  after?: ResourceContext | "unreadable";
  /** A nested stack's own change set. */
  changeSetId?: string;
  /** Seen only when described without property values (CloudFormation left it out of the description with them). */
  withoutValues?: boolean;
}

export interface ChangeSet {
  name?: string;
  id?: string;
  stackName: string;
  stackId?: string;
  status?: string;
  statusReason?: string;
  executionStatus?: string;
  includesNestedStacks?: boolean;
  /** A page token left in the description: the changes after it were never read. */
  nextToken?: string;
  changes: ResourceChange[];
}

/** The marker CloudFormation puts in StatusReason when a description with property values left changes out. */
export const INCOMPLETE_VALUES_WARNING = "[WARN] --include-property-values";

type Fail = (where: string, expected: string) => never;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

const optionalString = (o: Record<string, unknown>, key: string, at: string, fail: Fail) => {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") return fail(`${at}${key}`, "a string");
  return v;
};

/** A context is a JSON string; one CloudFormation cut short ("Long values may be truncated") is unreadable. */
function context(v: unknown, at: string, fail: Fail): ResourceContext | "unreadable" | undefined {
  if (v === undefined || v === null) return undefined;
  let parsed: unknown = v;
  if (typeof v === "string") {
    try {
      parsed = JSON.parse(v);
    } catch {
      return "unreadable";
    }
  }
  if (!isObject(parsed)) return fail(at, "a JSON object of Properties, DeletionPolicy and the like");
  const properties = parsed.Properties;
  return {
    properties: isObject(properties) ? properties : {},
    ...(parsed.DeletionPolicy !== undefined ? { deletionPolicy: parsed.DeletionPolicy } : {}),
    ...(parsed.UpdateReplacePolicy !== undefined ? { updateReplacePolicy: parsed.UpdateReplacePolicy } : {}),
  };
}

function detail(d: unknown, at: string, fail: Fail): ChangeDetail {
  if (!isObject(d)) return fail(at, "an object");
  const target = isObject(d.Target) ? d.Target : {};
  const pick = (o: Record<string, unknown>, key: string, where: string) =>
    optionalString(o, key, where, fail);
  const out: ChangeDetail = {};
  const fields: [keyof ChangeDetail, string | undefined][] = [
    ["attribute", pick(target, "Attribute", `${at}.Target.`)],
    ["name", pick(target, "Name", `${at}.Target.`)],
    ["requiresRecreation", pick(target, "RequiresRecreation", `${at}.Target.`)],
    ["evaluation", pick(d, "Evaluation", `${at}.`)],
    ["changeSource", pick(d, "ChangeSource", `${at}.`)],
    ["causingEntity", pick(d, "CausingEntity", `${at}.`)],
  ];
  for (const [k, v] of fields) if (v !== undefined) out[k] = v;
  return out;
}

function resourceChange(c: unknown, at: string, fail: Fail): ResourceChange {
  if (!isObject(c)) return fail(at, "an object");
  const rc = c.ResourceChange;
  if (!isObject(rc)) return fail(`${at}.ResourceChange`, 'an object (a change of Type "Resource")');
  const where = `${at}.ResourceChange.`;
  for (const key of ["Action", "LogicalResourceId", "ResourceType"])
    if (typeof rc[key] !== "string" || !rc[key]) fail(`${where}${key}`, "a non-empty string");
  const details = rc.Details ?? [];
  if (!Array.isArray(details)) return fail(`${where}Details`, "an array");
  const scope = Array.isArray(rc.Scope) ? rc.Scope.filter((s): s is string => typeof s === "string") : [];
  const optional = (key: string) => optionalString(rc, key, where, fail);
  const out: ResourceChange = {
    action: rc.Action as string,
    logicalId: rc.LogicalResourceId as string,
    type: rc.ResourceType as string,
    scope,
    details: details.map((d, i) => detail(d, `${where}Details[${i}]`, fail)),
  };
  const physicalId = optional("PhysicalResourceId");
  if (physicalId) out.physicalId = physicalId;
  const replacement = optional("Replacement");
  if (replacement) out.replacement = replacement;
  const policyAction = optional("PolicyAction");
  if (policyAction) out.policyAction = policyAction;
  const changeSetId = optional("ChangeSetId");
  if (changeSetId) out.changeSetId = changeSetId;
  const before = context(rc.BeforeContext, `${where}BeforeContext`, fail);
  if (before) out.before = before;
  const after = context(rc.AfterContext, `${where}AfterContext`, fail);
  if (after) out.after = after;
  return out;
}

/** Reads one DescribeChangeSet answer; `where` names it in an error ("--plan cs.json", "DescribeChangeSet of X"). */
export function parseChangeSet(raw: unknown, where: string): ChangeSet {
  const fail: Fail = (at, expected) => {
    throw new InputError(`${where}: ${at}: expected ${expected}`);
  };
  if (!isObject(raw)) return fail("the JSON", "an object");
  const changes = raw.Changes ?? [];
  if (!Array.isArray(changes)) return fail("Changes", "an array");
  const text = (key: string) => optionalString(raw, key, "", fail);
  const stackName = text("StackName") ?? stackNameOf(text("StackId")) ?? "";
  if (!stackName) fail("StackName", "the stack's name (or a StackId ARN)");
  const set: ChangeSet = {
    stackName,
    changes: changes.map((c, i) => resourceChange(c, `Changes[${i}]`, fail)),
  };
  const fields: [keyof ChangeSet, string | undefined][] = [
    ["name", text("ChangeSetName")],
    ["id", text("ChangeSetId")],
    ["stackId", text("StackId")],
    ["status", text("Status")],
    ["statusReason", text("StatusReason")],
    ["executionStatus", text("ExecutionStatus")],
    ["nextToken", text("NextToken")],
  ];
  for (const [k, v] of fields) if (v !== undefined) (set as unknown as Record<string, unknown>)[k] = v;
  if (typeof raw.IncludeNestedStacks === "boolean") set.includesNestedStacks = raw.IncludeNestedStacks;
  return set;
}

/** arn:aws:cloudformation:us-east-1:111122223333:stack/NAME/uuid → NAME. */
export function stackNameOf(stackId: string | undefined): string | undefined {
  return stackId ? /:stack\/([^/]+)\//.exec(stackId)?.[1] : undefined;
}
