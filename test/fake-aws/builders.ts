import { readFileSync } from "node:fs";
import type {
  FakeCapacityProvider,
  FakeManagedPolicy,
  FakeRole,
  FakeService,
  FakeTask,
  FakeTaskTransition,
  FakeTrailEvent,
} from "./account.ts";
import { stableId } from "./state.ts";

/**
 * Builders for realistic fake-account pieces, so a test states only what matters to it. Shapes follow the
 * documented AWS examples (reference/aws-facts.md §1.5, §2.1, §4.4); anything marked UNVERIFIED there is modelled
 * by analogy and says so below.
 */

export const ACCOUNT_ID = "111122223333";
export const REGION = "us-east-1";
export const EBS_SESSION_NAME = "ECSTaskVolumesForEBS";

export const VOLUMES_POLICY_ARN =
  "arn:aws:iam::aws:policy/service-role/AmazonECSInfrastructureRolePolicyForVolumes";
export const TLS_POLICY_ARN =
  "arn:aws:iam::aws:policy/service-role/AmazonECSInfrastructureRolePolicyForServiceConnectTransportLayerSecurity";

function loadPolicy(file: string): object {
  return JSON.parse(readFileSync(new URL(`./policies/${file}`, import.meta.url), "utf8")) as object;
}

/** The AWS-documented trust policy of an ECS infrastructure role; `condition` adds a Condition block. */
export function ecsTrustPolicy(condition?: object): object {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "AllowAccessToECSForInfrastructureManagement",
        Effect: "Allow",
        Principal: { Service: "ecs.amazonaws.com" },
        Action: "sts:AssumeRole",
        ...(condition ? { Condition: condition } : {}),
      },
    ],
  };
}

/** AmazonECSInfrastructureRolePolicyForVolumes v5, verbatim; a fresh copy a test may edit. */
export function volumesPolicyDocument(): object {
  return loadPolicy("AmazonECSInfrastructureRolePolicyForVolumes.v5.json");
}

/** The AWS managed EBS policy as IAM serves it: default version v5. */
export function awsManagedVolumesPolicy(): FakeManagedPolicy {
  return {
    arn: VOLUMES_POLICY_ARN,
    name: "AmazonECSInfrastructureRolePolicyForVolumes",
    defaultVersionId: "v5",
    versions: { v5: volumesPolicyDocument() },
  };
}

/** The AWS managed Service Connect TLS policy: default version v4. */
export function awsManagedTlsPolicy(): FakeManagedPolicy {
  return {
    arn: TLS_POLICY_ARN,
    name: "AmazonECSInfrastructureRolePolicyForServiceConnectTransportLayerSecurity",
    defaultVersionId: "v4",
    versions: {
      v4: loadPolicy("AmazonECSInfrastructureRolePolicyForServiceConnectTransportLayerSecurity.v4.json"),
    },
  };
}

/** The AWS managed policies of the other uses (aws-facts §3.3), at their default versions; mind the paths. */
const OTHER_USE_POLICIES = {
  "managed-instances": {
    name: "AmazonECSInfrastructureRolePolicyForManagedInstances",
    path: "",
    version: "v12",
  },
  express: {
    name: "AmazonECSInfrastructureRoleforExpressGatewayServices",
    path: "service-role/",
    version: "v6",
  },
  "vpc-lattice": { name: "AmazonECSInfrastructureRolePolicyForVpcLattice", path: "", version: "v1" },
  "load-balancer": { name: "AmazonECSInfrastructureRolePolicyForLoadBalancers", path: "", version: "v6" },
} as const;

export type OtherUse = keyof typeof OTHER_USE_POLICIES;

/** The AWS managed policy of another use, as IAM serves it. */
export function awsManagedUsePolicy(use: OtherUse): FakeManagedPolicy {
  const { name, path, version } = OTHER_USE_POLICIES[use];
  return {
    arn: `arn:aws:iam::aws:policy/${path}${name}`,
    name,
    defaultVersionId: version,
    versions: { [version]: loadPolicy(`${name}.${version}.json`) },
  };
}

