import type { FakeAccount, FakeRole } from "../fake-aws/account.ts";
import { awsManagedVolumesPolicy, infrastructureRole, roleArnOf, trailEvent } from "../fake-aws/builders.ts";
import type { WorldOptions } from "../fake-aws/world.ts";

/**
 * An organisation for end-to-end tests: the management account (the caller) and two members in two Regions, each
 * with a healthy infrastructure role and some CloudTrail history in each Region. Member A trusts the management
 * account's audit role with an ExternalId; member B has no audit role (it cannot be assumed); one account is suspended.
 */

export const MANAGEMENT = "111122223333";
export const MEMBER_A = "444455556666";
export const MEMBER_B = "777788889999";
export const SUSPENDED = "222233334444";
export const REGIONS = ["us-east-1", "eu-west-1"] as const;
export const AUDIT_ROLE = "EcsPreflightAudit";
export const EXTERNAL_ID = "org-audit-7f3a";

export function auditRole(): FakeRole {
  return {
    name: AUDIT_ROLE,
    trustPolicy: {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { AWS: `arn:aws:iam::${MANAGEMENT}:root` },
          Action: "sts:AssumeRole",
          Condition: { StringEquals: { "sts:ExternalId": EXTERNAL_ID } },
        },
      ],
    },
  };
}

function accountRegion(accountId: string, region: string, extraRoles: FakeRole[] = []): FakeAccount {
  const roleArn = roleArnOf("ecsInfrastructureRole", accountId);
  const hour = Date.now() - 3_600_000;
  return {
    accountId,
    region,
    roles: [infrastructureRole(), ...extraRoles],
    managedPolicies: [awsManagedVolumesPolicy()],
    trailEvents: [0, 1, 2, 3].map((i) =>
      trailEvent({
        roleArn,
        region,
        eventName: "DescribeVolumes",
        eventTime: new Date(hour + i * 60_000).toISOString().replace(/\.\d{3}Z$/, "Z"),
        volumeId: `vol-${accountId.slice(0, 4)}${i}`,
      }),
    ),
  };
}

export function organisation(): { management: FakeAccount; world: WorldOptions } {
  return {
    management: accountRegion(MANAGEMENT, "us-east-1"),
    world: {
      accounts: [
        accountRegion(MANAGEMENT, "eu-west-1"),
        accountRegion(MEMBER_A, "us-east-1", [auditRole()]),
        accountRegion(MEMBER_A, "eu-west-1"),
        accountRegion(MEMBER_B, "us-east-1"),
        accountRegion(MEMBER_B, "eu-west-1"),
      ],
      members: [
        { id: MANAGEMENT },
        { id: MEMBER_A },
        { id: SUSPENDED, status: "SUSPENDED" },
        { id: MEMBER_B, fields: "status" },
      ],
      enabledRegions: { [MANAGEMENT]: [...REGIONS], [MEMBER_A]: [...REGIONS], [MEMBER_B]: [...REGIONS] },
      notOptedInRegions: ["ap-east-1"],
      buckets: ["audit-reports"],
    },
  };
}
