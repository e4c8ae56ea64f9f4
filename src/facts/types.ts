/**
 * The Facts model: everything ecs-preflight learned about an account, as plain, versioned JSON.
 * Every fact is either a value or the error that hid it; rules read Facts and never call AWS.
 * A snapshot file is exactly one `Facts` object (see schema/facts.schema.json).
 */

/** Why a fact could not be learned: which API call, the AWS error code, and its message. */
export interface FactError {
  api: string;
  code: string;
  message: string;
}

export type Fact<T> = { ok: true; value: T } | { ok: false; error: FactError };

export const FACTS_SCHEMA_VERSION = 1;

export interface Facts {
  schemaVersion: typeof FACTS_SCHEMA_VERSION;
  /** ISO 8601 time the collection started; rules measure durations against it, so snapshots replay exactly. */
  collectedAt: string;
  region: string;
  /** STS GetCallerIdentity. */
  caller: Fact<CallerIdentity>;
  scope: Scope;
  /** Every infrastructure role in scope: named with --role, or referenced by a service or task in scope. */
  roles: RoleFacts[];
  /** Managed policies by ARN, each fetched once per run (GetPolicy + GetPolicyVersion at the default version). */
  managedPolicies: Record<string, Fact<ManagedPolicy>>;
  /** ECS facts; absent when ECS was not in scope (role-only checks). */
  ecs?: EcsFacts;
  /** EC2 facts; absent when ECS was not in scope or no rule needed volume state (leaked-volumes off). */
  ec2?: Ec2Facts;
  /** CloudTrail facts; absent when CloudTrail was not looked at. */
  trail?: TrailFacts;
  /**
   * The deploying principals and their policies, for pass-role: the --principal ARNs when given, else the distinct
   * `createdBy` of the services in scope that name a role (empty when none does: standalone tasks only). Absent when
   * the rule was off or no infrastructure role was in scope.
   */
  principals?: DeployingPrincipal[];
  /**
   * Facts gathered before principals were a list: the one principal judged then (--principal, else the caller).
   * Read as a one-element `principals` (src/facts/principals.ts); never written any more.
   */
  principal?: Fact<PrincipalFacts>;
  /**
   * organizations:DescribeOrganization, once per account: whether Organizations policies (SCPs) can apply to the
   * roles. Absent in facts gathered before it was read, or when no enabled rule needed it: whether an SCP denies the
   * roles' actions is then not known.
   */
  organization?: Fact<OrganizationMembership>;
  /**
   * A change applied to these facts (`check --plan`, `--change-set`, `--before-stack-delete`): a Terraform plan, a
   * CloudFormation change set or a stack's deletion, and the after-state of every role it touches.
   */
  plan?: PlanFacts;
}

export interface CallerIdentity {
  account: string;
  arn: string;
  userId: string;
}

export interface Scope {
  clusters: string[];
  services: string[];
  tasks: string[];
  roles: string[];
  /** CloudTrail look-back, e.g. "24h". */
  since?: string;
}

/** The jobs ECS gives an infrastructure role (src/analysis/infrastructure-uses.ts describes each). */
export type InfrastructureUseId =
  | "ebs"
  | "service-connect-tls"
  | "managed-instances"
  | "express"
  | "vpc-lattice"
  | "load-balancer";

/** The uses a service's own configuration names a role for (DescribeServices). */
export type ServiceRoleUse = "ebs" | "service-connect-tls" | "vpc-lattice" | "load-balancer";

/**
 * The kind of load balancer a blue/green deployment shifts traffic on, told by the ARN its advancedConfiguration
 * names: an Application Load Balancer's listener rule (`listener-rule/app/…`), a Network Load Balancer's listener
 * (`listener/net/…`).
 */
export type LoadBalancerKind = "application" | "network";

/** Where a role in scope was found. */
export type RoleReference =
  | { kind: "flag" }
  | {
      kind: "service";
      cluster: string;
      service: string;
      use: ServiceRoleUse;
      /**
       * For the load-balancer use: the kinds of the load balancers the service names the role for (as in
       * ServiceFacts.infrastructureRoles). Absent when not known (another use, an ARN of another shape, older facts).
       */
      loadBalancerKinds?: LoadBalancerKind[];
    }
  | { kind: "task"; cluster: string; task: string; status: string }
  | { kind: "capacity-provider"; cluster: string; capacityProvider: string; use: "managed-instances" }
  | { kind: "express-service"; cluster: string; service: string; use: "express" };