/** An ECS Managed Instances capacity provider that names `roleArn` as its infrastructure role. */
export function managedInstancesProvider(options: {
  name: string;
  roleArn: string;
  status?: string;
  transitions?: FakeCapacityProvider["transitions"];
}): FakeCapacityProvider {
  return {
    name: options.name,
    status: options.status ?? "ACTIVE",
    infrastructureRoleArn: options.roleArn,
    instanceProfileArn: `arn:aws:iam::${ACCOUNT_ID}:instance-profile/ecsInstanceRole`,
    ...(options.transitions ? { transitions: options.transitions } : {}),
  };
}

/** An Express Mode service (ECS-managed, canary deployment) whose infrastructure role is `roleArn`. */
export function expressService(options: { name: string; roleArn: string; status?: string }): FakeService {
  return {
    name: options.name,
    status: options.status ?? "ACTIVE",
    desiredCount: 1,
    runningCount: 1,
    pendingCount: 0,
    launchType: "FARGATE",
    deploymentConfiguration: { strategy: "CANARY" },
    deployments: [
      { id: `ecs-svc/${stableId("", options.name, 19, "hex")}`, status: "PRIMARY", desiredCount: 1 },
    ],
    express: {
      infrastructureRoleArn: options.roleArn,
      ...(options.status ? { status: options.status } : {}),
    },
  };
}

/**
 * A service whose PRIMARY deployment registers its tasks in a VPC Lattice target group (`latticeRoleArn`) and/or
 * whose load balancer shifts traffic blue/green (`loadBalancerRoleArn`, on the service's loadBalancers[]): on an
 * Application Load Balancer's listener rules (the default), or a Network Load Balancer's listeners
 * (`loadBalancerKind: "network"`), as advancedConfiguration's productionListenerRule and testListenerRule name them.
 */
