import { expect } from "vitest";
import type {
  ClusterFacts,
  EbsAttachment,
  Fact,
  Facts,
  RoleFacts,
  TaskFacts,
} from "../../src/facts/types.ts";
import {
  ACCOUNT,
  deletedRole,
  err,
  facts,
  ok,
  policy,
  REGION,
  role,
  trust,
} from "../../test/support/facts.ts";
import { testRule } from "../../test/support/rule-tester.ts";
import rule from "./index.ts";

/** ECS facts builders: a cluster, its tasks, and the time they have been DEPROVISIONING. */

const NOW = Date.parse("2026-11-27T12:00:00.000Z"); // facts().collectedAt
const MIN = 60_000;
const ago = (ms: number) => new Date(NOW - ms).toISOString();
const ROLE = "ecsInfrastructureRole";
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/${ROLE}`;
const clusterArn = (name: string) => `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${name}`;
const taskArn = (id: string, cluster = "prod") => `arn:aws:ecs:${REGION}:${ACCOUNT}:task/${cluster}/${id}`;
const UNABLE_TO_ASSUME = `ECS was unable to assume the configured ECS Infrastructure Role '${ROLE_ARN}'. Please verify that the role being passed has the proper trust relationship with Amazon ECS`;

interface TaskSpec {
  lastStatus?: string;
  /** Attachment fields; false for a task without an EBS volume. */
  ebs?: Partial<EbsAttachment> | false;
  stoppingAt?: string;
  executionStoppedAt?: string;
  service?: string;
  cluster?: string;
}

function task(id: string, spec: TaskSpec = {}): TaskFacts {
  const lastStatus = spec.lastStatus ?? "DEPROVISIONING";
  const cluster = spec.cluster ?? "prod";
  return {
    arn: taskArn(id, cluster),
    clusterArn: clusterArn(cluster),
    group: spec.service ? `service:${spec.service}` : "family:mytaskdef",
    lastStatus,
    desiredStatus: lastStatus === "RUNNING" ? "RUNNING" : "STOPPED",
    ...(spec.stoppingAt ? { stoppingAt: spec.stoppingAt } : {}),
    ...(spec.executionStoppedAt ? { executionStoppedAt: spec.executionStoppedAt } : {}),
    ebsAttachments:
      spec.ebs === false
        ? []
        : [
            {
              id: `att-${id}`,
              status: lastStatus === "DEPROVISIONING" ? "DETACHING" : "ATTACHED",
              roleArn: ROLE_ARN,
              volumeId: `vol-${id}`,
              volumeName: "data",
              deleteOnTermination: "true",
              ...spec.ebs,
            },
          ],
  };
}

const stuck = (id: string, minutes: number, spec: TaskSpec = {}) =>
  task(id, { service: "web", stoppingAt: ago(minutes * MIN), ...spec });

function cluster(
  name: string,
  tasks: TaskFacts[] | Fact<TaskFacts[]>,
  extra: Partial<ClusterFacts> = {},
): ClusterFacts {
  return {
    arn: clusterArn(name),
    name,
    services: ok([]),
    tasks: Array.isArray(tasks) ? ok(tasks) : tasks,
    ...extra,
  };
}

/** Facts with ECS in scope; the role is referenced by the tasks, as the collector would record it. */
function ecs(
  clusters: ClusterFacts[] | Fact<ClusterFacts[]>,
  roles: RoleFacts[] = [role(ROLE, { referencedBy: [] })],
): Facts {
  return facts(roles, { ecs: { clusters: Array.isArray(clusters) ? ok(clusters) : clusters } });
}

const details = (findings: { resource: string; details?: Record<string, unknown> }[], resource: string) =>
  findings.find((f) => f.resource === resource)?.details ?? {};

testRule(rule, {
  valid: [
    {
      name: "a role-only check (no ECS facts) reports nothing",
      facts: facts([role(ROLE)]),
      expect: {},
    },
    {
      name: "a cluster with no DEPROVISIONING task passes and says how many tasks it examined",
      facts: ecs([
        cluster("prod", [task("a", { lastStatus: "RUNNING" }), task("b", { lastStatus: "STOPPED" })]),
      ]),
      expect: { [clusterArn("prod")]: "pass" },
      message: { [clusterArn("prod")]: /2 tasks examined/ },
    },
    {
      name: "a task DEPROVISIONING for 2 minutes with EBS is not flagged",
      facts: ecs([cluster("prod", [stuck("young", 2)])]),
      expect: { [clusterArn("prod")]: "pass" },
      message: { [clusterArn("prod")]: /1 task examined; 1 DEPROVISIONING for 15m or less/ },
    },
    {
      name: "measured from stoppingAt, not createdAt: created two days ago, stopping for 5 minutes",
      facts: ecs([
        cluster("prod", [{ ...stuck("old-but-fresh", 5), createdAt: ago(2 * 24 * 60 * MIN) } as TaskFacts]),
      ]),
      expect: { [clusterArn("prod")]: "pass" },
    },
    {
      name: "--stuck-after 1h lets a task 20 minutes DEPROVISIONING pass",
      facts: ecs([cluster("prod", [stuck("t", 20)])]),
      context: { stuckAfterMs: 60 * MIN },
      expect: { [clusterArn("prod")]: "pass" },
    },
    {
      name: "a stopped task whose role was deleted is not a stuck task",
      facts: ecs(
        [cluster("prod", [task("done", { lastStatus: "STOPPED", stoppingAt: ago(60 * MIN) })])],
        [deletedRole(ROLE)],
      ),
      expect: { [clusterArn("prod")]: "pass" },
    },
    {
      name: "a task DEPROVISIONING without EBS and without timestamps is left alone",
      facts: ecs([cluster("prod", [task("eni", { ebs: false })])]),
      expect: { [clusterArn("prod")]: "pass" },
    },
    {
      name: "a service named with several clusters need only exist in one of them",
      facts: ecs([
        cluster("a", [], {
          services: ok([
            {
              arn: "arn:aws:ecs:us-east-1:111122223333:service/a/web",
              name: "web",
              status: "ACTIVE",
              infrastructureRoles: [],
              deploymentIds: [],
            },
          ]),
        }),
        cluster("b", [], {
          missing: [
            { kind: "service", arn: "arn:aws:ecs:us-east-1:111122223333:service/b/web", reason: "MISSING" },
          ],
        }),
      ]),
      expect: { [clusterArn("a")]: "pass", [clusterArn("b")]: "pass" },
    },
  ],
  invalid: [
    {
      name: "stuck 20 minutes with an EBS volume fails, naming task, service, volume, status and time",
      facts: ecs([
        cluster("prod", [
          stuck("t1", 20, { ebs: { statusReason: UNABLE_TO_ASSUME } }),
          task("ok", { lastStatus: "RUNNING" }),
        ]),
      ]),
      expect: { [taskArn("t1")]: "fail" },
      message: {
        [taskArn("t1")]:
          /Task t1 \(service web, cluster prod\) has been DEPROVISIONING for 20m .*EBS volume vol-t1 attachment DETACHING, status reason "ECS was unable to assume/,
      },
      assert: (findings) => {
        expect(details(findings, taskArn("t1"))).toMatchObject({
          taskArn: taskArn("t1"),
          cluster: clusterArn("prod"),
          service: "web",
          volumeId: "vol-t1",
          attachmentStatus: "DETACHING",
          statusReason: UNABLE_TO_ASSUME,
          stuckForMs: 20 * MIN,
          measuredFrom: "stoppingAt",
          roleArn: ROLE_ARN,
          likelyCause: { statusReason: "assume-role" },
        });
      },
    },
    {
      name: "stoppingAt wins over a later executionStoppedAt",
      facts: ecs([cluster("prod", [stuck("t", 20, { executionStoppedAt: ago(5 * MIN) })])]),
      expect: { [taskArn("t")]: "fail" },
      assert: (findings) =>
        expect(details(findings, taskArn("t"))).toMatchObject({
          stuckForMs: 20 * MIN,
          measuredFrom: "stoppingAt",
        }),
    },
    {
      name: "executionStoppedAt is the fallback when stoppingAt is absent",
      facts: ecs([cluster("prod", [task("t", { executionStoppedAt: ago(30 * MIN) })])]),
      expect: { [taskArn("t")]: "fail" },
      message: { [taskArn("t")]: /for 30m \(since 2026-11-27T11:30:00.000Z, its executionStoppedAt\)/ },
      assert: (findings) => expect(details(findings, taskArn("t")).measuredFrom).toBe("executionStoppedAt"),
    },
    {
      name: "no stoppingAt and no executionStoppedAt is unknown, not a guess",
      facts: ecs([cluster("prod", [task("t", { service: "web" })])]),
      expect: { [taskArn("t")]: "unknown" },
      message: { [taskArn("t")]: /neither stoppingAt nor executionStoppedAt/ },
      assert: (findings) => expect(details(findings, taskArn("t")).stuckForMs).toBeNull(),
    },
    {
      name: "stuck without an EBS volume is only a warning",
      facts: ecs([cluster("prod", [stuck("eni", 40, { ebs: false })])]),
      expect: { [taskArn("eni")]: "warn", [clusterArn("prod")]: "pass" },
      message: { [taskArn("eni")]: /no EBS volume/ },
    },
    {
      name: "ListClusters denied is unknown for the region's clusters",
      facts: ecs(err("ecs:ListClusters")),
      expect: { [`arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/*`]: "unknown" },
      message: {
        [`arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/*`]: /ecs:ListClusters failed with AccessDenied/,
      },
    },
    {
      name: "ListTasks denied in one cluster is unknown for it; the other cluster still passes",
      facts: ecs([cluster("a", err("ecs:ListTasks")), cluster("b", [task("r", { lastStatus: "RUNNING" })])]),
      expect: { [clusterArn("a")]: "unknown", [clusterArn("b")]: "pass" },
      message: { [clusterArn("a")]: /tasks of cluster a: ecs:ListTasks failed/ },
    },
    {
      name: "ListServices denied is unknown for the cluster (its roles were not discovered); stuck tasks still fail",
      facts: ecs([cluster("prod", [stuck("t", 20)], { services: err("ecs:ListServices") })]),
      expect: { [taskArn("t")]: "fail", [clusterArn("prod")]: "unknown" },
      message: { [clusterArn("prod")]: /infrastructure roles they use.*ecs:ListServices/ },
    },
    {
      name: "'unable to assume' with a trust policy for ecs-tasks names the trust policy as the confirmed cause",
      facts: ecs(
        [cluster("prod", [stuck("t", 20, { ebs: { statusReason: UNABLE_TO_ASSUME } })])],
        [role(ROLE, { trust: trust({ Service: "ecs-tasks.amazonaws.com" }) })],
      ),
      expect: { [taskArn("t")]: "fail" },
      message: {
        [taskArn("t")]:
          /confirm it: the trust policy of ecsInfrastructureRole does not allow ecs.amazonaws.com sts:AssumeRole \(trust-policy\)/,
      },
      assert: (findings) => {
        expect(details(findings, taskArn("t")).likelyCause).toMatchObject({
          statusReason: "assume-role",
          confirmedBy: ["trust-policy"],
        });
        expect(findings[0]?.remediation).toContain(
          "aws iam update-assume-role-policy --role-name ecsInfrastructureRole",
        );
        expect(findings[0]?.remediation).toContain("aws ecs describe-tasks --cluster prod --tasks t");
      },
    },
    {
      name: "'unable to assume' with a healthy role points at iam:PassRole, the documented cause left",
      facts: ecs([cluster("prod", [stuck("t", 20, { ebs: { statusReason: UNABLE_TO_ASSUME } })])]),
      expect: { [taskArn("t")]: "fail" },
      message: { [taskArn("t")]: /Likely cause: iam:PassRole/ },
      assert: (findings) => {
        expect(details(findings, taskArn("t")).likelyCause).toMatchObject({ confirmedBy: [] });
        expect(findings[0]?.remediation).toMatch(/iam:PassedToService/);
      },
    },
    {
      name: "a deleted role is the confirmed cause, with the commands to recreate it",
      facts: ecs([cluster("prod", [stuck("t", 20)])], [deletedRole(ROLE)]),
      expect: { [taskArn("t")]: "fail" },
      message: { [taskArn("t")]: /Likely cause: role ecsInfrastructureRole does not exist \(role-exists\)/ },
      assert: (findings) =>
        expect(findings[0]?.remediation).toContain("aws iam create-role --role-name ecsInfrastructureRole"),
    },
    {
      name: "a Deny on ec2:DeleteVolume is the confirmed cause, aimed at the denying inline policy",
      facts: ecs(
        [cluster("prod", [stuck("t", 20, { ebs: { status: "DETACHED" } })])],
        [
          role(ROLE, {
            inline: {
              keep: policy({ Sid: "Keep", Effect: "Deny", Action: "ec2:DeleteVolume", Resource: "*" }),
            },
          }),
        ],
      ),
      expect: { [taskArn("t")]: "fail" },
      message: {
        [taskArn("t")]:
          /attachment DETACHED, no status reason\. Likely cause: ecsInfrastructureRole may not ec2:DeleteVolume \(volume-permissions\)/,
      },
      assert: (findings) =>
        expect(findings[0]?.remediation).toContain(
          "aws iam put-role-policy --role-name ecsInfrastructureRole --policy-name keep",
        ),
    },
    {
      name: "a documented KMS status reason is named when the role checks out",
      facts: ecs([
        cluster("prod", [
          stuck("t", 20, {
            ebs: {
              statusReason:
                'ECS failed to set up the EBS volume. Encountered IdempotentParameterMismatch"; "The client token you have provided is associated with a resource that is already deleted.',
            },
          }),
        ]),
      ]),
      expect: { [taskArn("t")]: "fail" },
      message: { [taskArn("t")]: /KMS key/ },
      assert: (findings) =>
        expect(details(findings, taskArn("t")).likelyCause).toMatchObject({ statusReason: "kms-key" }),
    },
    {
      name: "a KMS status reason with a deleted role names the role first, and the key too",
      facts: ecs(
        [
          cluster("prod", [
            stuck("t", 20, { ebs: { statusReason: "Encountered IdempotentParameterMismatch" } }),
          ]),
        ],
        [deletedRole(ROLE)],
      ),
      expect: { [taskArn("t")]: "fail" },
      message: {
        [taskArn("t")]:
          /Likely cause: role ecsInfrastructureRole does not exist \(role-exists\)\. The status reason also points to: .*KMS key/,
      },
      assert: (findings) => {
        expect(findings[0]?.remediation).toContain("aws iam create-role");
        expect(findings[0]?.remediation).toContain("aws kms get-key-policy");
      },
    },
    {
      name: "no status reason and a healthy role: says the role does not explain it",
      facts: ecs([cluster("prod", [stuck("t", 20)])]),
      expect: { [taskArn("t")]: "fail" },
      message: { [taskArn("t")]: /role does not explain it.*cloudtrail-errors/ },
    },
    {
      name: "GetRole denied: the cause cannot be confirmed and the finding says what was not checked",
      facts: ecs([cluster("prod", [stuck("t", 20)])], [role(ROLE, { role: err("iam:GetRole") })]),
      expect: { [taskArn("t")]: "fail" },
      message: { [taskArn("t")]: /Not checked: role-exists \(iam:GetRole failed with AccessDenied\)/ },
    },
    {
      name: "a task named with --task that ECS does not know is unknown",
      facts: ecs([
        cluster("prod", [], { missing: [{ kind: "task", arn: taskArn("nope"), reason: "MISSING" }] }),
      ]),
      expect: { [taskArn("nope")]: "unknown" },
      message: {
        [taskArn("nope")]: /Could not check task nope: ecs:DescribeTasks in cluster prod answered MISSING/,
      },
    },
  ],
});