export interface RoleFacts {
  /** The role as referenced: a name or an ARN. */
  ref: string;
  /** The role name (last path segment of an ARN). */
  name: string;
  referencedBy: RoleReference[];
  /** IAM GetRole; `exists: false` when IAM answered NoSuchEntity. */
  role: Fact<RoleDetail>;
  /** ListAttachedRolePolicies (every page). The policies themselves are in Facts.managedPolicies. */
  attachedPolicies: Fact<AttachedPolicy[]>;
  /** ListRolePolicies (every page) + GetRolePolicy for each name. */
  inlinePolicies: Fact<InlinePolicy[]>;
  /**
   * iam:SimulatePrincipalPolicy for each use of the role (keyed by InfrastructureUseId), made when SCPs may apply
   * (the account is in an organization and not its management account, or membership could not be read). Absent
   * when it was not needed or not read.
   */
  simulations?: Record<string, Fact<SimulationResult>>;
}

/** What organizations:DescribeOrganization said of the account. */
export interface OrganizationMembership {
  /** False when Organizations answered AWSOrganizationsNotInUseException: no SCP applies. */
  inOrganization: boolean;
  /** The organization's management account (MasterAccountId). */
  managementAccountId?: string;
  /**
   * The organization's Id (o-…): the aws:PrincipalOrgID of the account's roles, and the aws:ResourceOrgID of its own
   * resources, which the SCP simulation is told (absent from facts gathered before it was kept).
   */
  organizationId?: string;
  /** The account checked is the management account, which SCPs do not affect. */
  managementAccount?: boolean;
}

/** AWS's own simulation of a role's identity policies, boundary and SCPs for one use's requests. */
export interface SimulationResult {
  /** One entry per call: a use's requests are grouped into calls by resource and context. */
  calls: SimulatedCall[];
}

/** One SimulatePrincipalPolicy call (every page), as asked and as answered. */
export interface SimulatedCall {
  /** The ResourceArns the call named. */
  resources: string[];
  /** The context keys the call supplied (ContextEntries' names). */
  contextKeys: string[];
  results: SimulatedAction[];
}

/** One EvaluationResult of SimulatePrincipalPolicy. */
export interface SimulatedAction {
  /** EvalActionName. */
  action: string;
  /** EvalDecision: allowed | explicitDeny | implicitDeny. */
  evalDecision: string;
  /** OrganizationsDecisionDetail.AllowedByOrganizations; absent when AWS gave none (no organization evaluated). */
  allowedByOrganizations?: boolean;
  /** MissingContextValues, top-level and per resource: keys the policies use that the call did not supply. */
  missingContextValues: string[];
  /** MatchedStatements (identity policies only: SCP statements are never listed). */
  matchedStatements: { sourcePolicyId?: string; sourcePolicyType?: string }[];
}

export type RoleDetail =
  | { exists: false }
  | {
      exists: true;
      arn: string;
      name: string;
      path: string;
      roleId: string;
      createDate?: string;
      /** The trust policy, URL-decoded; a PolicyDocument fact because a malformed one must not hide the rest. */
      trustPolicy: PolicyDocument;
      permissionsBoundaryArn?: string;
      /**
       * The role's tags (GetRole), absent when it has none: its sessions' aws:PrincipalTag/<key>, which the SCP
       * simulation is told (absent from facts gathered before they were kept).
       */
      tags?: Record<string, string>;
    };

/** A policy document as AWS returned it, URL-decoded and JSON-parsed; an error fact when it was not JSON. */
export type PolicyDocument = Fact<unknown>;

export interface AttachedPolicy {
  name: string;
  arn: string;
}

export interface InlinePolicy {
  name: string;
  document: PolicyDocument;
}

export interface ManagedPolicy {
  arn: string;
  name: string;
  defaultVersionId: string;
  document: PolicyDocument;
}

// ---------------------------------------------------------------------------------------------
// The deploying principal (filled by the principal collector)

/**
 * Where the principal came from: `--principal`, the `createdBy` of services in scope, or STS GetCallerIdentity (the
 * default of facts gathered before principals were a list; never chosen any more).
 */
export type PrincipalSource = "flag" | "created-by" | "caller";

/** Why a principal is judged: named with --principal, or the creator of these services (their ARNs). */
export type PrincipalOrigin =
  | { kind: "flag" }
  | { kind: "created-by"; services: string[] }
  | { kind: "caller" };