export function networkedService(options: {
  name: string;
  latticeRoleArn?: string;
  loadBalancerRoleArn?: string;
  loadBalancerKind?: "application" | "network";
  status?: string;
}): FakeService {
  const deployment: Record<string, unknown> = {
    id: `ecs-svc/${stableId("", options.name, 19, "hex")}`,
    status: "PRIMARY",
    desiredCount: 1,
    ...(options.latticeRoleArn
      ? {
          vpcLatticeConfigurations: [
            {
              roleArn: options.latticeRoleArn,
              targetGroupArn: `arn:aws:vpc-lattice:${REGION}:${ACCOUNT_ID}:targetgroup/tg-0example`,
              portName: "http",
            },
          ],
        }
      : {}),
  };
  const tg = (n: string) =>
    `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT_ID}:targetgroup/${n}/0123456789abcdef`;
  const elb = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT_ID}`;
  // An ALB's route is a listener rule; an NLB has no rules: its route is a listener.
  const route = (listener: string) =>
    options.loadBalancerKind === "network"
      ? `${elb}:listener/net/web/0123456789abcdef/${listener}`
      : `${elb}:listener-rule/app/web/0123456789abcdef/${listener}/0123456789abcdef`;
  return {
    name: options.name,
    status: options.status ?? "ACTIVE",
    desiredCount: 1,
    runningCount: 1,
    pendingCount: 0,
    launchType: "FARGATE",
    ...(options.loadBalancerRoleArn
      ? {
          deploymentConfiguration: { strategy: "BLUE_GREEN", bakeTimeInMinutes: 5 },
          loadBalancers: [
            {
              targetGroupArn: tg("blue"),
              containerName: "web",
              containerPort: 80,
              advancedConfiguration: {
                alternateTargetGroupArn: tg("green"),
                productionListenerRule: route("0123456789abcdef"),
                testListenerRule: route("fedcba9876543210"),
                roleArn: options.loadBalancerRoleArn,
              },
            },
          ],
        }
      : {}),
    deployments: [deployment],
  };
}

/** A healthy infrastructure role: ECS trust, the managed EBS policy attached. Override any part. */
export function infrastructureRole(overrides: Partial<FakeRole> = {}): FakeRole {
  return {
    name: "ecsInfrastructureRole",
    trustPolicy: ecsTrustPolicy(),
    attached: [VOLUMES_POLICY_ARN],
    ...overrides,
  };
}

export function roleArnOf(name: string, accountId = ACCOUNT_ID): string {
  return `arn:aws:iam::${accountId}:role/${name}`;
}

export interface EbsTaskOptions {
  roleArn: string;
  id?: string;
  /** Default RUNNING. */
  lastStatus?: string;
  /** Default RUNNING, or STOPPED when lastStatus is STOPPING, DEPROVISIONING or STOPPED. */
  desiredStatus?: string;
  /** Default ATTACHED, or DETACHING while the task is DEPROVISIONING. */
  attachmentStatus?: string;
  /** Absent right after create (as in the AWS CLI example); present once attached. */
  volumeId?: string;
  volumeName?: string;
  deleteOnTermination?: boolean;
  statusReason?: string;
  /** A service task: group `service:<name>`, startedBy the deployment id. */
  service?: string;
  deploymentId?: string;
  /** A standalone task's family (group `family:<family>`); default "mytaskdef". */
  family?: string;
  stopCode?: string;
  stoppedReason?: string;
  stoppingAt?: string;
  executionStoppedAt?: string;
  onStop?: FakeTask["onStop"];
  /** How the task moves on by itself over DescribeTasks calls or the fake's clock (see FakeTaskTransition). */
  transitions?: FakeTaskTransition[];
  launchType?: "FARGATE" | "EC2" | "EXTERNAL" | "MANAGED_INSTANCES";
}

const STOPPING_STATES = new Set(["DEACTIVATING", "STOPPING", "DEPROVISIONING", "STOPPED", "DELETED"]);

/** A task with an ECS-managed EBS volume attachment, shaped like DescribeTasks output (aws-facts §1.2, §1.5). */
export function ebsTask(options: EbsTaskOptions): FakeTask {
  const lastStatus = options.lastStatus ?? "RUNNING";
  const stopping = STOPPING_STATES.has(lastStatus);
  const details = [
    { name: "roleArn", value: options.roleArn },
    { name: "volumeName", value: options.volumeName ?? "data" },
    ...(options.volumeId ? [{ name: "volumeId", value: options.volumeId }] : []),
    { name: "deleteOnTermination", value: String(options.deleteOnTermination ?? true) },
    ...(options.statusReason ? [{ name: "statusReason", value: options.statusReason }] : []),
  ];
  const seed = `${options.id ?? ""}/${options.volumeId ?? ""}/${options.roleArn}`;
  const task: FakeTask = {
    lastStatus,
    desiredStatus: options.desiredStatus ?? (stopping ? "STOPPED" : "RUNNING"),
    launchType: options.launchType ?? "FARGATE",
    attachments: [
      {
        id: uuidFrom(`eni/${seed}`),
        type: "ElasticNetworkInterface",
        status: stopping ? "DELETED" : "ATTACHED",
        details: [{ name: "subnetId", value: "subnet-070982705451dad82" }],
      },
      {
        id: uuidFrom(`ebs/${seed}`),
        type: "AmazonElasticBlockStorage",
        status: options.attachmentStatus ?? (lastStatus === "DEPROVISIONING" ? "DETACHING" : "ATTACHED"),
        details,
      },
    ],
  };
  if (options.id) task.id = options.id;
  if (options.service) {
    task.group = `service:${options.service}`;
    task.startedBy = options.deploymentId ?? "ecs-svc/7851020056849183687";
  } else {
    task.group = `family:${options.family ?? "mytaskdef"}`;
  }
  if (stopping) {
    task.stopCode = options.stopCode ?? "UserInitiated";
    task.stoppedReason = options.stoppedReason ?? "Task stopped by user";
  }
  if (options.stoppingAt) task.stoppingAt = options.stoppingAt;
  if (options.executionStoppedAt) task.executionStoppedAt = options.executionStoppedAt;
  if (options.onStop) task.onStop = options.onStop;
  if (options.transitions) task.transitions = options.transitions;
  return task;
}

export interface EbsServiceOptions {
  name: string;
  roleArn: string;
  deploymentId?: string;
  /** ACTIVE (default), DRAINING, INACTIVE. */
  status?: string;
  /** Adds a Service Connect TLS configuration with this infrastructure role. */
  tlsRoleArn?: string;
  /** DescribeServices' createdBy: the principal that created the service (real ECS gives a role ARN without its path). */
  createdBy?: string;
  /** desiredCount and runningCount (default 1 each): 0 and 0 is a service scaled to zero. */
  desiredCount?: number;
  runningCount?: number;
}

/** A service whose PRIMARY deployment configures an ECS-managed EBS volume (aws-facts §2.1). */
export function ebsService(options: EbsServiceOptions): FakeService {
  const deploymentId = options.deploymentId ?? "ecs-svc/7851020056849183687";
  const deployment: Record<string, unknown> = {
    id: deploymentId,
    status: "PRIMARY",
    desiredCount: 1,
    pendingCount: 0,
    runningCount: 1,
    failedTasks: 0,
    createdAt: "2025-01-21T17:32:38.034Z",
    updatedAt: "2025-01-21T17:32:38.034Z",
    launchType: "FARGATE",
    rolloutState: "COMPLETED",
    volumeConfigurations: [
      {
        name: "data",
        managedEBSVolume: {
          volumeType: "gp3",
          sizeInGiB: 100,
          iops: 3000,
          throughput: 125,
          roleArn: options.roleArn,
          filesystemType: "ext4",
        },
      },
    ],
  };
  if (options.tlsRoleArn) {
    deployment.serviceConnectConfiguration = {
      enabled: true,
      namespace: `arn:aws:servicediscovery:${REGION}:${ACCOUNT_ID}:namespace/ns-example`,
      services: [
        {
          portName: "http",
          discoveryName: options.name,
          clientAliases: [{ port: 80, dnsName: options.name }],
          tls: {
            issuerCertificateAuthority: {
              awsPcaAuthorityArn: `arn:aws:acm-pca:${REGION}:${ACCOUNT_ID}:certificate-authority/example`,
            },
            roleArn: options.tlsRoleArn,
          },
        },
      ],
    };
  }
  return {
    name: options.name,
    status: options.status ?? "ACTIVE",
    desiredCount: options.desiredCount ?? 1,
    runningCount: options.runningCount ?? 1,
    pendingCount: 0,
    launchType: "FARGATE",
    ...(options.createdBy ? { createdBy: options.createdBy } : {}),
    deployments: [
      { ...deployment, desiredCount: options.desiredCount ?? 1, runningCount: options.runningCount ?? 1 },
    ],
  };
}

export interface TrailEventOptions {
  /** CreateVolume, CreateTags, AttachVolume, DetachVolume, DeleteVolume, DescribeVolumes, … */
  eventName: string;
  eventTime: string;
  /** The infrastructure role whose session made the call. */
  roleArn: string;
  volumeId?: string;
  /** e.g. "Client.UnauthorizedOperation"; without errorMessage a realistic message is written. */
  errorCode?: string;
  errorMessage?: string;
  /** Default ECSTaskVolumesForEBS. */
  sessionName?: string;
  region?: string;
}

/** A deterministic UUID-shaped id. */
function uuidFrom(seed: string): string {
  const hex = stableId("", seed, 32, "hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** requestParameters in the shape EC2 writes to CloudTrail for each call (query-style names for sets). */
function requestParameters(eventName: string, volumeId: string | undefined, region: string): object | null {
  switch (eventName) {
    case "CreateVolume":
      return { size: 100, zone: `${region}a`, volumeType: "gp3", encrypted: false };
    case "CreateTags":
      return volumeId ? { resourcesSet: { items: [{ resourceId: volumeId }] }, tagSet: {} } : null;
    case "DescribeVolumes":
      return { volumeSet: volumeId ? { items: [{ volumeId }] } : {}, filterSet: {} };
    case "DetachVolume":
      return volumeId ? { volumeId, force: false } : null;
    default:
      return volumeId ? { volumeId } : null;
  }
}

/**
 * A CloudTrail record of a call made by ECS with the infrastructure role's session: userIdentity AssumedRole,
 * sessionIssuer = the role, invokedBy ecs.amazonaws.com, eventSource ec2.amazonaws.com. Modelled on real
 * service-session records (aws-facts §4.4): no real ECSTaskVolumesForEBS record has been published.
 */
export function trailEvent(options: TrailEventOptions): FakeTrailEvent {
  const sessionName = options.sessionName ?? EBS_SESSION_NAME;
  const region = options.region ?? REGION;
  const accountId = options.roleArn.split(":")[4] ?? ACCOUNT_ID;
  const roleName = options.roleArn.slice(options.roleArn.lastIndexOf("/") + 1);
  const roleId = stableId("AROA", `${accountId}/role/${roleName}`, 17);
  const sessionArn = `arn:aws:sts::${accountId}:assumed-role/${roleName}/${sessionName}`;
  const seed = `${options.eventTime}/${options.eventName}/${options.volumeId ?? ""}/${options.roleArn}`;
  const action = `ec2:${options.eventName}`;
  const resource = options.volumeId
    ? ` on resource: arn:aws:ec2:${region}:${accountId}:volume/${options.volumeId}`
    : "";
  const errorMessage =
    options.errorMessage ??
    (options.errorCode === "Client.UnauthorizedOperation"
      ? `You are not authorized to perform this operation. User: ${sessionArn} is not authorized to perform: ` +
        `${action}${resource} because no identity-based policy allows the ${action} action. ` +
        "Encoded authorization failure message: EXAMPLE"
      : undefined);
  const failed = options.errorCode !== undefined;
  const record = {
    eventVersion: "1.09",
    userIdentity: {
      type: "AssumedRole",
      principalId: `${roleId}:${sessionName}`,
      arn: sessionArn,
      accountId,
      accessKeyId: stableId("ASIA", `${seed}/key`, 16),
      sessionContext: {
        sessionIssuer: {
          type: "Role",
          principalId: roleId,
          arn: options.roleArn,
          accountId,
          userName: roleName,
        },
        webIdFederationData: {},
        attributes: { creationDate: options.eventTime, mfaAuthenticated: "false" },
      },
      invokedBy: "ecs.amazonaws.com",
    },
    eventTime: options.eventTime,
    eventSource: "ec2.amazonaws.com",
    eventName: options.eventName,
    awsRegion: region,
    sourceIPAddress: "ecs.amazonaws.com",
    userAgent: "ecs.amazonaws.com",
    ...(failed ? { errorCode: options.errorCode, errorMessage } : {}),
    requestParameters: requestParameters(options.eventName, options.volumeId, region),
    responseElements:
      options.eventName === "CreateVolume" && !failed && options.volumeId
        ? { volumeId: options.volumeId, status: "creating" }
        : null,
    requestID: uuidFrom(`${seed}/request`),
    eventID: uuidFrom(`${seed}/event`),
    readOnly: options.eventName.startsWith("Describe"),
    eventType: "AwsApiCall",
    managementEvent: true,
    recipientAccountId: accountId,
    eventCategory: "Management",
  };
  return {
    eventName: options.eventName,
    eventTime: options.eventTime,
    username: sessionName,
    eventSource: "ec2.amazonaws.com",
    eventId: record.eventID,
    record,
  };
}
