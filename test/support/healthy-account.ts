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
  roleArnOf,
  trailEvent,
  VOLUMES_POLICY_ARN,
} from "../fake-aws/builders.ts";

/**
 * A healthy account that every read of the tool touches: one infrastructure role healthy for each of its uses (EBS
 * volumes, a Managed Instances capacity provider, an Express service), a live and a stopped task, an in-use volume and
 * CloudTrail events of its handling. Checked with no scope flags it passes (exit 0), so a fault that silently shrank
 * the scope, or a storm the retries did not ride out, shows.
 */

export const HEALTHY_ROLE = roleArnOf("api-role");

/** Pages of one (IAM, ECS) and two (CloudTrail): every paginator is followed, and there are more calls to fault. */
export const HEALTHY_PAGE_SIZE = { iam: 1, ecs: 1, cloudtrail: 2 } as const;

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();

export function healthyAccount(): FakeAccount {
  const ROLE = HEALTHY_ROLE;
  return {
    accountId: ACCOUNT_ID,
    roles: [
      infrastructureRole({
        name: "api-role",
        // Healthy for each of its uses: the capacity provider and the Express service need their own policies.
        attached: [
          VOLUMES_POLICY_ARN,
          awsManagedUsePolicy("managed-instances").arn,
          awsManagedUsePolicy("express").arn,
        ],
        inline: {
          logs: {
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Action: "logs:PutLogEvents", Resource: "*" }],
          },
        },
      }),
    ],
    managedPolicies: [
      awsManagedVolumesPolicy(),
      awsManagedUsePolicy("managed-instances"),
      awsManagedUsePolicy("express"),
    ],
    clusters: [
      {
        name: "prod",
        // The role's other uses are read too: each of those reads is denied alone below.
        services: [
          ebsService({ name: "api", roleArn: ROLE }),
          expressService({ name: "shop", roleArn: ROLE }),
        ],
        capacityProviders: [managedInstancesProvider({ name: "mi", roleArn: ROLE })],
        tasks: [
          ebsTask({ id: "api1", roleArn: ROLE, service: "api", volumeId: "vol-0api1" }),
          ebsTask({
            id: "api0",
            roleArn: ROLE,
            service: "api",
            volumeId: "vol-0api0",
            lastStatus: "STOPPED",
            attachmentStatus: "DELETED",
          }),
        ],
      },
    ],
    volumes: [
      {
        volumeId: "vol-0api1",
        state: "in-use",
        size: 100,
        tags: {
          AmazonECSManaged: "true",
          AmazonECSCreated: `arn:aws:ecs:us-east-1:${ACCOUNT_ID}:task/prod/api1`,
        },
        attachments: [
          {
            associatedResource: `arn:aws:ecs:us-east-1:${ACCOUNT_ID}:task/prod/api1`,
            state: "attached",
            instanceOwningService: "ecs.amazonaws.com",
          },
        ],
      },
    ],
    trailEvents: [
      trailEvent({
        eventName: "CreateVolume",
        eventTime: minutesAgo(50),
        roleArn: ROLE,
        volumeId: "vol-0api1",
      }),
      trailEvent({
        eventName: "AttachVolume",
        eventTime: minutesAgo(49),
        roleArn: ROLE,
        volumeId: "vol-0api1",
      }),
      trailEvent({
        eventName: "DetachVolume",
        eventTime: minutesAgo(20),
        roleArn: ROLE,
        volumeId: "vol-0api0",
      }),
      trailEvent({
        eventName: "DeleteVolume",
        eventTime: minutesAgo(19),
        roleArn: ROLE,
        volumeId: "vol-0api0",
      }),
    ],
  };
}