/** One principal pass-role judges: the ARN as found, why, and its facts (an error when they could not be read). */
export interface DeployingPrincipal {
  /** The --principal ARN, or a service's `createdBy` (a role ARN there may lack the role's path). */
  ref: string;
  origin: PrincipalOrigin;
  /** GetRole (by name) or GetUser and the policies; NoSuchEntity when the principal no longer exists. */
  facts: Fact<PrincipalFacts>;
}

/** An IAM role or user whose identity policies decide iam:PassRole; its managed policies are in Facts.managedPolicies. */
export interface PrincipalIdentity {
  /** As given: the --principal ARN or the caller's ARN (an STS assumed-role ARN for a role session). */
  ref: string;
  source: PrincipalSource;
  /** The IAM ARN, with its path (GetRole/GetUser): for an assumed role, the role's ARN. */
  arn: string;
  name: string;
  path: string;
  permissionsBoundaryArn?: string;
  /** List{Role,User}Policies (every page) + Get{Role,User}Policy for each name. */
  inlinePolicies: Fact<InlinePolicy[]>;
  /** ListAttached{Role,User}Policies (every page). */
  attachedPolicies: Fact<AttachedPolicy[]>;
}

/** A group a user is in: its policies are the user's identity policies too. */
export interface GroupFacts {
  name: string;
  arn: string;
  /** ListGroupPolicies + GetGroupPolicy. */
  inlinePolicies: Fact<InlinePolicy[]>;
  /** ListAttachedGroupPolicies. */
  attachedPolicies: Fact<AttachedPolicy[]>;
}

export type PrincipalFacts =
  | (PrincipalIdentity & { kind: "role" })
  | (PrincipalIdentity & {
      kind: "user" /** ListGroupsForUser (every page), each group's policies. */;
      groups: Fact<GroupFacts[]>;
    })
  /** The root user, a federated user, a service: IAM identity policies do not describe what it may do. */
  | { kind: "unsupported"; ref: string; source: PrincipalSource; reason: string };

// ---------------------------------------------------------------------------------------------
// ECS (filled by the ECS collector)

export interface EcsFacts {
  /** ListClusters, or the clusters named with --cluster. */
  clusters: Fact<ClusterFacts[]>;
}

export interface ClusterFacts {
  arn: string;
  name: string;
  /** ListServices + DescribeServices. */
  services: Fact<ServiceFacts[]>;
  /** ListTasks (RUNNING and STOPPED) + DescribeTasks. */
  tasks: Fact<TaskFacts[]>;
  /** Tasks and services named in scope that DescribeTasks / DescribeServices answered in `failures[]`. */
  missing?: MissingResource[];
  /**
   * DescribeCapacityProviders for the cluster (every page): a Managed Instances provider names a role. Absent in
   * facts gathered before capacity providers were read: who uses a role there is then not known.
   */
  capacityProviders?: Fact<CapacityProviderFacts[]>;
  /**
   * DescribeExpressGatewayService for each service in scope that ECS manages (resourceManagementType ECS) and is
   * not INACTIVE. Absent in facts gathered before Express services were read: their roles are then not known.
   */
  expressServices?: Fact<ExpressServiceFacts[]>;
}

/** A capacity provider of the cluster; only MANAGED_INSTANCES providers name an infrastructure role. */
export interface CapacityProviderFacts {
  arn: string;
  name: string;
  /** EC2_AUTOSCALING | MANAGED_INSTANCES | FARGATE | FARGATE_SPOT. */
  type?: string;
  /** PROVISIONING | ACTIVE | DEPROVISIONING | INACTIVE (deleted). */
  status: string;
  /** managedInstancesProvider.infrastructureRoleArn. */
  infrastructureRoleArn?: string;
  /** managedInstancesProvider.instanceLaunchTemplate.ec2InstanceProfileArn: the instance role ECS passes to EC2. */
  instanceProfileArn?: string;
}

/** An Express Mode service (DescribeExpressGatewayService). */
export interface ExpressServiceFacts {
  arn: string;
  name: string;
  /** status.statusCode: ACTIVE | DRAINING | INACTIVE. */
  status: string;
  infrastructureRoleArn?: string;
}

/** A `failures[]` entry for a task or service named with --task / --service (reason MISSING: no such resource). */
export interface MissingResource {
  kind: "task" | "service";
  arn: string;
  reason: string;
  detail?: string;
}

