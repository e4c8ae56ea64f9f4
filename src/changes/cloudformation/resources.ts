import { parseArn, shortName } from "../../arn/arn.ts";
import type { PlanFacts } from "../../facts/types.ts";
import type { PolicyChange, PolicyReach, RoleTouch } from "../model.ts";
import { UNKNOWN } from "../model.ts";
import type { ResourceChange } from "./change-set.ts";
import { inlinePolicyTouches, managedPolicyTouches } from "./policies.ts";
import { addressOf, keepsOld, planned, replaces, type StackScope, touch } from "./resource.ts";
import { roleTouches } from "./role.ts";

/**
 * One stack's resource changes in the change model, whatever asked for them (a change set, a stack's deletion):
 * each resource type that changes a role to its handler, ECS services that go away, and nested stacks to whoever
 * read them.
 */

export interface StackChanges {
  touches: RoleTouch[];
  policies: PolicyChange[];
  reach: PolicyReach[];
  deletedServices: PlanFacts["deletedServices"];
  /** ECS services the change adds or modifies (PlanFacts.deployedServices). */
  deployedServices: string[];
  /** Why part of the stack could not be read (a nested stack's change set that was not described): never a pass. */
  incomplete: string[];
}

export const emptyStackChanges = (): StackChanges => ({
  touches: [],
  policies: [],
  reach: [],
  deletedServices: [],
  deployedServices: [],
  incomplete: [],
});

export function addStackChanges(into: StackChanges, more: StackChanges): void {
  into.touches.push(...more.touches);
  into.policies.push(...more.policies);
  into.reach.push(...more.reach);
  into.deletedServices.push(...more.deletedServices);
  into.deployedServices.push(...more.deployedServices);
  into.incomplete.push(...more.incomplete);
}

/** A nested stack's own changes, told by the reader: its change set (or, for one removed, its deletion). */
export type NestedChanges = (change: ResourceChange) => StackChanges | undefined;

/** An ECS service the change removes or replaces: its tasks still stop while the change runs. */
function deletedService(scope: StackScope, change: ResourceChange): PlanFacts["deletedServices"] {
  const gone = (change.action === "Remove" || replaces(change)) && !keepsOld(change);
  if (!gone || !change.physicalId) return [];
  // The physical id is the service's ARN: arn:aws:ecs:REGION:ACCOUNT:service/CLUSTER/NAME (the old form has no cluster).
  const path = parseArn(change.physicalId)?.resource.split("/") ?? [];
  const cluster = path.length === 3 ? path[1] : undefined;
  return [
    {
      address: addressOf(scope.stack, change),
      name: shortName(change.physicalId),
      ...(cluster ? { cluster } : {}),
    },
  ];
}

/**
 * An ECS service the change adds, or modifies where its LoadBalancers may change (a Modify whose details name no
 * property is counted too): its blue/green role may serve a kind of load balancer the facts have not seen.
 */
function deploysLoadBalancer(change: ResourceChange): boolean {
  if (change.action === "Add" || change.action === "Import") return true;
  if (change.action !== "Modify" && change.action !== "Dynamic") return false;
  const props = change.details.filter((d) => d.attribute === "Properties");
  return !props.length || props.some((d) => !d.name || d.name === "LoadBalancers");
}

function nestedStack(scope: StackScope, change: ResourceChange, nested: NestedChanges): StackChanges {
  const out = emptyStackChanges();
  if (change.action === "Remove" && keepsOld(change)) return out;
  const read = nested(change);
  if (read) return read;
  const why =
    change.action === "Remove"
      ? "deletes the nested stack, whose resources were not read (check --change-set reads them)"
      : change.changeSetId
        ? `changes the nested stack, whose own change set ${change.changeSetId} was not described (check --change-set describes it)`
        : "changes the nested stack, but the change set does not include nested stacks (create it with --include-nested-stacks)";
  out.touches.push(touch(UNKNOWN, planned(scope, change, "other", why)));
  return out;
}

export function stackChanges(
  scope: StackScope,
  changes: ResourceChange[],
  nested: NestedChanges,
): StackChanges {
  const out = emptyStackChanges();
  for (const change of changes) {
    switch (change.type) {
      case "AWS::IAM::Role":
        out.touches.push(...roleTouches(scope, change));
        break;
      case "AWS::IAM::Policy":
      case "AWS::IAM::RolePolicy":
        addStackChanges(out, { ...emptyStackChanges(), ...inlinePolicyTouches(scope, change) });
        break;
      case "AWS::IAM::ManagedPolicy":
        addStackChanges(out, { ...emptyStackChanges(), ...managedPolicyTouches(scope, change) });
        break;
      case "AWS::ECS::Service":
        out.deletedServices.push(...deletedService(scope, change));
        if (deploysLoadBalancer(change)) out.deployedServices.push(addressOf(scope.stack, change));
        break;
      case "AWS::CloudFormation::Stack":
        addStackChanges(out, nestedStack(scope, change, nested));
        break;
      // Other resources cannot change a role's trust or policies.
    }
  }
  return out;
}
