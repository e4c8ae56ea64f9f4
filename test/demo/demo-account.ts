import type { FakeAccount } from "../fake-aws/account.ts";
import {
  ACCOUNT_ID,
  awsManagedUsePolicy,
  awsManagedVolumesPolicy,
  ebsService,
  ebsTask,
  expressService,
  infrastructureRole,
  managedInstancesProvider,
  REGION,
  roleArnOf,
  trailEvent,
} from "../fake-aws/builders.ts";

/**
 * The bundled demo account (fixtures/demo/account.json is what the real collector reads from it): a small shop
 * with one of each problem ecs-preflight finds, at a fixed instant so the fixture is byte-stable.
 */
export const DEMO_NOW = new Date("2026-11-27T12:00:00.000Z");
const ago = (minutes: number) => new Date(DEMO_NOW.getTime() - minutes * 60_000).toISOString();
const doc = (...Statement: object[]) => ({ Version: "2012-10-17", Statement });
const taskArn = (cluster: string, id: string) => `arn:aws:ecs:${REGION}:${ACCOUNT_ID}:task/${cluster}/${id}`;
const UNABLE_LEGACY = `ECS was unable to assume the configured ECS Infrastructure Role '${roleArnOf("ecs-infra-legacy")}'. Please verify that the role being passed has the proper trust relationship with Amazon ECS`;

const ids = {
  orders1: "a1f0c3e2b4d54f6e8a9b0c1d2e3f4a5b",
  orders2: "b2e1d4f3c5e64a7f9b0c1d2e3f4a5b6c",
  reports1: "c3d2e5a4d6f75b8a0c1d2e3f4a5b6c7d",
  ledger1: "d4c3f6b5e7a86c9b1d2e3f4a5b6c7d8e",
  ledgerStuck: "e5b4a7c6f8b97d0c2e3f4a5b6c7d8e9f",
  search1: "f6a5b8d7a9c08e1d3f4a5b6c7d8e9f0a",
  etlStuck: "a7b6c9e8b0d19f2e4a5b6c7d8e9f0a1b",
  etlDone: "b8c7d0f9c1e2a03f5b6c7d8e9f0a1b2c",
  archive1: "c9d8e1f0d2f3b14a6c7d8e9f0a1b2c3d",
  export1: "c9d8e1a0d2f3b14a6c7d8e9f0a1b2c3d",
};

/** The documented PassRole grant for these ecs-infra-* roles. */
const passRoles = (...names: string[]) =>
  doc({
    Action: "iam:PassRole",
    Effect: "Allow",
    Resource: names.map((r) => `arn:aws:iam::*:role/ecs-infra-${r}`),
    Condition: { StringEquals: { "iam:PassedToService": "ecs.amazonaws.com" } },
  });
const ciTrust = doc({
  Effect: "Allow",
  Principal: { AWS: `arn:aws:iam::${ACCOUNT_ID}:root` },
  Action: "sts:AssumeRole",
});
/** createdBy as ECS reports it: the deploy role's ARN without its path (/ci/). */
const SHOP_DEPLOYER = roleArnOf("shop-deployer");
const ANALYTICS_DEPLOYER = roleArnOf("analytics-deployer");