export interface ServiceFacts {
  arn: string;
  name: string;
  status: string;
  /**
   * Infrastructure roles the service names: per live deployment (EBS, Service Connect TLS, VPC Lattice), or on the
   * service itself (a blue/green load balancer's advancedConfiguration: no deploymentId).
   */
  infrastructureRoles: {
    roleArn: string;
    use: ServiceRoleUse;
    deploymentId?: string;
    /**
     * For the load-balancer use: the kinds of the load balancers whose advancedConfiguration names the role, from
     * its productionListenerRule and testListenerRule ARNs. Absent when any of them could not be told (no ARN, or an
     * ARN of another shape) and in facts gathered before it was read: then every kind's permissions are required.
     */
    loadBalancerKinds?: LoadBalancerKind[];
  }[];
  deploymentIds: string[];
  /** ECS for an Express service (ECS manages its resources), CUSTOMER otherwise; absent when ECS did not say. */
  resourceManagementType?: string;
  /** The principal that created the service (an IAM role ARN, possibly without its path); absent when ECS did not say. */
  createdBy?: string;
  /** desiredCount, runningCount, pendingCount; absent in facts gathered before they were read. */
  desiredCount?: number;
  runningCount?: number;
  pendingCount?: number;
}

export interface TaskFacts {
  arn: string;
  clusterArn: string;
  group?: string;
  startedBy?: string;
  lastStatus: string;
  desiredStatus: string;
  stopCode?: string;
  stoppedReason?: string;
  stoppingAt?: string;
  executionStoppedAt?: string;
  /** FARGATE, EC2, EXTERNAL, MANAGED_INSTANCES; absent for tasks placed by a capacity provider strategy. */
  launchType?: string;
  capacityProviderName?: string;
  ebsAttachments: EbsAttachment[];
}

export interface EbsAttachment {
  id: string;
  status: string;
  roleArn?: string;
  volumeId?: string;
  volumeName?: string;
  deleteOnTermination?: string;
  statusReason?: string;
}

// ---------------------------------------------------------------------------------------------
// CloudTrail (filled by the CloudTrail collector)

export interface TrailFacts {
  /** ISO start of the look-back window. */
  startTime: string;
  /** One LookupEvents series per session name looked up. */
  sessions: Record<string, Fact<TrailEvent[]>>;
}

export interface TrailEvent {
  eventId: string;
  eventName: string;
  eventTime: string;
  eventSource: string;
  roleArn?: string;
  errorCode?: string;
  errorMessage?: string;
  volumeId?: string;
  /**
   * Set when the CloudTrailEvent record was not a JSON object: why it could not be read. Such an event keeps only
   * what LookupEvents lists beside the record (id, name, time, source), so it may belong to any role of the session.
   */
  malformed?: string;
}

// ---------------------------------------------------------------------------------------------
// EC2 (filled by the EC2 collector)

export interface Ec2Facts {
  /** DescribeVolumes filtered on tag AmazonECSManaged=true (every page): the volumes ECS created for tasks. */
  volumes: Fact<VolumeFacts[]>;
}

export interface VolumeFacts {
  volumeId: string;
  /** creating | available | in-use | deleting | deleted | error */
  state: string;
  /** ISO 8601. */
  createTime?: string;
  /** GiB. */
  size?: number;
  /** gp2 | gp3 | io1 | io2 | st1 | sc1 | standard. */
  volumeType?: string;
  /** Provisioned IOPS (gp3, io1, io2; EC2 reports gp2's baseline too). */
  iops?: number;
  /** Provisioned throughput in MiB/s (gp3). */
  throughput?: number;
  availabilityZone?: string;
  /** Only AmazonECSManaged, AmazonECSCreated (the task ARN) and Name: the rest is not needed and would bloat snapshots. */
  tags: Record<string, string>;
  attachments: VolumeAttachmentFacts[];
}

/** An EC2 VolumeAttachment; a volume attached to a task has `associatedResource` (the task ARN), not `instanceId`. */
export interface VolumeAttachmentFacts {
  associatedResource?: string;
  instanceId?: string;
  /** attaching | attached | detaching | detached | busy */
  state?: string;
  instanceOwningService?: string;
}

// ---------------------------------------------------------------------------------------------
// Planned changes (filled by src/changes/ from `check --plan FILE`, `--change-set`, `--before-stack-delete`)

