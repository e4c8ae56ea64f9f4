import { expect } from "vitest";
import type { Facts, RoleFacts, TaskFacts, TrailEvent, TrailFacts } from "../../src/facts/types.ts";
import { ACCOUNT, deletedRole, err, facts, ok, role } from "../../test/support/facts.ts";
import { testRule } from "../../test/support/rule-tester.ts";
import rule from "./index.ts";

const EBS = "ECSTaskVolumesForEBS";
const TLS = "ECSServiceConnectForTLS";
const arnOf = (name: string, account = ACCOUNT) => `arn:aws:iam::${account}:role/${name}`;
const INFRA = arnOf("ecsInfra");
const TLS_ROLE = arnOf("ecsTls");
/** facts() collects at 2026-11-27T12:00:00Z; the window is the day before. */
const START = "2026-11-26T12:00:00Z";
const at = (hh: string) => `2026-11-27T${hh}:00:00Z`;

function call(eventName: string, time: string, extra: Partial<TrailEvent> = {}): TrailEvent {
  return {
    eventId: `${eventName}-${time}`,
    eventName,
    eventTime: time,
    eventSource: "ec2.amazonaws.com",
    roleArn: INFRA,
    ...extra,
  };
}
const denied = (eventName: string, time: string, volumeId?: string, extra: Partial<TrailEvent> = {}) =>
  call(eventName, time, {
    errorCode: "Client.UnauthorizedOperation",
    errorMessage:
      `You are not authorized to perform this operation. User: arn:aws:sts::${ACCOUNT}:assumed-role/ecsInfra/${EBS} is not authorized to perform: ` +
      `ec2:${eventName} because no identity-based policy allows the ec2:${eventName} action. Encoded authorization failure message: AbCdEf`,
    ...(volumeId ? { volumeId } : {}),
    ...extra,
  });

function trail(sessions: Record<string, TrailEvent[] | TrailFacts["sessions"][string]>): TrailFacts {
  return {
    startTime: START,
    sessions: Object.fromEntries(
      Object.entries(sessions).map(([name, v]) => [name, Array.isArray(v) ? ok(v) : v]),
    ),
  };
}

const infra = role("ecsInfra");
const tlsRole = role("ecsTls", {
  referencedBy: [
    {
      kind: "service",
      cluster: "arn:aws:ecs:us-east-1:111122223333:cluster/prod",
      service: "web",
      use: "service-connect-tls",
    },
  ],
});
const withTrail = (roles: RoleFacts[], t: TrailFacts, extra: Partial<Facts> = {}) =>
  facts(roles, { trail: t, ...extra });

function stuckTask(id: string, volumeId: string, lastStatus = "DEPROVISIONING"): TaskFacts {
  return {
    arn: `arn:aws:ecs:us-east-1:${ACCOUNT}:task/prod/${id}`,
    clusterArn: `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/prod`,
    lastStatus,
    desiredStatus: "STOPPED",
    ebsAttachments: [{ id: "att-1", status: "DETACHING", roleArn: INFRA, volumeId }],
  };
}
const ecsWith = (...tasks: TaskFacts[]): Pick<Facts, "ecs"> => ({
  ecs: {
    clusters: ok([
      {
        arn: `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/prod`,
        name: "prod",
        services: ok([]),
        tasks: ok(tasks),
      },
    ]),
  },
});

