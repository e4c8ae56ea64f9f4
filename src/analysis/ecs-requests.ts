import type { RequestContext, RequestValue } from "../iam/types.ts";

/**
 * The requests ECS makes with an infrastructure role, modelled as the evaluator's request contexts.
 * What ECS is known to send is exact; what varies per task or cluster is a pattern; anything else is left
 * out, so a policy conditioned on it is reported as unprovable rather than assumed to hold.
 */

const exact = (...values: string[]): RequestValue => ({ kind: "exact", values });
const pattern = (p: string): RequestValue => ({ kind: "pattern", pattern: p });

export interface RoleLocation {
  partition: string;
  region: string;
  account: string;
  roleArn: string;
}

export const ECS_SERVICE_PRINCIPAL = "ecs.amazonaws.com";

/** ecs.amazonaws.com assuming the role for one of the account's own clusters in the region. */
export function assumeRoleRequest(loc: RoleLocation): RequestContext {
  return {
    action: "sts:AssumeRole",
    resource: exact(loc.roleArn),
    principal: { type: "Service", id: ECS_SERVICE_PRINCIPAL },
    context: {
      "aws:SourceAccount": exact(loc.account),
      "aws:SourceArn": pattern(`arn:${loc.partition}:ecs:${loc.region}:${loc.account}:*`),
      "aws:PrincipalServiceName": exact(ECS_SERVICE_PRINCIPAL),
    },
  };
}

/** The three EC2 actions ECS needs to detach, delete and watch a task's volume (AWS's documented minimum). */
export const VOLUME_ACTIONS = ["ec2:DetachVolume", "ec2:DeleteVolume", "ec2:DescribeVolumes"] as const;
export type VolumeAction = (typeof VOLUME_ACTIONS)[number];

/** The request ECS makes as the role's session for `action` on an ECS-managed volume of any task. */
export function volumeRequest(action: VolumeAction, loc: RoleLocation): RequestContext {
  const principal = {
    "aws:PrincipalAccount": exact(loc.account),
    "aws:PrincipalArn": exact(loc.roleArn),
    "aws:RequestedRegion": exact(loc.region),
    "ec2:Region": exact(loc.region),
  };
  if (action === "ec2:DescribeVolumes") {
    // Describe* actions do not support resource-level permissions: IAM evaluates them against "*".
    return { action, resource: exact("*"), context: principal };
  }
  const taskArn = pattern(`arn:${loc.partition}:ecs:${loc.region}:${loc.account}:task/*`);
  return {
    action,
    // Every EBS volume id starts "vol-": a policy naming volume/vol-* covers them all.
    resource: pattern(`arn:${loc.partition}:ec2:${loc.region}:${loc.account}:volume/vol-*`),
    context: {
      ...principal,
      "aws:ResourceTag/AmazonECSManaged": exact("true"),
      "aws:ResourceTag/AmazonECSCreated": taskArn,
      "ec2:ResourceTag/AmazonECSManaged": exact("true"),
      "ec2:ResourceTag/AmazonECSCreated": taskArn,
      "aws:ResourceAccount": exact(loc.account),
    },
  };
}

/**
 * DetachVolume is authorised on the instance too when the volume is attached to an EC2 instance (EC2 launch type,
 * capacity providers, ECS Managed Instances): the AWS managed policy grants it on instance/* for that reason.
 * Fargate tasks' volumes hang off AWS-managed resources instead.
 */
export function detachFromInstanceRequest(loc: RoleLocation): RequestContext {
  return {
    action: "ec2:DetachVolume",
    resource: pattern(`arn:${loc.partition}:ec2:${loc.region}:${loc.account}:instance/i-*`),
    context: {
      "aws:PrincipalAccount": exact(loc.account),
      "aws:PrincipalArn": exact(loc.roleArn),
      "aws:RequestedRegion": exact(loc.region),
      "ec2:Region": exact(loc.region),
      "aws:ResourceAccount": exact(loc.account),
    },
  };
}
