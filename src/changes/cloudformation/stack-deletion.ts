import { parseArn } from "../../arn/arn.ts";
import type { Fact, FactError } from "../../facts/types.ts";
import type { ChangeList } from "../model.ts";
import { UNKNOWN } from "../model.ts";
import type { ResourceChange } from "./change-set.ts";
import { API, planned, type StackScope, touch } from "./resource.ts";
import { addStackChanges, emptyStackChanges, type StackChanges, stackChanges } from "./resources.ts";
import { UNRESOLVED_VALUE } from "./values.ts";

/**
 * A stack's deletion (`check --before-stack-delete`). DeleteStack makes no change set: what it removes is every
 * resource ListStackResources lists (nested stacks' too), each deleted unless the template's DeletionPolicy keeps
 * it. Each resource becomes a Remove with its template properties as the before-context, so the change set's
 * handlers judge it; a property the tool cannot resolve from the template reads UNRESOLVED (then unknown).
 */

export interface StackResourceSummary {
  logicalId: string;
  physicalId?: string;
  type: string;
  status?: string;
}

export interface StackDeletionReading {
  stackName: string;
  stackId: string;
  /** DescribeStacks' Parameters, by key: a DeletionPolicy or a property may Ref one. */
  parameters: Record<string, string>;
  /** ListStackResources, every page. */
  resources: StackResourceSummary[];
  /** GetTemplate's body as an object (JSON or YAML read), or why it could not be read. */
  template: Fact<unknown>;
  nested: StackDeletionReading[];
  unread: { id: string; error: FactError }[];
}

type Resolve = (v: unknown) => unknown;

/** The intrinsic functions a deletion needs to name roles and policies; anything else is UNRESOLVED. */
function resolver(reading: StackDeletionReading): Resolve {
  const arn = parseArn(reading.stackId);
  const pseudo: Record<string, string | undefined> = {
    "AWS::AccountId": arn?.account,
    "AWS::Region": arn?.region,
    "AWS::Partition": arn?.partition,
    "AWS::StackName": reading.stackName,
    "AWS::StackId": reading.stackId,
  };
  const byLogicalId = new Map(reading.resources.map((r) => [r.logicalId, r]));
  const ref = (name: string): string | undefined =>
    pseudo[name] ?? reading.parameters[name] ?? byLogicalId.get(name)?.physicalId;
  const resolve: Resolve = (v) => {
    if (Array.isArray(v)) return v.map(resolve);
    if (typeof v !== "object" || v === null) return v;
    const entries = Object.entries(v);
    const [fn, arg] = entries[0] ?? [];
    if (entries.length === 1 && fn === "Ref")
      return (typeof arg === "string" && ref(arg)) || UNRESOLVED_VALUE;
    if (entries.length === 1 && fn === "Fn::Sub" && typeof arg === "string")
      return arg.replace(/\$\{([^}!]+)\}/g, (_, name: string) => ref(name) ?? UNRESOLVED_VALUE);
    if (entries.length === 1 && fn === "Fn::Join" && Array.isArray(arg) && Array.isArray(arg[1])) {
      const parts = (arg[1] as unknown[]).map(resolve);
      return parts.every((p) => typeof p === "string") ? parts.join(String(arg[0])) : UNRESOLVED_VALUE;
    }
    if (entries.length === 1 && (fn?.startsWith("Fn::") || fn === "Condition")) return UNRESOLVED_VALUE;
    return Object.fromEntries(entries.map(([k, x]) => [k, resolve(x)]));
  };
  return resolve;
}

/** DeletionPolicy as DeleteStack applies it: Retain and RetainExceptOnCreate keep the resource. */
function policyAction(value: unknown, resolve: Resolve): string | undefined {
  const v = resolve(value ?? "Delete");
  if (v === "Retain" || v === "RetainExceptOnCreate") return "Retain";
  if (v === "Delete" || v === "Snapshot") return "Delete";
  return undefined;
}