/** Code of a fact error for a value the source knows only once the change has run (Terraform's `after_unknown`). */
export const KNOWN_AFTER_APPLY = "KnownAfterApply";

/**
 * Where a managed policy or boundary known only after the change is filed in PlanFacts.managedPolicies: under this
 * prefix and the change's address, its entry the KnownAfterApply error (or the document, when the source has it).
 */
export const PLACEHOLDER_POLICY_PREFIX = "arn:ecs-preflight:changes:::known-after-apply/";

/** Where a change is written in its source: a Terraform resource address, or a stack's logical id. */
export type ChangeLocation =
  | { format: "terraform"; address: string }
  | {
      format: "cloudformation";
      /** The stack's name (a nested stack's own). */
      stack: string;
      logicalId: string;
      /** The template file the stack is deployed from, when given (`--template`). */
      template?: string;
    };

/** The source of the changes: which format, which file or stack. */
export type ChangeSource =
  | { format: "terraform"; file: string; formatVersion: string; terraformVersion?: string }
  | {
      format: "cloudformation";
      /** A change set (from a file, or described live), or a stack's deletion (`--before-stack-delete`). */
      kind: "change-set" | "stack-deletion";
      /** The change set file as given on the command line (`--plan FILE`). */
      file?: string;
      stack: string;
      stackId?: string;
      changeSetName?: string;
      changeSetId?: string;
      /** The nested stacks' change sets (or, for a deletion, the nested stacks) read too. */
      nested: string[];
      template?: string;
    };

export interface PlanFacts {
  source: ChangeSource;
  /** Why the source may leave changes out (an errored plan, a change set that is not AVAILABLE): it never passes. */
  incomplete?: string;
  /** Every role the change touches, with its state once the change has run. */
  roles: PlannedRole[];
  /**
   * Managed policies whose document the change sets (a new default version), by ARN; a deleted policy is an error
   * fact (NoSuchEntity), a document known only after the change one with code KnownAfterApply. The rest are as in
   * Facts.managedPolicies.
   */
  managedPolicies: Record<string, Fact<ManagedPolicy>>;
  /** ECS services the change deletes or replaces (addresses and names): their tasks are still stopping while it runs. */
  deletedServices: { address: string; name?: string; cluster?: string }[];
  /**
   * ECS services the change creates or updates whose load balancers it may set (addresses): they may name a role for
   * blue/green on a kind of load balancer the facts have not seen, so every kind's listener actions stay required.
   */
  deployedServices?: string[];
  /** Changes that touch an infrastructure role the source cannot name before the change runs. */
  unattributed: PlannedChange[];
}

/** One change as it affects one role. */
export interface PlannedChange {
  /** The location as one string: a Terraform address (module.x.aws_iam_role.y["a"]), or STACK/LogicalId. */
  address: string;
  location: ChangeLocation;
  /** The resource type as the source writes it: aws_iam_role, AWS::IAM::Role. */
  type: string;
  /** The source's actions: Terraform's ["delete"], ["delete","create"], …; CloudFormation's ["Remove"], ["Modify"]. */
  actions: string[];
  /** What it does to the role. */
  kind:
    | "delete-role"
    | "replace-role"
    | "create-role"
    | "trust"
    | "boundary"
    | "tags"
    | "attach"
    | "detach"
    | "put-inline"
    | "delete-inline"
    | "policy-document"
    | "delete-policy"
    | "other";
  /** One line for people: "detaches arn:aws:iam::aws:policy/…". */
  summary: string;
}

export interface PlannedRole {
  name: string;
  /** The role as the facts know it (its ARN when IAM told us). */
  ref: string;
  changes: PlannedChange[];
  /**
   * The role once the change has run: deleted, or its facts (trust, boundary, attachments, inline policies; a
   * value known only after the change is an error fact with code KnownAfterApply). `unknown` when today's state was
   * not in the facts (a snapshot without the role), or the source does not say how it changes.
   */
  after: { state: "deleted" } | { state: "exists"; role: RoleFacts } | { state: "unknown"; reason: string };
}

/**
 * What a live run asked of AWS: logical calls (one per SDK command, however many attempts it took), the retries the
 * SDK made, and the answers that were throttling errors (each throttled attempt, retried or not).
 */
export interface AwsCalls {
  calls: number;
  retries: number;
  throttled: number;
}
