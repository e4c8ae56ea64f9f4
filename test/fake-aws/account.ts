import type { FakeCloudFormation } from "./cloudformation.ts";

/**
 * The account a fake AWS server serves: small, plain data that a test writes inline (or with ./builders.ts).
 * Policy documents may be objects (serialised with JSON.stringify) or strings (sent exactly as given, so a test
 * can serve a malformed document). Timestamps are ISO 8601 strings; each protocol renders them its own way.
 */

/** The services the fake speaks. */
export type AwsService =
  | "iam"
  | "sts"
  | "ecs"
  | "cloudtrail"
  | "ec2"
  | "organizations"
  | "s3"
  | "cloudformation";

export interface FakeAccount {
  /** Twelve digits, e.g. "111122223333". */
  accountId: string;
  /** Default "us-east-1". */
  region?: string;
  /**
   * What STS GetCallerIdentity answers: an IAM user ARN, an assumed-role ARN (`arn:aws:sts::…:assumed-role/R/s`), or
   * any other. Default an IAM user `preflight` in the account, which the fake serves (unless `users` names it) with the
   * PassRole policy AWS documents for `role/*`, so a default check passes pass-role.
   */
  caller?: { arn: string; userId: string };
  roles?: FakeRole[];
  /** IAM users (GetUser and the user policy calls). */
  users?: FakeUser[];
  /** IAM groups, which users name in `groups`. */
  groups?: FakeGroup[];
  /** Customer and AWS managed policies, by ARN. */
  managedPolicies?: FakeManagedPolicy[];
  clusters?: FakeCluster[];
  trailEvents?: FakeTrailEvent[];
  volumes?: FakeVolume[];
  /** Stacks and change sets (./cloudformation.ts). */
  cloudformation?: FakeCloudFormation;
  /**
   * The organization the account is in (Organizations DescribeOrganization, and the SCPs IAM's
   * SimulatePrincipalPolicy applies). Absent: the account is in none (AWSOrganizationsNotInUseException).
   */
  organization?: FakeOrganization;
  /**
   * What SimulatePrincipalPolicy answers as EvalDecision for these actions whatever the policies say: a stand-in
   * for AWS's evaluator deciding differently from the project's (the fake otherwise uses the project's own).
   */
  simulatorDecisions?: Record<string, "allowed" | "explicitDeny" | "implicitDeny">;
}

export interface FakeOrganization {
  /** MasterAccountId; default "999988887777" (another account). The account itself: SCPs do not apply to it. */
  managementAccountId?: string;
  scps?: FakeScp[];
}

/**
 * A service control policy, as scenario data: it denies these actions (globs) to these roles (default: every role);
 * or, with `document`, its statements decide, as AWS's simulator evaluates an SCP.
 */
export interface FakeScp {
  name: string;
  deny: string[];
  /** Role names it applies to (case-insensitive); default every role of the account. */
  roles?: string[];
  /**
   * The SCP's document (its Deny statements, beside an implicit FullAWSAccess), evaluated on each action and resource
   * with the call's ContextEntries; a condition key the call does not supply is absent, as AWS's simulator
   * evaluates SCP conditions (aws/aws-cli#10525), never reported in MissingContextValues.
   */
  document?: object;
}

export type PolicyText = object | string;

export interface FakeRole {
  name: string;
  /** IAM path, default "/". */
  path?: string;
  trustPolicy: PolicyText;
  /** ARN of the permissions boundary policy. */
  boundaryArn?: string;
  /** ARNs of the attached managed policies. */
  attached?: string[];
  /** Inline policies by name. */
  inline?: Record<string, PolicyText>;
  createDate?: string;
  /** The role's tags (GetRole's Tags). */
  tags?: Record<string, string>;
}

export interface FakeUser {
  name: string;
  /** IAM path, default "/". */
  path?: string;
  boundaryArn?: string;
  attached?: string[];
  inline?: Record<string, PolicyText>;
  /** Names of the groups the user is in, in ListGroupsForUser order. */
  groups?: string[];
}

export interface FakeGroup {
  name: string;
  path?: string;
  attached?: string[];
  inline?: Record<string, PolicyText>;
}

export interface FakeManagedPolicy {
  arn: string;
  /** Default: the last segment of the ARN. */
  name?: string;
  defaultVersionId: string;
  /** Documents by version id ("v1", "v5", …). */
  versions: Record<string, PolicyText>;
}

export interface FakeCluster {
  name: string;
  services?: FakeService[];
  tasks?: FakeTask[];
  /** DescribeCapacityProviders with `cluster`: this cluster's providers (Managed Instances ones only when asked so). */
  capacityProviders?: FakeCapacityProvider[];
}

