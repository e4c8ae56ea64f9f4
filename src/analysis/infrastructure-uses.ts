import expressPolicy from "../../fixtures/policies/AmazonECSInfrastructureRoleforExpressGatewayServices.v6.json" with {
  type: "json",
};
import lbPolicy from "../../fixtures/policies/AmazonECSInfrastructureRolePolicyForLoadBalancers.v6.json" with {
  type: "json",
};
import miPolicy from "../../fixtures/policies/AmazonECSInfrastructureRolePolicyForManagedInstances.v12.json" with {
  type: "json",
};
import latticePolicy from "../../fixtures/policies/AmazonECSInfrastructureRolePolicyForVpcLattice.v1.json" with {
  type: "json",
};
import type { InfrastructureUseId, RoleFacts, RoleReference } from "../facts/types.ts";
import type { RequestContext } from "../iam/types.ts";
import { type RoleLocation, VOLUME_ACTIONS, volumeRequest } from "./ecs-requests.ts";
import { loadBalancerRequirementApplies } from "./load-balancer-kinds.ts";
import {
  type PolicyDocumentShape,
  type RequestModel,
  requestsFor,
  requirementsFromPolicy,
} from "./managed-policy-requests.ts";
import { TLS_POLICY_NAME, TLS_POLICY_VERSION, TLS_REQUIREMENTS, tlsRequests } from "./tls-requests.ts";
import {
  EXPRESS_MODEL,
  LOAD_BALANCER_MODEL,
  MANAGED_INSTANCES_MODEL,
  VPC_LATTICE_MODEL,
} from "./use-request-models.ts";

/**
 * Every job ECS gives an infrastructure role (DESIGN.md "Every use of the role", aws-facts "The other uses of the
 * role"), described once: where ECS names the role, the AWS managed policy for it (name, path, default version,
 * shipped under fixtures/policies/), what ECS must be allowed to do and the requests it makes, the CloudTrail session
 * names AWS documents, and what breaks when the role does not work. Rules, role usage, CloudTrail and the change gates
 * read this table instead of each knowing the uses.
 */

/** One thing ECS must be allowed to do for a use, with the requests it makes for it. */
export interface UseRequirement {
  action: string;
  /** The managed policy's statement that grants it. */
  sid: string;
  /** The resource the managed policy grants it on, as written (absent for the EBS use's documented minimum). */
  resource?: string;
  /** The requests ECS makes, as the role's session, for it: every one must be allowed. */
  requests(loc: RoleLocation): RequestContext[];
}

export interface InfrastructureUse {
  id: InfrastructureUseId;
  /** For people: "EBS volumes", "Managed Instances". */
  label: string;
  /** Where ECS's API names the role for this use. */
  namedBy: string;
  policy: {
    name: string;
    /** The IAM path: `/service-role/` for Volumes, TLS and Express; `/` for the others (mind it in ARNs). */
    path: "/" | "/service-role/";
    /** The default version the requirements are read from (fixtures/policies/<name>.<version>.json). */
    version: string;
  };
  /** The CloudTrail session names (User name) AWS documents for this use; empty where it documents none. */
  sessionNames: readonly string[];
  /** What breaks when ECS cannot use the role for this, one line. */
  breaks: string;
  /** The rule that judges whether ECS can use a role for this (trust and the requirements). */
  permissionsRule: string;
  /** How a sentence names the permissions of this use ("the volume permissions"). */
  permissionsNoun: string;
  /** Everything ECS must be allowed to do for it. */
  requirements: readonly UseRequirement[];
  /**
   * Whether ECS needs a requirement for this role, from how it is seen to use it (requirementsFor); absent: every
   * requirement always applies. A use whose policy covers alternatives only some of its users need (blue/green: ALB
   * and NLB listeners) says here which; what cannot be told must be required (fail closed).
   */
  requirementApplies?(requirement: UseRequirement, role: Pick<RoleFacts, "referencedBy">): boolean;
}

/** A requirement of a managed policy, with its requests from the use's model. */
function fromPolicy(document: unknown, model: RequestModel): UseRequirement[] {
  return requirementsFromPolicy(document as PolicyDocumentShape, model).map((r) => ({
    ...r,
    requests: (loc) => requestsFor(r, loc, model),
  }));
}

export const EBS_SESSION_NAME = "ECSTaskVolumesForEBS";
export const TLS_SESSION_NAME = "ECSServiceConnectForTLS";

