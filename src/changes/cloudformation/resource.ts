import type { PlannedChange } from "../../facts/types.ts";
import type { Known, RoleEffect, RoleTouch } from "../model.ts";
import type { ResourceChange } from "./change-set.ts";
import type { ValueScope } from "./values.ts";

/** What every resource handler shares: where the change is, and what CloudFormation will do with the old resource. */

export const API = "cloudformation:DescribeChangeSet";

export interface StackScope {
  /** The stack's name (a nested stack's own). */
  stack: string;
  /** The template file given with `--template`, named in each change's location. */
  template?: string;
  /** The stack's account and partition, from its ARN: a managed policy's ARN is built from them. */
  account?: string;
  partition: string;
}

export const addressOf = (stack: string, change: ResourceChange) => `${stack}/${change.logicalId}`;

export function valueScope(scope: StackScope, change: ResourceChange): ValueScope {
  return { api: API, address: addressOf(scope.stack, change), change };
}

export function planned(
  scope: StackScope,
  change: ResourceChange,
  kind: PlannedChange["kind"],
  summary: string,
): PlannedChange {
  return {
    address: addressOf(scope.stack, change),
    location: {
      format: "cloudformation",
      stack: scope.stack,
      logicalId: change.logicalId,
      ...(scope.template ? { template: scope.template } : {}),
    },
    type: change.type,
    actions: [change.action],
    kind,
    summary,
  };
}

/**
 * CloudFormation creates a replacement before it deletes the old resource, and deletes removed resources in the
 * clean-up after every add and update: a removal by the same change runs after what it adds.
 */
export function touch(
  role: Known<string>,
  change: PlannedChange,
  effect?: RoleEffect,
  createsFirst = false,
): RoleTouch {
  return { role, change, ...(effect ? { effect } : {}), ...(createsFirst ? { createsFirst: true } : {}) };
}

/** Replacement True, or Conditional (decided only while it runs: counted as a replacement). */
export function replaces(change: ResourceChange): boolean {
  return (
    change.action === "Modify" && (change.replacement === "True" || change.replacement === "Conditional")
  );
}

/** The old resource stays in AWS: a Remove with Retain, or a replacement with ReplaceAndRetain. */
export function keepsOld(change: ResourceChange): boolean {
  return change.policyAction === "Retain" || change.policyAction === "ReplaceAndRetain";
}

/** "replaces" or, for Conditional, "may replace (CloudFormation decides while it runs)". */
export function replaceVerb(change: ResourceChange): string {
  return change.replacement === "Conditional"
    ? "may replace the resource (Replacement Conditional: CloudFormation decides while it runs, so it counts as a replacement)"
    : "replaces the resource (Replacement True)";
}
