import { roleNameOf } from "../../arn/arn.ts";
import { sameJson } from "../documents.ts";
import type { ChangeList, PolicyChange, PolicyReach } from "../model.ts";
import { UNKNOWN } from "../model.ts";
import type { Attributes, Plan, ResourceChange } from "./parse.ts";
import {
  API,
  afterValue,
  isNoop,
  isReplace,
  planDocument,
  planned,
  roleTouches,
  str,
  unknownAt,
} from "./touches.ts";

/** The Terraform adapter: a JSON plan's resource_changes as the change model's ChangeList. */

/** An aws_iam_policy change: a new document becomes the policy's default version; a delete removes it. */
export function policyChange(rc: ResourceChange): PolicyChange | undefined {
  if (rc.mode !== "managed" || rc.type !== "aws_iam_policy" || isNoop(rc.actions) || rc.deposed)
    return undefined;
  const arn = str(rc.before?.arn) ?? (rc.after ? str(afterValue(rc, "arn")) : undefined);
  // A new policy has no ARN before apply: what attaches it names the ARN as unknown too.
  if (arn === undefined || arn === UNKNOWN) return undefined;
  const name = str(rc.after?.name ?? rc.before?.name);
  const named = name && name !== UNKNOWN ? { name } : {};
  if (!rc.after)
    return { arn, change: planned(rc, "delete-policy", `deletes the managed policy ${arn}`), ...named };
  if (!isReplace(rc.actions) && !unknownAt(rc, "policy") && sameJson(rc.before?.policy, rc.after.policy))
    return undefined;
  return {
    arn,
    change: planned(rc, "policy-document", `sets a new default version of ${arn}`),
    document: planDocument(afterValue(rc, "policy"), rc.address, "policy"),
    ...named,
  };
}

/** ECS services the plan deletes or replaces: their tasks keep the role busy while they stop. */
export function deletedService(
  rc: ResourceChange,
): { address: string; name?: string; cluster?: string } | undefined {
  if (rc.mode !== "managed" || rc.type !== "aws_ecs_service" || !rc.actions.includes("delete") || !rc.before)
    return undefined;
  const name = str(rc.before.name);
  const cluster = str(rc.before.cluster);
  return {
    address: rc.address,
    ...(name && name !== UNKNOWN ? { name } : {}),
    ...(cluster && cluster !== UNKNOWN ? { cluster } : {}),
  };
}

/**
 * An aws_ecs_service the plan creates or updates with a load_balancer block that has (or may have, known only after
 * apply) an advanced_configuration: its blue/green role may serve a kind of load balancer the facts have not seen.
 */
export function deploysLoadBalancer(rc: ResourceChange): boolean {
  if (rc.mode !== "managed" || rc.type !== "aws_ecs_service" || isNoop(rc.actions) || !rc.after) return false;
  if (!rc.actions.includes("create") && !rc.actions.includes("update")) return false;
  if (unknownAt(rc, "load_balancer")) return true;
  const lbs = rc.after.load_balancer;
  // An update that leaves the load balancers as they are names no new route.
  if (!rc.actions.includes("create") && sameJson(rc.before?.load_balancer, lbs)) return false;
  if (!Array.isArray(lbs)) return lbs !== undefined && lbs !== null;
  return lbs.some((lb) => {
    const advanced = (lb as Attributes | null)?.advanced_configuration;
    return advanced === undefined || (Array.isArray(advanced) ? advanced.length > 0 : advanced !== null);
  });
}

/** The roles each managed policy is attached to or bounds in the plan, before or after (no-op resources included). */
function policyReach(rc: ResourceChange): PolicyReach[] {
  const reach: PolicyReach[] = [];
  const add = (arn: unknown, role: unknown) => {
    if (typeof arn === "string" && typeof role === "string")
      reach.push({ policyArn: arn, role: roleNameOf(role) });
  };
  for (const v of [rc.before, rc.after] as (Attributes | null)[]) {
    if (!v) continue;
    if (rc.type === "aws_iam_role_policy_attachment") add(v.policy_arn, v.role);
    if (rc.type === "aws_iam_policy_attachment" && Array.isArray(v.roles))
      for (const r of v.roles) add(v.policy_arn, r);
    if (rc.type === "aws_iam_role" && Array.isArray(v.managed_policy_arns))
      for (const arn of v.managed_policy_arns) add(arn, v.name);
    // A boundary caps the role as much as an attached policy grants: a new version of it reaches the role too.
    if (rc.type === "aws_iam_role") add(v.permissions_boundary, v.name);
  }
  return reach;
}

export function terraformChanges(plan: Plan): ChangeList {
  const list: ChangeList = {
    source: {
      format: "terraform",
      file: plan.file,
      formatVersion: plan.formatVersion,
      ...(plan.terraformVersion ? { terraformVersion: plan.terraformVersion } : {}),
    },
    ...(plan.errored ? { incomplete: `${plan.file} is an errored plan (planning stopped part way)` } : {}),
    api: API,
    touches: [],
    policies: [],
    reach: [],
    deletedServices: [],
    deployedServices: [],
  };
  for (const rc of plan.resourceChanges) {
    list.touches.push(...roleTouches(rc, plan));
    const p = policyChange(rc);
    if (p) list.policies.push(p);
    const s = deletedService(rc);
    if (s) list.deletedServices.push(s);
    if (deploysLoadBalancer(rc)) list.deployedServices?.push(rc.address);
    list.reach.push(...policyReach(rc));
  }
  return list;
}