/** The six uses, in the order they are reported. */
export const INFRASTRUCTURE_USES: readonly InfrastructureUse[] = [
  {
    id: "ebs",
    label: "EBS volumes",
    namedBy:
      "a task's EBS attachment roleArn; a service's deployments[].volumeConfigurations[].managedEBSVolume.roleArn",
    policy: { name: "AmazonECSInfrastructureRolePolicyForVolumes", path: "/service-role/", version: "v5" },
    sessionNames: [EBS_SESSION_NAME],
    permissionsRule: "volume-permissions",
    permissionsNoun: "volume",
    breaks: "stopping tasks hang in DEPROVISIONING and their EBS volumes are left behind",
    // AWS's documented minimum for stopping tasks (aws-facts §6), not the whole policy.
    requirements: VOLUME_ACTIONS.map((action) => ({
      action,
      sid: "documented minimum",
      requests: (loc) => [volumeRequest(action, loc)],
    })),
  },
  {
    id: "service-connect-tls",
    label: "Service Connect TLS",
    namedBy: "a service's deployments[].serviceConnectConfiguration.services[].tls.roleArn",
    policy: { name: TLS_POLICY_NAME, path: "/service-role/", version: TLS_POLICY_VERSION },
    sessionNames: [TLS_SESSION_NAME],
    permissionsRule: "tls-permissions",
    permissionsNoun: "TLS",
    breaks: "ECS cannot issue or rotate the services' Service Connect TLS certificates",
    requirements: TLS_REQUIREMENTS.map((r) => ({
      action: r.action,
      sid: r.sid,
      requests: (loc) => tlsRequests(r, loc),
    })),
  },
  {
    id: "managed-instances",
    label: "Managed Instances",
    namedBy:
      "a capacity provider's managedInstancesProvider.infrastructureRoleArn (DescribeCapacityProviders)",
    policy: { name: MANAGED_INSTANCES_MODEL.policyName, path: "/", version: "v12" },
    sessionNames: ["ECSManagedInstancesForCompute"],
    permissionsRule: "managed-instances-permissions",
    permissionsNoun: "Managed Instances",
    breaks: "the capacity provider cannot launch instances, so new tasks stay PENDING",
    requirements: fromPolicy(miPolicy, MANAGED_INSTANCES_MODEL),
  },
  {
    id: "express",
    label: "Express Mode",
    namedBy: "an Express service's infrastructureRoleArn (DescribeExpressGatewayService)",
    policy: { name: EXPRESS_MODEL.policyName, path: "/service-role/", version: "v6" },
    // AWS documents no session name for Express Mode (infrastructure_IAM_role.html lists four uses' names).
    sessionNames: [],
    permissionsRule: "express-permissions",
    permissionsNoun: "Express Mode",
    breaks:
      "ECS cannot change or delete the service's load balancer, target groups, security groups and scaling policies (deleting the service leaks them)",
    requirements: fromPolicy(expressPolicy, EXPRESS_MODEL),
  },
  {
    id: "vpc-lattice",
    label: "VPC Lattice",
    namedBy: "a service's deployments[].vpcLatticeConfigurations[].roleArn",
    policy: { name: VPC_LATTICE_MODEL.policyName, path: "/", version: "v1" },
    sessionNames: ["ECSNetworkingWithVPCLattice"],
    permissionsRule: "vpc-lattice-permissions",
    permissionsNoun: "VPC Lattice",
    breaks: "tasks are not registered with or deregistered from their VPC Lattice target groups",
    requirements: fromPolicy(latticePolicy, VPC_LATTICE_MODEL),
  },
  {
    id: "load-balancer",
    label: "blue/green load balancer",
    namedBy:
      "a service's loadBalancers[].advancedConfiguration.roleArn (blue/green, linear and canary deployments)",
    policy: { name: LOAD_BALANCER_MODEL.policyName, path: "/", version: "v6" },
    // AmazonECSInfrastructureRolePolicyForLoadBalancers.html (developer guide) names both.
    sessionNames: ["ECSNetworkingWithELB", "ecs-service-scheduler"],
    permissionsRule: "load-balancer-permissions",
    permissionsNoun: "blue/green load balancer",
    breaks: "deployments cannot shift traffic or roll back",
    requirements: fromPolicy(lbPolicy, LOAD_BALANCER_MODEL),
    // ModifyListener on listener/app or listener/net, ModifyRule on listener-rule/app: only the kinds in use.
    requirementApplies: loadBalancerRequirementApplies,
  },
];

const BY_ID = new Map(INFRASTRUCTURE_USES.map((u) => [u.id, u]));

export function infrastructureUse(id: InfrastructureUseId): InfrastructureUse {
  return BY_ID.get(id) as InfrastructureUse;
}

/**
 * What ECS needs of `role` for the use: every requirement the use's requirementApplies keeps for it. Without a role
 * (not known whom ECS serves with it), every requirement.
 */
export function requirementsFor(
  use: InfrastructureUse,
  role?: Pick<RoleFacts, "referencedBy">,
): readonly UseRequirement[] {
  const applies = use.requirementApplies;
  if (!applies || !role) return use.requirements;
  return use.requirements.filter((r) => applies(r, role));
}

/** The managed policy's ARN in a partition, with its path. */
export function usePolicyArn(use: InfrastructureUse, partition = "aws"): string {
  return `arn:${partition}:iam::aws:policy${use.policy.path}${use.policy.name}`;
}

/** The use a reference names; undefined for --role (a named role is matched against every use by discovery). */
export function useOfReference(ref: RoleReference): InfrastructureUseId | undefined {
  switch (ref.kind) {
    case "flag":
      return undefined;
    case "task":
      return "ebs";
    default:
      return ref.use;
  }
}

/** The uses ECS was seen to give the role, in table order. */
export function usesOf(role: Pick<RoleFacts, "referencedBy">): InfrastructureUse[] {
  const ids = new Set(role.referencedBy.map(useOfReference));
  return INFRASTRUCTURE_USES.filter((u) => ids.has(u.id));
}
