import type { RequestValue } from "../iam/types.ts";
import { type PolicyRequirement, type RequestModel, resourceTypeOf } from "./managed-policy-requests.ts";

/**
 * ECS's side of the requests of the four uses whose managed policy is the statement of record: which resources ECS
 * creates and tags AmazonECSManaged=true, and what it sends for each other condition key the policies name. The
 * values come from what each call is (the service ECS passes a role to, the call that creates a resource), never
 * from the policy's own condition values.
 */

const exact = (...values: string[]): RequestValue => ({ kind: "exact", values });
/** One request per value: a single-valued key that differs between ECS's calls. */
const eachOf = (...values: string[]): RequestValue[] => values.map((v) => exact(v));

const typeOf = (r: PolicyRequirement) => resourceTypeOf(r.resource);

/** The call that creates each kind of resource Managed Instances tags as it creates it. */
const MI_CREATED_BY: Record<string, string[]> = {
  fleet: ["CreateFleet"],
  "launch-template": ["CreateLaunchTemplate"],
  instance: ["CreateFleet", "RunInstances"],
  volume: ["CreateFleet", "RunInstances"],
  "network-interface": ["CreateFleet", "RunInstances"],
};

/**
 * ECS Managed Instances: ECS launches EC2 instances for the capacity provider through a launch template and
 * CreateFleet (or RunInstances), tagging all it creates, and passes the instance role to EC2.
 */
export const MANAGED_INSTANCES_MODEL: RequestModel = {
  policyName: "AmazonECSInfrastructureRolePolicyForManagedInstances",
  taggedTypes: new Set(["fleet", "launch-template", "instance", "volume", "network-interface"]),
  tagsOnCreate: true,
  keys: {
    // A launch template ECS created is operated by ECS: EC2 sets the managed-resource operator on it.
    "ec2:managedresourceoperator": (r) =>
      /^ec2:(CreateLaunchTemplateVersion|ModifyLaunchTemplate)$/.test(r.action)
        ? [exact("ecs.amazonaws.com")]
        : undefined,
    "ec2:createaction": (r) =>
      r.action === "ec2:CreateTags" ? eachOf(...(MI_CREATED_BY[typeOf(r)] ?? [])) : undefined,
    // The instance role goes to EC2 (the instance profile of the launched instances).
    "iam:passedtoservice": (r) => (r.action === "iam:PassRole" ? [exact("ec2.amazonaws.com")] : undefined),
    "iam:awsservicename": (r) =>
      r.action === "iam:CreateServiceLinkedRole" ? [exact("spot.amazonaws.com")] : undefined,
  },
};

/** The Elastic Load Balancing resource types the Express policy's ELB statements list. */
const ELB_TYPES = ["loadbalancer", "listener", "listener-rule", "targetgroup"];

/**
 * The ELB types each action does not authorise, from the types it does (Service Authorization Reference, Elastic
 * Load Balancing V2): a type outside ELB_TYPES (a new one in a new policy version) stays required, failing closed.
 */
function elbNotAuthorisedOn(authorises: Record<string, readonly string[]>): Record<string, string[]> {
  return Object.fromEntries(
    Object.entries(authorises).map(([action, types]) => [
      action,
      ELB_TYPES.filter((t) => !types.includes(t)),
    ]),
  );
}

/** The call that creates each kind of Express Mode resource tagged on creation. */
const ELB_CREATED_BY: Record<string, string> = {
  loadbalancer: "CreateLoadBalancer",
  listener: "CreateListener",
  "listener-rule": "CreateRule",
  targetgroup: "CreateTargetGroup",
};
const EC2_CREATED_BY: Record<string, string[]> = {
  "security-group": ["CreateSecurityGroup"],
  "security-group-rule": ["AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress"],
};

/**
 * Express Mode: ECS creates and later changes or deletes the service's load balancer, listeners, rules, target
 * groups, security groups, certificate, scaling target and policies, alarms and log group, all tagged
 * AmazonECSManaged=true; the VPC and subnets are the customer's.
 */