/** An ECS capacity provider. Extra keys are passed through to DescribeCapacityProviders as given. */
export interface FakeCapacityProvider {
  name: string;
  /** Default MANAGED_INSTANCES when it names an infrastructure role, else EC2_AUTOSCALING. */
  type?: string;
  /** PROVISIONING, ACTIVE (default), DEPROVISIONING or INACTIVE. */
  status?: string;
  /** managedInstancesProvider.infrastructureRoleArn. */
  infrastructureRoleArn?: string;
  /** managedInstancesProvider.instanceLaunchTemplate.ec2InstanceProfileArn. */
  instanceProfileArn?: string;
  /** Status changes, each due once DescribeCapacityProviders has shown the provider `afterDescribes` times. */
  transitions?: { afterDescribes: number; status: string }[];
  [key: string]: unknown;
}

/** An ECS service. Extra keys are passed through to DescribeServices as given (ISO times become epoch seconds). */
export interface FakeService {
  name: string;
  /** ACTIVE (default), DRAINING or INACTIVE; ListServices shows ACTIVE services only, as ECS does. */
  status?: string;
  /** Raw ECS Deployment JSON. */
  deployments?: object[];
  /**
   * An Express service: DescribeServices says resourceManagementType ECS, and DescribeExpressGatewayService answers
   * with this infrastructure role (and status, default ACTIVE).
   */
  express?: { infrastructureRoleArn: string; status?: string };
  /**
   * DescribeServices' createdBy, as given: the principal that created the service. ECS reports a role as
   * `arn:aws:iam::ACCOUNT:role/NAME`, without the role's path, so a test may give it so.
   */
  createdBy?: string;
  [key: string]: unknown;
}

/** An ECS task. Extra keys are passed through to DescribeTasks as given (ISO times become epoch seconds). */
export interface FakeTask {
  /** Full task ARN; or give `id`; or neither and the server derives a stable id. */
  taskArn?: string;
  id?: string;
  lastStatus: string;
  desiredStatus: string;
  /** e.g. "service:web" (matched by ListTasks serviceName) or "family:mytaskdef". */
  group?: string;
  startedBy?: string;
  stoppingAt?: string;
  executionStoppedAt?: string;
  stopCode?: string;
  stoppedReason?: string;
  attachments?: object[];
  /** What StopTask does to lastStatus: "stopped" (default) or "deprovisioning" (stays there until the test moves it). */
  onStop?: "stopped" | "deprovisioning";
  /** How the task moves on by itself, in order (a task in ECS's lifecycle as `wait` sees it over several polls). */
  transitions?: FakeTaskTransition[];
  /**
   * ListTasks lists the task but DescribeTasks does not describe it: it answers a `MISSING` failure ("missing"),
   * or neither the task nor a failure ("omitted"), as an eventually consistent answer can.
   */
  undescribed?: "missing" | "omitted";
  [key: string]: unknown;
}

/**
 * One step of a task's own lifecycle, due either after DescribeTasks has shown the task `afterDescribes` times (so
 * the N-th description still shows the old state: deterministic, no sleeping) or once the fake's clock (`now`)
 * reaches `at`. Every other key is set on the task. A stopping `lastStatus` without `desiredStatus` also sets
 * desiredStatus STOPPED (ListTasks then lists it as STOPPED); STOPPED without `stoppedAt` stamps the clock's time.
 */
export interface FakeTaskTransition {
  afterDescribes?: number;
  at?: string;
  lastStatus?: string;
  desiredStatus?: string;
  /** Sets the status of the task's AmazonElasticBlockStorage attachment(s). */
  ebsAttachmentStatus?: string;
  [key: string]: unknown;
}

export interface FakeTrailEvent {
  eventName: string;
  eventTime: string;
  /** The session name CloudTrail shows as User name, e.g. "ECSTaskVolumesForEBS". */
  username: string;
  /** The CloudTrailEvent JSON; the server stringifies it. */
  record: object;
  /** Default: record.eventSource, else "ec2.amazonaws.com". */
  eventSource?: string;
  /** Default: record.eventID, else a stable id derived from the event. */
  eventId?: string;
}

export interface FakeVolume {
  volumeId: string;
  /** creating | available | in-use | deleting | deleted | error */
  state: string;
  tags?: Record<string, string>;
  /** EC2 VolumeAttachment fields in SDK spelling: associatedResource, instanceOwningService, state, … */
  attachments?: object[];
  /** Other scalar Volume fields in SDK spelling (size, availabilityZone, volumeType, createTime, encrypted, …). */
  [key: string]: unknown;
}