const GONE = new Set(["DELETE_COMPLETE", "DELETE_SKIPPED"]);

function removal(reading: StackDeletionReading, r: StackResourceSummary, resolve: Resolve): ResourceChange {
  const resources = (
    reading.template.ok ? (reading.template.value as { Resources?: unknown }).Resources : undefined
  ) as Record<string, { Properties?: unknown; DeletionPolicy?: unknown }> | undefined;
  const definition = resources?.[r.logicalId];
  const action = definition ? policyAction(definition.DeletionPolicy, resolve) : "Delete";
  return {
    action: "Remove",
    logicalId: r.logicalId,
    ...(r.physicalId ? { physicalId: r.physicalId } : {}),
    type: r.type,
    ...(action ? { policyAction: action } : {}),
    scope: [],
    details: [],
    before: { properties: (resolve(definition?.Properties ?? {}) as Record<string, unknown>) ?? {} },
  };
}

/** What deleting one stack (and its nested stacks) does. */
export function stackDeletionChanges(reading: StackDeletionReading): StackChanges {
  const out = emptyStackChanges();
  const arn = parseArn(reading.stackId);
  const scope: StackScope = {
    stack: reading.stackName,
    ...(arn?.account ? { account: arn.account } : {}),
    partition: arn?.partition ?? "aws",
  };
  if (!reading.template.ok)
    out.incomplete.push(
      `the template of stack ${reading.stackName} could not be read (${reading.template.error.code}: ${reading.template.error.message}), so which resources DeletionPolicy keeps is not known`,
    );
  const resolve = resolver(reading);
  const removals: ResourceChange[] = [];
  for (const r of reading.resources) {
    if (r.status && GONE.has(r.status)) continue;
    const change = removal(reading, r, resolve);
    // A DeletionPolicy the tool cannot resolve: whether the resource stays is not known.
    if (
      !change.policyAction &&
      (r.type.startsWith("AWS::IAM::") || r.type === "AWS::CloudFormation::Stack")
    ) {
      out.touches.push(
        touch(
          r.type === "AWS::IAM::Role" ? (r.physicalId ?? UNKNOWN) : UNKNOWN,
          planned(scope, change, "other", "has a DeletionPolicy the tool cannot resolve from the template"),
          {
            kind: "undescribed",
            reason: `${reading.stackName}/${r.logicalId}: its DeletionPolicy could not be resolved from the template`,
          },
        ),
      );
      continue;
    }
    removals.push(change.policyAction ? change : { ...change, policyAction: "Delete" });
  }
  const unread = new Map(reading.unread.map((u) => [u.id, u.error]));
  addStackChanges(
    out,
    stackChanges(scope, removals, (change) => {
      const error = unread.get(change.physicalId ?? "");
      if (error)
        out.incomplete.push(
          `nested stack ${change.physicalId}: ${error.api} failed with ${error.code}: ${error.message}`,
        );
      const nested = reading.nested.find((n) => n.stackId === change.physicalId);
      return nested ? stackDeletionChanges(nested) : undefined;
    }),
  );
  return out;
}

export function stackDeletionList(reading: StackDeletionReading): ChangeList {
  const changes = stackDeletionChanges(reading);
  const nestedIds = (r: StackDeletionReading): string[] =>
    r.nested.flatMap((n) => [n.stackId, ...nestedIds(n)]);
  return {
    source: {
      format: "cloudformation",
      kind: "stack-deletion",
      stack: reading.stackName,
      stackId: reading.stackId,
      nested: nestedIds(reading),
    },
    ...(changes.incomplete.length ? { incomplete: changes.incomplete.join("; ") } : {}),
    api: API,
    touches: changes.touches,
    policies: changes.policies,
    reach: changes.reach,
    deletedServices: changes.deletedServices,
    deployedServices: changes.deployedServices,
  };
}
