import type { RequestContext, RequestValue } from "../iam/types.ts";

/**
 * The requests ECS makes with an infrastructure role, modelled as the evaluator's request contexts: the one place
 * that says, per action and key, what a request carries (DESIGN.md "What ECS's requests carry"). What ECS is known to
 * send is exact; what varies per task or cluster is a pattern (a key present with a value the tool cannot know would be
 * the pattern "*"); a key or key family the request certainly cannot carry is absent (`absentKeys`); anything else
 * is left out, so a policy conditioned on it is reported as unprovable rather than assumed to hold.
 */

const exact = (...values: string[]): RequestValue => ({ kind: "exact", values });
const pattern = (p: string): RequestValue => ({ kind: "pattern", pattern: p });

/** Key families a request certainly cannot carry (RequestContext.absentKeys: a trailing "/" covers a family). */
const NO_REQUEST_TAGS = [
  // Tags travel in a request only when it creates or tags something; Detach/Delete/Describe pass none.
  "aws:RequestTag/",
  "aws:TagKeys",
];
const NO_RESOURCE_TAGS = [
  // A list action authorised against "*" names no resource, so there are no resource tags to read.
  "aws:ResourceTag/",
  "ec2:ResourceTag/",
];

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
  const principal = sessionKeys(loc);
  if (action === "ec2:DescribeVolumes") {
    // Describe* actions do not support resource-level permissions: IAM evaluates them against "*", with no resource
    // tags (any aws:ResourceTag/<key>, AmazonECSManaged included, is absent) and no request tags.
    return {
      action,
      resource: exact("*"),
      context: principal,
      absentKeys: [...NO_RESOURCE_TAGS, ...NO_REQUEST_TAGS],
    };
  }
  const taskArn = pattern(`arn:${loc.partition}:ecs:${loc.region}:${loc.account}:task/*`);
  return {
    action,
    // Every EBS volume id starts "vol-": a policy naming volume/vol-* covers them all.
    resource: pattern(`arn:${loc.partition}:ec2:${loc.region}:${loc.account}:volume/vol-*`),
    context: {
      ...principal,
      // The two tags ECS puts on every volume it manages. Other aws:ResourceTag/<key> stay unknown, present or not:
      // ECS may propagate the service's or task definition's user tags onto the volume.
      "aws:ResourceTag/AmazonECSManaged": exact("true"),
      "aws:ResourceTag/AmazonECSCreated": taskArn,
      "ec2:ResourceTag/AmazonECSManaged": exact("true"),
      "ec2:ResourceTag/AmazonECSCreated": taskArn,
      "aws:ResourceAccount": exact(loc.account),
    },
    absentKeys: [...NO_REQUEST_TAGS],
  };
}

/** What the role's session brings to every EC2 request it makes. */
function sessionKeys(loc: RoleLocation): Record<string, RequestValue> {
  return {
    "aws:PrincipalAccount": exact(loc.account),
    "aws:PrincipalArn": exact(loc.roleArn),
    "aws:RequestedRegion": exact(loc.region),
    "ec2:Region": exact(loc.region),
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
    // The instance's tags are the customer's and unknown; DetachVolume passes no tags of its own.
    context: { ...sessionKeys(loc), "aws:ResourceAccount": exact(loc.account) },
    absentKeys: [...NO_REQUEST_TAGS],
  };
}