testRule(rule, {
  valid: [
    {
      name: "no calls in the window is a pass for what was looked at",
      facts: withTrail([infra], trail({ [EBS]: [] })),
      expect: { [INFRA]: "pass" },
      message: { [INFRA]: /no calls in the window \(the last 1d\) by its ECSTaskVolumesForEBS sessions/ },
    },
    {
      name: "only successful calls",
      facts: withTrail(
        [infra],
        trail({
          [EBS]: [
            call("CreateVolume", at("09")),
            call("DetachVolume", at("10")),
            call("DeleteVolume", at("11")),
          ],
        }),
      ),
      expect: { [INFRA]: "pass" },
      message: { [INFRA]: /3 calls by its ECSTaskVolumesForEBS sessions in the last 1d, none failed/ },
    },
    {
      name: "failures of another role under the same session name are not this role's",
      facts: withTrail(
        [infra],
        trail({ [EBS]: [denied("DeleteVolume", at("10"), "vol-1", { roleArn: arnOf("otherRole") })] }),
      ),
      expect: { [INFRA]: "pass" },
    },
    {
      name: "a role of the same name in another account is another role",
      facts: withTrail(
        [infra],
        trail({
          [EBS]: [denied("DeleteVolume", at("10"), "vol-1", { roleArn: arnOf("ecsInfra", "444455556666") })],
        }),
      ),
      expect: { [INFRA]: "pass" },
    },
    {
      name: "a failure older than the window (as a snapshot may hold) is ignored",
      facts: withTrail(
        [infra],
        trail({
          [EBS]: [denied("DeleteVolume", "2026-11-26T11:59:59Z", "vol-1"), call("DetachVolume", at("10"))],
        }),
      ),
      expect: { [INFRA]: "pass" },
    },
    {
      name: "an unreadable record older than the window is ignored",
      facts: withTrail(
        [infra],
        trail({
          [EBS]: [
            {
              eventId: "x",
              eventName: "DeleteVolume",
              eventTime: "2026-11-25T00:00:00Z",
              eventSource: "ec2.amazonaws.com",
              malformed: "not JSON",
            },
          ],
        }),
      ),
      expect: { [INFRA]: "pass" },
    },
    {
      name: "the TLS session does not count for a role only used for EBS volumes",
      facts: withTrail([infra], trail({ [EBS]: [], [TLS]: [denied("GetSecretValue", at("10"))] })),
      expect: { [INFRA]: "pass" },
    },
    {
      name: "a deleted role is left to role-exists",
      facts: withTrail(
        [deletedRole("ecsInfra")],
        trail({ [EBS]: [denied("DeleteVolume", at("10"), "vol-1")] }),
      ),
      expect: {},
    },
    {
      name: "CloudTrail not looked at (rule off when collected): nothing checked",
      facts: facts([infra]),
      expect: {},
    },
  ],
  invalid: [
    {
      name: "DeleteVolume refused with Client.UnauthorizedOperation: action, code, volumes, first and last failure",
      facts: withTrail(
        [role("ecsInfra", { attached: [] })],
        trail({
          [EBS]: [
            denied("DeleteVolume", at("11"), "vol-2"),
            call("DetachVolume", at("10"), { volumeId: "vol-2" }),
            denied("DeleteVolume", at("09"), "vol-1"),
            denied("DeleteVolume", at("08"), "vol-1"),
          ],
        }),
      ),
      expect: { [INFRA]: "fail" },
      message: {
        [INFRA]:
          /^ecsInfra: 3 failed calls by its ECSTaskVolumesForEBS sessions in the last 1d: DeleteVolume denied 3× \(Client\.UnauthorizedOperation\) on vol-2, vol-1\. First failure 2026-11-27T08:00:00Z, last 2026-11-27T11:00:00Z\. AWS said: "You are not authorized .* ec2:DeleteVolume action\."$/,
      },
      assert: ([f]) => {
        expect(f?.details).toMatchObject({
          calls: 4,
          failures: 3,
          byAction: { DeleteVolume: { "Client.UnauthorizedOperation": 3 } },
          firstFailure: at("08"),
          lastFailure: at("11"),
          volumes: ["vol-1", "vol-2"],
          recovered: [],
          stuckTasks: [],
        });
        expect(f?.message).not.toMatch(/Encoded authorization/);
        expect(f?.remediation).toMatch(
          /aws iam attach-role-policy --role-name ecsInfra --policy-arn arn:aws:iam::aws:policy\/service-role\/AmazonECSInfrastructureRolePolicyForVolumes/,
        );
        expect(f?.remediation).toMatch(
          /aws cloudtrail lookup-events --region us-east-1 --lookup-attributes AttributeKey=Username,AttributeValue=ECSTaskVolumesForEBS --start-time 2026-11-27T08:00:00Z --output json \| jq -r /,
        );
      },
    },
    {
      name: "refused although the role's own policies allow it: the fix looks outside them (SCP), not at attaching a policy",
      facts: withTrail([infra], trail({ [EBS]: [denied("DetachVolume", at("10"), "vol-1")] })),
      expect: { [INFRA]: "fail" },
      assert: ([f]) => {
        expect(f?.remediation).toMatch(
          /ecsInfra's own policies allow ec2:DetachVolume, yet the calls were refused: look outside them/,
        );
        expect(f?.remediation).toMatch(
          /aws organizations list-policies-for-target --target-id 111122223333 --filter SERVICE_CONTROL_POLICY/,
        );
        expect(f?.remediation).not.toMatch(/attach-role-policy/);
      },
    },
    {
      name: "a stuck task whose volume DeleteVolume is denied on is named, through the volume id",
      facts: withTrail(
        [infra],
        trail({
          [EBS]: [denied("DeleteVolume", at("11"), "vol-1"), denied("DeleteVolume", at("10"), "vol-9")],
        }),
        ecsWith(stuckTask("0123abcd", "vol-1"), stuckTask("running1", "vol-9", "RUNNING")),
      ),
      expect: { [INFRA]: "fail" },
      message: {
        [INFRA]:
          /Task 0123abcd is stuck because DeleteVolume on vol-1 is denied \(Client\.UnauthorizedOperation\)\./,
      },
      assert: ([f]) => {
        expect(f?.details?.stuckTasks).toEqual([
          {
            taskArn: `arn:aws:ecs:us-east-1:${ACCOUNT}:task/prod/0123abcd`,
            clusterArn: `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/prod`,
            volumeId: "vol-1",
            action: "DeleteVolume",
            errorCode: "Client.UnauthorizedOperation",
            lastFailure: at("11"),
          },
        ]);
        expect(f?.message).not.toMatch(/running1/); // a running task is not stuck
      },
    },
    {
      name: "a failure followed by a success of the same action on the same volume is reported, saying it may have recovered",
      facts: withTrail(
        [infra],
        trail({
          [EBS]: [
            call("DetachVolume", at("11"), { volumeId: "vol-1" }),
            denied("DetachVolume", at("10"), "vol-1"),
            denied("DeleteVolume", at("09"), "vol-2"),
          ],
        }),
      ),
      expect: { [INFRA]: "fail" },
      message: {
        [INFRA]:
          /The last call succeeded for DetachVolume on vol-1 \(2026-11-27T11:00:00Z\): that may have recovered, but it failed inside the window\.$/,
      },
      assert: ([f]) => {
        expect(f?.details?.recovered).toEqual([
          { action: "DetachVolume", volumeId: "vol-1", lastSuccess: at("11") },
        ]);
        expect(f?.message).not.toMatch(/DeleteVolume on vol-2 \(/); // still failing: not called recovered
      },
    },
    {
      name: "AccessDenied from KMS (CreateGrant on the volume's key) fails and points at the key policy",
      facts: withTrail(
        [infra],
        trail({
          [EBS]: [
            call("CreateGrant", at("10"), {
              eventSource: "kms.amazonaws.com",
              errorCode: "AccessDenied",
              errorMessage: "User is not authorized to perform kms:CreateGrant",
            }),
          ],
        }),
      ),
      expect: { [INFRA]: "fail" },
      message: { [INFRA]: /CreateGrant denied 1× \(AccessDenied\)/ },
      assert: ([f]) => {
        expect(f?.remediation).toMatch(
          /ecsInfra was refused kms:CreateGrant: allow them for the role \(for kms:\*, in the KMS key policy too\)/,
        );
        expect(f?.remediation).not.toMatch(/attach-role-policy/);
      },
    },
    {
      name: "AccessDenied on STS (AssumeRole from the session) fails naming sts:AssumeRole",
      facts: withTrail(
        [infra],
        trail({
          [EBS]: [
            call("AssumeRole", at("10"), { eventSource: "sts.amazonaws.com", errorCode: "AccessDenied" }),
          ],
        }),
      ),
      expect: { [INFRA]: "fail" },
      message: { [INFRA]: /AssumeRole denied 1× \(AccessDenied\)/ },
      assert: ([f]) => expect(f?.remediation).toMatch(/was refused sts:AssumeRole/),
    },
    {
      name: "any other error code fails too, and is not called a permissions problem",
      facts: withTrail(
        [infra],
        trail({
          [EBS]: [
            call("DetachVolume", at("10"), {
              volumeId: "vol-1",
              errorCode: "Client.IncorrectState",
              errorMessage: "Volume 'vol-1' is in the 'available' state.",
            }),
          ],
        }),
      ),
      expect: { [INFRA]: "fail" },
      message: { [INFRA]: /DetachVolume failed 1× \(Client\.IncorrectState\) on vol-1/ },
      assert: ([f]) =>
        expect(f?.remediation).toMatch(
          /DetachVolume failed with Client\.IncorrectState: not a permissions problem/,
        ),
    },
    {
      name: "a role named in another case is the role CloudTrail names (IAM role names ignore case)",
      facts: withTrail(
        [role("ECSINFRA", { role: err("iam:GetRole") })],
        trail({ [EBS]: [denied("DeleteVolume", at("10"), "vol-1")] }),
      ),
      expect: { [arnOf("ECSINFRA")]: "fail" },
    },
    {
      name: "GetRole failed and no failed call: unknown, since the role may be gone",
      facts: withTrail(
        [role("ecsInfra", { role: err("iam:GetRole") })],
        trail({ [EBS]: [call("DescribeVolumes", at("10"))] }),
      ),
      expect: { [INFRA]: "unknown" },
      message: { [INFRA]: /a role that may not exist: iam:GetRole failed with AccessDenied/ },
    },
    {
      name: "LookupEvents denied: unknown, naming the API and the permission",
      facts: withTrail([infra], trail({ [EBS]: err("cloudtrail:LookupEvents", "AccessDeniedException") })),
      expect: { [INFRA]: "unknown" },
      message: {
        [INFRA]:
          /Could not check the CloudTrail events of ecsInfra's ECSTaskVolumesForEBS sessions: cloudtrail:LookupEvents failed with AccessDeniedException/,
      },
      assert: ([f]) => expect(f?.details?.missingPermission).toBe("cloudtrail:LookupEvents"),
    },
    {
      name: "LookupEvents throttled past the SDK's retries: unknown",
      facts: withTrail(
        [infra],
        trail({ [EBS]: err("cloudtrail:LookupEvents", "ThrottlingException", "Rate exceeded") }),
      ),
      expect: { [INFRA]: "unknown" },
    },
    {
      name: "the TLS lookup failed: unknown for the Service Connect TLS role only",
      facts: withTrail(
        [infra, tlsRole],
        trail({
          [EBS]: [call("DescribeVolumes", at("10"))],
          [TLS]: err("cloudtrail:LookupEvents", "ThrottlingException"),
        }),
      ),
      expect: { [INFRA]: "pass", [TLS_ROLE]: "unknown" },
      message: { [TLS_ROLE]: /ecsTls's ECSServiceConnectForTLS sessions/ },
    },
    {
      name: "a failed call in the TLS session of a Service Connect TLS role",
      facts: withTrail(
        [tlsRole],
        trail({
          [EBS]: [],
          [TLS]: [
            call("GetSecretValue", at("10"), {
              roleArn: TLS_ROLE,
              eventSource: "secretsmanager.amazonaws.com",
              errorCode: "AccessDeniedException",
            }),
          ],
        }),
      ),
      expect: { [TLS_ROLE]: "fail" },
      message: {
        [TLS_ROLE]:
          /1 failed call by its ECSTaskVolumesForEBS and ECSServiceConnectForTLS sessions .*GetSecretValue denied 1×/,
      },
    },
    {
      name: "a failure found while another session could not be looked at still fails, and says so",
      facts: withTrail(
        [tlsRole],
        trail({
          [EBS]: [denied("DeleteVolume", at("10"), "vol-1", { roleArn: TLS_ROLE })],
          [TLS]: err("cloudtrail:LookupEvents", "ThrottlingException"),
        }),
      ),
      expect: { [TLS_ROLE]: "fail" },
      message: { [TLS_ROLE]: /The ECSServiceConnectForTLS sessions could not be looked at\.$/ },
      assert: ([f]) =>
        expect(f?.details?.unknownSessions).toEqual([
          {
            session: TLS,
            api: "cloudtrail:LookupEvents",
            code: "ThrottlingException",
            message: expect.any(String),
          },
        ]),
    },
    {
      name: "unreadable records in the window and no failure: unknown, never a silent pass",
      facts: withTrail(
        [infra],
        trail({
          [EBS]: [
            call("DescribeVolumes", at("09")),
            {
              eventId: "x",
              eventName: "DeleteVolume",
              eventTime: at("10"),
              eventSource: "ec2.amazonaws.com",
              malformed: "CloudTrailEvent is not JSON",
            },
          ],
        }),
      ),
      expect: { [INFRA]: "unknown" },
      message: {
        [INFRA]:
          /1 record in the last 1d could not be read, so a failed call of ecsInfra cannot be ruled out/,
      },
    },
    {
      name: "a session the role needs was not looked up (facts from elsewhere): unknown",
      facts: withTrail([tlsRole], trail({ [EBS]: [] })),
      expect: { [TLS_ROLE]: "unknown" },
      message: { [TLS_ROLE]: /NotCollected/ },
    },
  ],
});

/** The other uses: their documented sessions are read; Express Mode has none, and the finding says so. */
const CLUSTER = "arn:aws:ecs:us-east-1:111122223333:cluster/prod";
const miRole = role("ecsInfra", {
  referencedBy: [
    { kind: "capacity-provider", cluster: CLUSTER, capacityProvider: "mi", use: "managed-instances" },
  ],
});
const expressRole = role("ecsInfra", {
  referencedBy: [{ kind: "express-service", cluster: CLUSTER, service: "shop", use: "express" }],
});

testRule(rule, {
  valid: [
    {
      name: "a Managed Instances role: its ECSManagedInstancesForCompute sessions are read beside the EBS ones",
      facts: withTrail(
        [miRole],
        trail({ [EBS]: [], ECSManagedInstancesForCompute: [call("CreateFleet", at("10"))] }),
      ),
      expect: { [INFRA]: "pass" },
      message: { [INFRA]: /1 call by its ECSTaskVolumesForEBS and ECSManagedInstancesForCompute sessions/ },
    },
    {
      name: "an Express Mode role: passes, saying its Express calls were not looked at (no documented session)",
      facts: withTrail([expressRole], trail({ [EBS]: [] })),
      expect: { [INFRA]: "pass" },
      message: {
        [INFRA]:
          /Its Express Mode calls were not looked at: AWS documents no CloudTrail session name for that use\.$/,
      },
      assert: ([f]) => expect(f?.details).toMatchObject({ notLookedAt: ["express"] }),
    },
  ],
  invalid: [
    {
      name: "a failed CreateFleet by the Managed Instances session fails",
      facts: withTrail(
        [miRole],
        trail({
          [EBS]: [],
          ECSManagedInstancesForCompute: [
            call("CreateFleet", at("10"), { errorCode: "Client.UnauthorizedOperation" }),
          ],
        }),
      ),
      expect: { [INFRA]: "fail" },
      message: { [INFRA]: /CreateFleet denied 1×/ },
    },
    {
      name: "the Managed Instances sessions not looked up: unknown",
      facts: withTrail([miRole], trail({ [EBS]: [] })),
      expect: { [INFRA]: "unknown" },
      message: { [INFRA]: /ECSManagedInstancesForCompute sessions/ },
    },
  ],
});