export const demoAccount: FakeAccount = {
  accountId: ACCOUNT_ID,
  region: REGION,
  caller: { arn: `arn:aws:sts::${ACCOUNT_ID}:assumed-role/platform-audit/ci`, userId: "AROAEXAMPLEAUDIT:ci" },
  roles: [
    // Healthy: the documented trust policy and the AWS managed policy.
    infrastructureRole({ name: "ecs-infra-orders", createDate: "2025-06-01T09:00:00Z" }),
    // Trust names the task role's principal instead of ECS's: a common mix-up.
    infrastructureRole({
      name: "ecs-infra-reports",
      createDate: "2025-06-01T09:00:00Z",
      trustPolicy: doc({
        Sid: "AllowAccessToECSForInfrastructureManagement",
        Effect: "Allow",
        Principal: { Service: "ecs-tasks.amazonaws.com" },
        Action: "sts:AssumeRole",
      }),
    }),
    // An inline Deny added "to protect the ledger's data" removes ec2:DeleteVolume.
    infrastructureRole({
      name: "ecs-infra-ledger",
      createDate: "2025-06-01T09:00:00Z",
      inline: {
        "no-volume-deletes": doc({
          Sid: "KeepLedgerVolumes",
          Effect: "Deny",
          Action: "ec2:DeleteVolume",
          Resource: "*",
        }),
      },
    }),
    // Healthy only through a hand-written inline policy.
    infrastructureRole({
      name: "ecs-infra-search",
      createDate: "2025-06-01T09:00:00Z",
      attached: [],
      inline: {
        "ebs-lifecycle": doc(
          {
            Sid: "VolumeLifecycle",
            Effect: "Allow",
            Action: [
              "ec2:AttachVolume",
              "ec2:DetachVolume",
              "ec2:DeleteVolume",
              "ec2:CreateVolume",
              "ec2:CreateTags",
            ],
            Resource: "arn:aws:ec2:*:*:volume/*",
            Condition: { StringEquals: { "aws:ResourceTag/AmazonECSManaged": "true" } },
          },
          {
            Sid: "InstanceAttachments",
            Effect: "Allow",
            Action: ["ec2:AttachVolume", "ec2:DetachVolume"],
            Resource: "arn:aws:ec2:*:*:instance/*",
          },
          {
            Sid: "Describe",
            Effect: "Allow",
            Action: ["ec2:DescribeVolumes", "ec2:DescribeAvailabilityZones", "ec2:DescribeInstances"],
            Resource: "*",
          },
        ),
      },
    }),
    // The shop's Managed Instances capacity provider launches its instances with this role (ECS Managed Instances).
    infrastructureRole({
      name: "ecs-infra-compute",
      createDate: "2025-09-30T09:00:00Z",
      attached: [awsManagedUsePolicy("managed-instances").arn],
    }),
    // The storefront is an Express Mode service: ECS manages its load balancer and the rest with this role.
    infrastructureRole({
      name: "ecs-infra-storefront",
      createDate: "2025-11-21T09:00:00Z",
      attached: [awsManagedUsePolicy("express").arn],
    }),
    // Healthy in IAM, but the organization's guardrail SCP denies it ec2:DeleteVolume (see `organization`).
    infrastructureRole({ name: "ecs-infra-archive", createDate: "2025-06-01T09:00:00Z" }),
    // Healthy, and used only by standalone tasks: nobody is known to deploy with it.
    infrastructureRole({ name: "ecs-infra-batch", createDate: "2025-10-02T09:00:00Z" }),
    // ecs-infra-legacy was deleted while an ETL task still used it.
    // The caller is a read-only audit role: it deploys nothing, and is not who pass-role judges.
    {
      name: "platform-audit",
      path: "/platform/",
      trustPolicy: ciTrust,
      inline: {
        "read-only": doc({
          Effect: "Allow",
          Action: ["ecs:Describe*", "ecs:List*", "iam:Get*", "iam:List*"],
          Resource: "*",
        }),
      },
    },
    // The shop's deploy role created its services, and may pass their roles to ECS.
    {
      name: "shop-deployer",
      path: "/ci/",
      trustPolicy: ciTrust,
      inline: { "ecs-pass-role": passRoles("orders", "reports", "ledger", "compute", "archive") },
    },
    // The analytics deploy role's PassRole list predates ecs-infra-search: deployments of search cannot pass it.
    {
      name: "analytics-deployer",
      path: "/ci/",
      trustPolicy: ciTrust,
      inline: { "ecs-pass-role": passRoles("legacy", "storefront", "batch") },
    },
  ],
  managedPolicies: [
    awsManagedVolumesPolicy(),
    awsManagedUsePolicy("managed-instances"),
    awsManagedUsePolicy("express"),
  ],
  clusters: [
    {
      name: "shop",
      capacityProviders: [
        managedInstancesProvider({ name: "shop-compute", roleArn: roleArnOf("ecs-infra-compute") }),
      ],
      services: [
        ebsService({
          name: "orders",
          roleArn: roleArnOf("ecs-infra-orders"),
          createdBy: SHOP_DEPLOYER,
          deploymentId: "ecs-svc/1111111111111111111",
        }),
        ebsService({
          name: "reports",
          roleArn: roleArnOf("ecs-infra-reports"),
          createdBy: SHOP_DEPLOYER,
          deploymentId: "ecs-svc/2222222222222222222",
        }),
        ebsService({
          name: "ledger",
          roleArn: roleArnOf("ecs-infra-ledger"),
          createdBy: SHOP_DEPLOYER,
          deploymentId: "ecs-svc/3333333333333333333",
        }),
        ebsService({
          name: "archive",
          roleArn: roleArnOf("ecs-infra-archive"),
          createdBy: SHOP_DEPLOYER,
          deploymentId: "ecs-svc/5555555555555555555",
        }),
      ],
      tasks: [
        ebsTask({
          id: ids.orders1,
          roleArn: roleArnOf("ecs-infra-orders"),
          service: "orders",
          deploymentId: "ecs-svc/1111111111111111111",
          volumeId: "vol-0a1b2c3d4e5f60001",
        }),
        ebsTask({
          id: ids.orders2,
          roleArn: roleArnOf("ecs-infra-orders"),
          service: "orders",
          deploymentId: "ecs-svc/1111111111111111111",
          volumeId: "vol-0a1b2c3d4e5f60002",
        }),
        ebsTask({
          id: ids.reports1,
          roleArn: roleArnOf("ecs-infra-reports"),
          service: "reports",
          deploymentId: "ecs-svc/2222222222222222222",
          volumeId: "vol-0a1b2c3d4e5f60003",
        }),
        ebsTask({
          id: ids.archive1,
          roleArn: roleArnOf("ecs-infra-archive"),
          service: "archive",
          deploymentId: "ecs-svc/5555555555555555555",
          volumeId: "vol-0a1b2c3d4e5f60009",
        }),
        ebsTask({
          id: ids.ledger1,
          roleArn: roleArnOf("ecs-infra-ledger"),
          service: "ledger",
          deploymentId: "ecs-svc/3333333333333333333",
          volumeId: "vol-0a1b2c3d4e5f60004",
        }),
        ebsTask({
          id: ids.ledgerStuck,
          roleArn: roleArnOf("ecs-infra-ledger"),
          service: "ledger",
          deploymentId: "ecs-svc/3333333333333333333",
          lastStatus: "DEPROVISIONING",
          attachmentStatus: "DETACHED",
          volumeId: "vol-0a1b2c3d4e5f60005",
          stopCode: "ServiceSchedulerInitiated",
          stoppedReason: "Scaling activity initiated by deployment ecs-svc/3333333333333333333",
          stoppingAt: ago(95),
          executionStoppedAt: ago(94),
        }),
      ],
    },
    {
      name: "analytics",
      services: [
        expressService({ name: "storefront", roleArn: roleArnOf("ecs-infra-storefront") }),
        ebsService({
          name: "search",
          roleArn: roleArnOf("ecs-infra-search"),
          createdBy: ANALYTICS_DEPLOYER,
          deploymentId: "ecs-svc/4444444444444444444",
        }),
      ],
      tasks: [
        ebsTask({
          id: ids.search1,
          roleArn: roleArnOf("ecs-infra-search"),
          service: "search",
          deploymentId: "ecs-svc/4444444444444444444",
          volumeId: "vol-0a1b2c3d4e5f60006",
        }),
        ebsTask({
          id: ids.etlStuck,
          roleArn: roleArnOf("ecs-infra-legacy"),
          family: "nightly-etl",
          lastStatus: "DEPROVISIONING",
          attachmentStatus: "DETACHING",
          volumeId: "vol-0a1b2c3d4e5f60007",
          statusReason: UNABLE_LEGACY,
          stopCode: "EssentialContainerExited",
          stoppedReason: "Essential container in task exited",
          stoppingAt: ago(190),
          executionStoppedAt: ago(188),
        }),
        // A standalone export job (RunTask from a scheduler): it records nobody who deploys.
        ebsTask({
          id: ids.export1,
          roleArn: roleArnOf("ecs-infra-batch"),
          family: "nightly-export",
          volumeId: "vol-0a1b2c3d4e5f60010",
        }),
        ebsTask({
          id: ids.etlDone,
          roleArn: roleArnOf("ecs-infra-search"),
          family: "reindex",
          lastStatus: "STOPPED",
          attachmentStatus: "DELETED",
          volumeId: "vol-0a1b2c3d4e5f60008",
          stoppingAt: ago(300),
          executionStoppedAt: ago(299),
        }),
      ],
    },
  ],
  // A member of an organization whose guardrail SCP, meant to keep archived data, denies volume deletion to the
  // archive's role: its own policies allow ec2:DeleteVolume, the organization does not.
  organization: {
    scps: [{ name: "protect-archive-data", deny: ["ec2:DeleteVolume"], roles: ["ecs-infra-archive"] }],
  },
  volumes: [
    ...(
      [
        ["vol-0a1b2c3d4e5f60001", "shop", ids.orders1],
        ["vol-0a1b2c3d4e5f60002", "shop", ids.orders2],
        ["vol-0a1b2c3d4e5f60003", "shop", ids.reports1],
        ["vol-0a1b2c3d4e5f60004", "shop", ids.ledger1],
        ["vol-0a1b2c3d4e5f60006", "analytics", ids.search1],
        ["vol-0a1b2c3d4e5f60009", "shop", ids.archive1],
        ["vol-0a1b2c3d4e5f60010", "analytics", ids.export1],
      ] as const
    ).map(([volumeId, cluster, id]) => ({
      volumeId,
      state: "in-use",
      size: 100,
      volumeType: "gp3",
      iops: 3000,
      throughput: 125,
      availabilityZone: `${REGION}a`,
      createTime: ago(600),
      tags: { AmazonECSManaged: "true", AmazonECSCreated: taskArn(cluster, id) },
      attachments: [
        {
          associatedResource: taskArn(cluster, id),
          state: "attached",
          instanceOwningService: "ecs.amazonaws.com",
        },
      ],
    })),
    {
      volumeId: "vol-0a1b2c3d4e5f60005",
      state: "available",
      size: 100,
      volumeType: "gp3",
      iops: 3000,
      throughput: 125,
      availabilityZone: `${REGION}a`,
      createTime: ago(900),
      tags: { AmazonECSManaged: "true", AmazonECSCreated: taskArn("shop", ids.ledgerStuck) },
    },
    {
      volumeId: "vol-0a1b2c3d4e5f60007",
      state: "in-use",
      size: 200,
      volumeType: "gp3",
      iops: 3000,
      throughput: 125,
      availabilityZone: `${REGION}b`,
      createTime: ago(900),
      tags: { AmazonECSManaged: "true", AmazonECSCreated: taskArn("analytics", ids.etlStuck) },
      attachments: [
        {
          associatedResource: taskArn("analytics", ids.etlStuck),
          state: "detaching",
          instanceOwningService: "ecs.amazonaws.com",
        },
      ],
    },
    // The reindex task stopped hours ago and its volume was never deleted: it leaks.
    {
      volumeId: "vol-0a1b2c3d4e5f60008",
      state: "available",
      size: 500,
      // Provisioned above gp3's baseline: 500 × $0.08 + 3,000 × $0.005 + 125 × $0.04 = $60.00 a month.
      volumeType: "gp3",
      iops: 6000,
      throughput: 250,
      availabilityZone: `${REGION}a`,
      createTime: ago(1300),
      tags: { AmazonECSManaged: "true", AmazonECSCreated: taskArn("analytics", ids.etlDone) },
    },
  ],
  trailEvents: [
    trailEvent({
      eventName: "CreateVolume",
      eventTime: ago(600),
      roleArn: roleArnOf("ecs-infra-orders"),
      volumeId: "vol-0a1b2c3d4e5f60001",
    }),
    trailEvent({
      eventName: "AttachVolume",
      eventTime: ago(599),
      roleArn: roleArnOf("ecs-infra-orders"),
      volumeId: "vol-0a1b2c3d4e5f60001",
    }),
    trailEvent({
      eventName: "DetachVolume",
      eventTime: ago(300),
      roleArn: roleArnOf("ecs-infra-search"),
      volumeId: "vol-0a1b2c3d4e5f60008",
    }),
    trailEvent({
      eventName: "DetachVolume",
      eventTime: ago(93),
      roleArn: roleArnOf("ecs-infra-ledger"),
      volumeId: "vol-0a1b2c3d4e5f60005",
    }),
    ...[92, 62, 32, 2].map((m) =>
      trailEvent({
        eventName: "DeleteVolume",
        eventTime: ago(m),
        roleArn: roleArnOf("ecs-infra-ledger"),
        volumeId: "vol-0a1b2c3d4e5f60005",
        errorCode: "Client.UnauthorizedOperation",
      }),
    ),
  ],
};