export const EXPRESS_MODEL: RequestModel = {
  policyName: "AmazonECSInfrastructureRoleforExpressGatewayServices",
  taggedTypes: new Set([
    "loadbalancer",
    "listener",
    "listener-rule",
    "targetgroup",
    "security-group",
    "security-group-rule",
    "certificate",
    "scalable-target",
    "alarm",
    "log-group",
  ]),
  tagsOnCreate: true,
  keys: {
    // The two service-linked roles an Express service needs: ECS creates whichever is missing.
    "iam:awsservicename": (r) =>
      r.action === "iam:CreateServiceLinkedRole"
        ? eachOf("ecs.application-autoscaling.amazonaws.com", "elasticloadbalancing.amazonaws.com")
        : undefined,
    "elasticloadbalancing:createaction": (r) => {
      const by = ELB_CREATED_BY[typeOf(r)];
      return r.action === "elasticloadbalancing:AddTags" && by ? [exact(by)] : undefined;
    },
    "ec2:createaction": (r) =>
      r.action === "ec2:CreateTags" ? eachOf(...(EC2_CREATED_BY[typeOf(r)] ?? [])) : undefined,
    // The scalable target is the ECS service's desired count.
    "application-autoscaling:service-namespace": (r) =>
      r.action.startsWith("application-autoscaling:") ? [exact("ecs")] : undefined,
  },
  // Statements list every type beside each other; IAM ignores a type the action does not authorise (the Service
  // Authorization Reference's resource types per action), so no request is required there.
  notAuthorisedOn: {
    // The policy lists vpc/* beside security-group/* for these; only CreateSecurityGroup names a VPC.
    "ec2:AuthorizeSecurityGroupEgress": ["vpc"],
    "ec2:AuthorizeSecurityGroupIngress": ["vpc"],
    "ec2:DeleteSecurityGroup": ["vpc"],
    "ec2:RevokeSecurityGroupEgress": ["vpc"],
    "ec2:RevokeSecurityGroupIngress": ["vpc"],
    ...elbNotAuthorisedOn({
      "elasticloadbalancing:CreateLoadBalancer": ["loadbalancer"],
      "elasticloadbalancing:CreateTargetGroup": ["targetgroup"],
      "elasticloadbalancing:CreateListener": ["loadbalancer", "listener"],
      "elasticloadbalancing:CreateRule": ["listener", "listener-rule"],
      "elasticloadbalancing:ModifyListener": ["listener"],
      "elasticloadbalancing:ModifyRule": ["listener-rule"],
      "elasticloadbalancing:AddListenerCertificates": ["listener"],
      "elasticloadbalancing:RemoveListenerCertificates": ["listener"],
      "elasticloadbalancing:RegisterTargets": ["targetgroup"],
      "elasticloadbalancing:DeregisterTargets": ["targetgroup"],
      "elasticloadbalancing:DeleteTargetGroup": ["targetgroup"],
      "elasticloadbalancing:DeleteLoadBalancer": ["loadbalancer"],
      "elasticloadbalancing:DeleteRule": ["listener-rule"],
      "elasticloadbalancing:DeleteListener": ["listener"],
    }),
  },
  alsoUntaggedOn: {
    // RegisterScalableTarget also updates an existing target (its capacity): tags are given only on creation.
    // (Authorize* later on a group ECS created needs no entry: the group a call names never carries its tags.)
    "application-autoscaling:RegisterScalableTarget": ["scalable-target"],
  },
};

/** VPC Lattice: ECS registers and deregisters the service's tasks in the customer's target groups. */
export const VPC_LATTICE_MODEL: RequestModel = {
  policyName: "AmazonECSInfrastructureRolePolicyForVpcLattice",
  // The target groups are the customer's: their tags are unknown.
  taggedTypes: new Set(),
  tagsOnCreate: false,
  keys: {},
};

/**
 * Blue/green (and linear, canary) deployments: ECS moves targets between the customer's target groups and rewrites
 * the customer's listeners and rules to shift traffic.
 */
export const LOAD_BALANCER_MODEL: RequestModel = {
  policyName: "AmazonECSInfrastructureRolePolicyForLoadBalancers",
  taggedTypes: new Set(),
  tagsOnCreate: false,
  keys: {},
};
