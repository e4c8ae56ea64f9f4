import { expect } from "vitest";

import type {
  ClusterFacts,
  EbsAttachment,
  Fact,
  Facts,
  RoleFacts,
  Scope,
  TaskFacts,
  TrailEvent,
  VolumeFacts,
} from "../../src/facts/types.ts";
import { ACCOUNT, deletedRole, err, facts, ok, policy, REGION, role } from "../../test/support/facts.ts";
import { testRule } from "../../test/support/rule-tester.ts";
import rule from "./index.ts";
import { parseVolumePrices } from "./prices.ts";

/** EC2 volume facts beside the ECS facts of the tasks that created them. */

const NOW = Date.parse("2026-11-27T12:00:00.000Z"); // facts().collectedAt
const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const ago = (ms: number) => new Date(NOW - ms).toISOString();
const ROLE = "ecsInfrastructureRole";
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/${ROLE}`;
const clusterArn = (name: string) => `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${name}`;
const taskArn = (id: string, cluster = "prod") => `arn:aws:ecs:${REGION}:${ACCOUNT}:task/${cluster}/${id}`;
const volumeArn = (id: string) => `arn:aws:ec2:${REGION}:${ACCOUNT}:volume/${id}`;
const ALL_VOLUMES = volumeArn("*");

interface TaskSpec {
  lastStatus?: string;
  cluster?: string;
  ebs?: Partial<EbsAttachment>;
  stoppingAt?: string;
  stoppedReason?: string;
}

function task(id: string, spec: TaskSpec = {}): TaskFacts {
  const lastStatus = spec.lastStatus ?? "RUNNING";
  const cluster = spec.cluster ?? "prod";
  const stopped = lastStatus !== "RUNNING" && lastStatus !== "PROVISIONING";
  return {
    arn: taskArn(id, cluster),
    clusterArn: clusterArn(cluster),
    group: "family:batch",
    lastStatus,
    desiredStatus: stopped ? "STOPPED" : "RUNNING",
    ...(stopped ? { stoppingAt: spec.stoppingAt ?? ago(2 * DAY) } : {}),
    ...(spec.stoppedReason ? { stoppedReason: spec.stoppedReason } : {}),
    ebsAttachments: [
      {
        id: `att-${id}`,
        status: stopped ? "DELETED" : "ATTACHED",
        roleArn: ROLE_ARN,
        volumeId: `vol-${id}`,
        deleteOnTermination: "true",
        ...spec.ebs,
      },
    ],
  };
}

interface VolumeSpec {
  state?: string;
  /** The AmazonECSCreated task; default the task with the volume's own id in prod. */
  task?: string;
  createTime?: string;
  tags?: Record<string, string>;
  /** Default 100 GiB gp3 at its included 3,000 IOPS and 125 MiB/s; `null` leaves a field out. */
  size?: number | null;
  volumeType?: string | null;
  iops?: number | null;
  throughput?: number | null;
}

/** An ECS-managed volume; `in-use` ones are attached to their task, as EC2 shows a task's volume. */
function volume(id: string, spec: VolumeSpec = {}): VolumeFacts {
  const state = spec.state ?? "available";
  const owner = spec.task ?? taskArn(id.replace(/^vol-/, ""));
  return {
    volumeId: id,
    state,
    createTime: spec.createTime ?? ago(3 * DAY),
    ...(spec.size === null ? {} : { size: spec.size ?? 100 }),
    ...(spec.volumeType === null ? {} : { volumeType: spec.volumeType ?? "gp3" }),
    ...(spec.iops === null ? {} : { iops: spec.iops ?? 3000 }),
    ...(spec.throughput === null ? {} : { throughput: spec.throughput ?? 125 }),
    availabilityZone: `${REGION}a`,
    tags: spec.tags ?? { AmazonECSManaged: "true", AmazonECSCreated: owner },
    attachments:
      state === "in-use"
        ? [{ associatedResource: owner, instanceOwningService: "ecs.amazonaws.com", state: "attached" }]
        : [],
  };
}

const cluster = (name: string, tasks: TaskFacts[] | Fact<TaskFacts[]>): ClusterFacts => ({
  arn: clusterArn(name),
  name,
  services: ok([]),
  tasks: Array.isArray(tasks) ? ok(tasks) : tasks,
});

interface Account {
  clusters: ClusterFacts[] | Fact<ClusterFacts[]>;
  volumes: VolumeFacts[] | Fact<VolumeFacts[]>;
  roles?: RoleFacts[];
  scope?: Partial<Scope>;
  trail?: TrailEvent[];
}

/** Facts as a check with ECS in scope gathers them: clusters, their tasks, the ECS-managed volumes, the roles. */
function account(a: Account): Facts {
  const base = facts(a.roles ?? [role(ROLE, { referencedBy: [] })], {
    ecs: { clusters: Array.isArray(a.clusters) ? ok(a.clusters) : a.clusters },
    ec2: { volumes: Array.isArray(a.volumes) ? ok(a.volumes) : a.volumes },
    ...(a.trail ? { trail: { startTime: ago(DAY), sessions: { ECSTaskVolumesForEBS: ok(a.trail) } } } : {}),
  });
  return { ...base, scope: { clusters: [], services: [], tasks: [], roles: [], ...a.scope } };
}

const detailsOf = (findings: { resource: string; details?: Record<string, unknown> }[], resource: string) =>
  findings.find((f) => f.resource === resource)?.details ?? {};
const remediationOf = (findings: { resource: string; remediation?: string }[], resource: string) =>
  findings.find((f) => f.resource === resource)?.remediation ?? "";

testRule(rule, {
  valid: [
    {
      name: "a role-only check (no EC2 facts) reports nothing",
      facts: facts([role(ROLE)]),
      expect: {},
    },
    {
      name: "an in-use volume attached to its RUNNING task is not leaked",
      facts: account({
        clusters: [cluster("prod", [task("a")])],
        volumes: [volume("vol-a", { state: "in-use" })],
      }),
      expect: { [ALL_VOLUMES]: "pass" },
      message: { [ALL_VOLUMES]: /^1 ECS-managed volume examined in us-east-1, none leaked \(1 in use\)\.$/ },
    },
    {
      name: "no ECS-managed volume in the Region still passes, saying 0 were examined",
      facts: account({ clusters: [cluster("prod", [])], volumes: [] }),
      expect: { [ALL_VOLUMES]: "pass" },
      message: { [ALL_VOLUMES]: /^0 ECS-managed volumes examined/ },
    },
    {
      name: "an available volume of a task still DEPROVISIONING is not leaked yet, and is linked to that task",
      facts: account({
        clusters: [cluster("prod", [task("d", { lastStatus: "DEPROVISIONING", stoppingAt: ago(DAY) })])],
        volumes: [volume("vol-d")],
      }),
      expect: { [ALL_VOLUMES]: "pass" },
      message: { [ALL_VOLUMES]: /1 volume of tasks still DEPROVISIONING.*tasks-deprovisioning.*vol-d/ },
      assert: (findings) =>
        expect(detailsOf(findings, ALL_VOLUMES).deprovisioning).toEqual([
          { volumeId: "vol-d", taskArn: taskArn("d") },
        ]),
    },
    {
      name: "a standalone task run with deleteOnTermination=false keeps its volume on purpose",
      facts: account({
        clusters: [
          cluster("prod", [task("keep", { lastStatus: "STOPPED", ebs: { deleteOnTermination: "false" } })]),
        ],
        volumes: [volume("vol-keep")],
      }),
      expect: { [ALL_VOLUMES]: "pass" },
      assert: (findings) => expect(detailsOf(findings, ALL_VOLUMES).retained).toEqual(["vol-keep"]),
    },
    {
      name: "not judged yet: a 5-minute-old volume of an unknown task, a task stopped 2 minutes ago, a PROVISIONING task",
      facts: account({
        clusters: [
          cluster("prod", [
            task("just-stopped", { lastStatus: "STOPPED", stoppingAt: ago(2 * MIN) }),
            task("starting", { lastStatus: "PROVISIONING", ebs: { volumeId: undefined } }),
          ]),
        ],
        volumes: [
          volume("vol-new", { task: taskArn("after-listing"), createTime: ago(5 * MIN) }),
          volume("vol-just-stopped"),
          volume("vol-starting", { createTime: ago(DAY) }),
        ],
      }),
      expect: { [ALL_VOLUMES]: "pass" },
      assert: (findings) =>
        expect(detailsOf(findings, ALL_VOLUMES).notYetJudged).toEqual([
          "vol-new",
          "vol-just-stopped",
          "vol-starting",
        ]),
    },
    {
      name: "an old available volume of a cluster out of --cluster scope is ignored",
      facts: account({
        scope: { clusters: ["prod"] },
        clusters: [cluster("prod", [task("a")])],
        volumes: [volume("vol-a", { state: "in-use" }), volume("vol-b", { task: taskArn("b", "batch") })],
      }),
      expect: { [ALL_VOLUMES]: "pass" },
      message: { [ALL_VOLUMES]: /1 volume of tasks out of scope ignored/ },
      assert: (findings) => expect(detailsOf(findings, ALL_VOLUMES).outOfScope).toBe(1),
    },
    {
      name: "with --service, a volume of a task ECS did not list for that service is out of scope",
      facts: account({
        scope: { clusters: ["prod"], services: ["web"] },
        clusters: [cluster("prod", [task("web1")])],
        volumes: [volume("vol-web1", { state: "in-use" }), volume("vol-other")],
      }),
      expect: { [ALL_VOLUMES]: "pass" },
      assert: (findings) =>
        expect(detailsOf(findings, ALL_VOLUMES)).toMatchObject({ examined: 1, outOfScope: 1 }),
    },
    {
      name: "GetCallerIdentity failed: the pass still names the account, read from the ECS ARNs",
      facts: {
        ...account({
          clusters: [cluster("prod", [task("a")])],
          volumes: [volume("vol-a", { state: "in-use" })],
        }),
        caller: err("sts:GetCallerIdentity"),
      },
      expect: { [ALL_VOLUMES]: "pass" },
    },
    {
      name: "a volume being deleted, and one without the AmazonECSManaged tag, are not leaks",
      facts: account({
        clusters: [cluster("prod", [])],
        volumes: [volume("vol-going", { state: "deleting" }), volume("vol-mine", { tags: { Name: "mine" } })],
      }),
      expect: { [ALL_VOLUMES]: "pass" },
      message: {
        [ALL_VOLUMES]: /^1 ECS-managed volume examined in us-east-1, none leaked \(1 deleting\)\.$/,
      },
    },
  ],
  invalid: [
    {
      name: "costs, by hand: gp3 100 GiB at 3,000 IOPS and 125 MiB/s; gp3 with 6,000 IOPS and 250 MiB/s; io2 40,000 IOPS",
      facts: account({
        clusters: [
          cluster(
            "prod",
            ["base", "fast", "db"].map((id) => task(id, { lastStatus: "STOPPED" })),
          ),
        ],
        volumes: [
          // 100 GiB × $0.08 = $8.00; the baseline 3,000 IOPS and 125 MiB/s are included.
          volume("vol-base"),
          // $8.00 + (6,000 − 3,000) IOPS × $0.005 = $15.00 + (250 − 125) MiB/s × $0.04 = $5.00 → $28.00.
          volume("vol-fast", { iops: 6000, throughput: 250 }),
          // 500 GiB × $0.125 = $62.50; 32,000 IOPS × $0.065 = $2,080.00; 8,000 IOPS × $0.0455 = $364.00 → $2,506.50.
          volume("vol-db", { size: 500, volumeType: "io2", iops: 40_000, throughput: null }),
        ],
      }),
      expect: {
        [volumeArn("vol-base")]: "warn",
        [volumeArn("vol-fast")]: "warn",
        [volumeArn("vol-db")]: "warn",
      },
      message: {
        [volumeArn("vol-base")]:
          /\(100 GiB gp3, .*\) was not deleted: it is attached to nothing and still costs an estimated \$8\.00 a month\./,
        [volumeArn("vol-fast")]: /still costs an estimated \$28\.00 a month\./,
        [volumeArn("vol-db")]: /\(500 GiB io2, .*still costs an estimated \$2,506\.50 a month\./,
      },
      assert: (findings) => {
        expect(detailsOf(findings, volumeArn("vol-base"))).toMatchObject({
          volumeType: "gp3",
          iops: 3000,
          throughputMiBps: 125,
          monthlyCostUsd: 8,
          cost: { storageUsd: 8, iopsUsd: 0, throughputUsd: 0, prices: "default us-east-1" },
        });
        expect(detailsOf(findings, volumeArn("vol-fast")).cost).toMatchObject({
          iopsUsd: 15,
          throughputUsd: 5,
        });
        expect(detailsOf(findings, volumeArn("vol-db"))).toMatchObject({
          monthlyCostUsd: 2506.5,
          cost: { storageUsd: 62.5, iopsUsd: 2444, throughputUsd: 0 },
        });
      },
    },
    {
      name: "storage-only types: gp2 200 GiB, st1 500 GiB, sc1 1,000 GiB, standard 10 GiB",
      facts: account({
        clusters: [
          cluster(
            "prod",
            ["g", "s", "c", "m"].map((id) => task(id, { lastStatus: "STOPPED" })),
          ),
        ],
        volumes: [
          // 200 × $0.10 = $20.00 (gp2's IOPS come with its size: not billed).
          volume("vol-g", { size: 200, volumeType: "gp2", iops: 600, throughput: null }),
          // 500 × $0.045 = $22.50
          volume("vol-s", { size: 500, volumeType: "st1", iops: null, throughput: null }),
          // 1,000 × $0.015 = $15.00
          volume("vol-c", { size: 1000, volumeType: "sc1", iops: null, throughput: null }),
          // 10 × $0.05 = $0.50 (its I/O requests are billed too, and cannot be told)
          volume("vol-m", { size: 10, volumeType: "standard", iops: null, throughput: null }),
        ],
      }),
      expect: {
        [volumeArn("vol-g")]: "warn",
        [volumeArn("vol-s")]: "warn",
        [volumeArn("vol-c")]: "warn",
        [volumeArn("vol-m")]: "warn",
      },
      message: {
        [volumeArn("vol-g")]: /\$20\.00 a month/,
        [volumeArn("vol-s")]: /\$22\.50 a month/,
        [volumeArn("vol-c")]: /\$15\.00 a month/,
        [volumeArn("vol-m")]: /\$0\.50 a month/,
      },
    },
    {
      name: "prices from the config: gp3 at $0.0912/GiB and $0.006/IOPS (another Region's)",
      facts: account({
        clusters: [cluster("prod", [task("fast", { lastStatus: "STOPPED" })])],
        volumes: [volume("vol-fast", { iops: 6000, throughput: 250 })],
      }),
      context: {
        options: {
          prices: parseVolumePrices({ gp3: { gibMonth: 0.0912, iopsMonth: 0.006 } }, () => {
            throw new Error("valid prices");
          }),
        },
      },
      expect: { [volumeArn("vol-fast")]: "warn" },
      // 100 × $0.0912 = $9.12; 3,000 × $0.006 = $18.00; 125 × $0.04 (default kept) = $5.00 → $32.12.
      message: { [volumeArn("vol-fast")]: /still costs an estimated \$32\.12 a month\./ },
      assert: (findings) =>
        expect(detailsOf(findings, volumeArn("vol-fast")).cost).toMatchObject({ prices: "config" }),
    },
    {
      name: "unknown type, size or gp3 IOPS: the cost is unknown and says why, never 0",
      facts: account({
        clusters: [
          cluster(
            "prod",
            ["t", "z", "i"].map((id) => task(id, { lastStatus: "STOPPED" })),
          ),
        ],
        volumes: [
          volume("vol-t", { volumeType: null }),
          volume("vol-z", { size: null }),
          volume("vol-i", { iops: null }),
        ],
      }),
      expect: { [volumeArn("vol-t")]: "warn", [volumeArn("vol-z")]: "warn", [volumeArn("vol-i")]: "warn" },
      message: {
        [volumeArn("vol-t")]: /still costs money \(how much is unknown: its volume type is not known\)\./,
        [volumeArn("vol-z")]: /how much is unknown: its size is not known/,
        [volumeArn("vol-i")]: /how much is unknown: its provisioned IOPS \(billed for gp3\) are not known/,
      },
      assert: (findings) => {
        for (const id of ["vol-t", "vol-z", "vol-i"]) {
          expect(detailsOf(findings, volumeArn(id)).monthlyCostUsd).toBeNull();
        }
      },
    },
    {
      name: "an available volume of a STOPPED task whose role was deleted: leaked, the role fix comes before the delete",
      facts: account({
        clusters: [
          cluster("prod", [task("a", { lastStatus: "STOPPED", stoppedReason: "Task stopped by user" })]),
        ],
        volumes: [volume("vol-a")],
        roles: [deletedRole(ROLE)],
      }),
      expect: { [volumeArn("vol-a")]: "warn" },
      message: {
        [volumeArn("vol-a")]:
          /^Volume vol-a \(100 GiB gp3, created for task a in cluster prod\) was not deleted: it is attached to nothing and still costs an estimated \$8\.00 a month\. Its task is STOPPED \(began stopping .*\), stopped reason "Task stopped by user"\. Its task's EBS attachment names role ecsInfrastructureRole\. Likely cause: role ecsInfrastructureRole does not exist \(role-exists\)\./,
      },
      assert: (findings) => {
        const fix = remediationOf(findings, volumeArn("vol-a"));
        const create = fix.indexOf("aws iam create-role --role-name ecsInfrastructureRole");
        const snapshot = fix.indexOf("aws ec2 create-snapshot --region us-east-1 --volume-id vol-a");
        const remove = fix.indexOf("aws ec2 delete-volume --region us-east-1 --volume-id vol-a");
        expect(create).toBeGreaterThanOrEqual(0);
        expect(create).toBeLessThan(snapshot);
        expect(snapshot).toBeLessThan(remove);
        expect(fix).toMatch(/make sure nothing needs the data on vol-a/);
        expect(detailsOf(findings, volumeArn("vol-a"))).toMatchObject({
          reason: "task-stopped",
          taskStatus: "STOPPED",
          sizeGiB: 100,
          roleArn: ROLE_ARN,
          roleFrom: "task-attachment",
          likelyCause: { confirmedBy: ["role-exists"] },
        });
      },
    },
    {
      name: "an available volume whose task and cluster ECS no longer knows is leaked (Region-wide check)",
      facts: account({
        clusters: [cluster("prod", [])],
        volumes: [volume("vol-old", { task: taskArn("x", "gone") })],
      }),
      expect: { [volumeArn("vol-old")]: "warn" },
      message: {
        [volumeArn("vol-old")]:
          /created for task x in cluster gone\).*ECS no longer knows its task.*deleteOnTermination=false.*Its cluster gone is not among the Region's clusters either\. No infrastructure role could be tied to it/,
      },
      assert: (findings) => {
        expect(detailsOf(findings, volumeArn("vol-old")).reason).toBe("task-not-found");
        // Nothing points at a cause: the remediation is the careful delete alone.
        expect(remediationOf(findings, volumeArn("vol-old"))).toMatch(
          /^# 1\. make sure nothing needs the data on vol-old/,
        );
      },
    },
    {
      name: "an available volume of a RUNNING task whose EBS attachment names another volume is a leaked spare",
      facts: account({
        clusters: [cluster("prod", [task("r", { ebs: { volumeId: "vol-replacement" } })])],
        volumes: [volume("vol-replacement", { state: "in-use", task: taskArn("r") }), volume("vol-r")],
      }),
      expect: { [volumeArn("vol-r")]: "warn" },
      message: { [volumeArn("vol-r")]: /Its task is RUNNING but its EBS attachment names vol-replacement/ },
      assert: (findings) =>
        expect(detailsOf(findings, volumeArn("vol-r")).reason).toBe("not-attached-to-its-task"),
    },
    {
      name: "ec2:DescribeVolumes denied: unknown for the Region's volumes, naming the permission",
      facts: account({
        clusters: [cluster("prod", [])],
        volumes: err("ec2:DescribeVolumes", "UnauthorizedOperation", "You are not authorized"),
      }),
      expect: { [ALL_VOLUMES]: "unknown" },
      message: { [ALL_VOLUMES]: /ec2:DescribeVolumes failed with UnauthorizedOperation/ },
      assert: (findings) =>
        expect(detailsOf(findings, ALL_VOLUMES).missingPermission).toBe("ec2:DescribeVolumes"),
    },
    {
      name: "with --cluster prod, only the leaked volume of prod is reported; batch's is out of scope",
      facts: account({
        scope: { clusters: ["prod"] },
        clusters: [cluster("prod", [task("p", { lastStatus: "STOPPED" })])],
        volumes: [volume("vol-p"), volume("vol-b", { task: taskArn("b", "batch") })],
      }),
      expect: { [volumeArn("vol-p")]: "warn" },
    },
    {
      name: "the tasks of the volume's cluster could not be listed: unknown for that cluster, never a pass",
      facts: account({
        clusters: [cluster("prod", err("ecs:ListTasks"))],
        volumes: [volume("vol-a"), volume("vol-b", { state: "in-use" })],
      }),
      expect: { [clusterArn("prod")]: "unknown" },
      message: {
        [clusterArn("prod")]:
          /Could not check whether 1 unattached ECS-managed volume of cluster prod \(vol-a\) was left behind: ecs:ListTasks failed/,
      },
    },
    {
      name: "ListClusters failed in a Region-wide check: available volumes are unknown for every cluster",
      facts: account({ clusters: err("ecs:ListClusters"), volumes: [volume("vol-a")] }),
      expect: { [clusterArn("*")]: "unknown" },
    },
    {
      name: "the role of a stopped standalone task is not in scope: the fix is to check that role",
      facts: account({
        clusters: [
          cluster("prod", [
            task("s", { lastStatus: "STOPPED", ebs: { roleArn: `arn:aws:iam::${ACCOUNT}:role/batch-role` } }),
          ]),
        ],
        volumes: [volume("vol-s")],
        roles: [],
      }),
      expect: { [volumeArn("vol-s")]: "warn" },
      message: { [volumeArn("vol-s")]: /names role batch-role, which is not in this check's scope/ },
      assert: (findings) =>
        expect(remediationOf(findings, volumeArn("vol-s"))).toMatch(/ecs-preflight check --role batch-role/),
    },
    {
      name: "a task ECS forgot, but CloudTrail shows its role refused DeleteVolume on the volume: the cause is confirmed",
      facts: account({
        clusters: [cluster("prod", [])],
        volumes: [volume("vol-t", { task: taskArn("t") })],
        roles: [
          role(ROLE, {
            attached: [],
            inline: { some: policy({ Effect: "Allow", Action: "ec2:DetachVolume", Resource: "*" }) },
          }),
        ],
        trail: [
          {
            eventId: "e1",
            eventName: "DeleteVolume",
            eventTime: ago(2 * DAY),
            eventSource: "ec2.amazonaws.com",
            roleArn: ROLE_ARN,
            errorCode: "Client.UnauthorizedOperation",
            volumeId: "vol-t",
          },
        ],
      }),
      expect: { [volumeArn("vol-t")]: "warn" },
      message: {
        [volumeArn("vol-t")]:
          /CloudTrail shows it handled by role ecsInfrastructureRole\. Likely cause: ecsInfrastructureRole may not .*ec2:DeleteVolume.*\(volume-permissions\)\..*CloudTrail shows DeleteVolume on it was denied \(Client\.UnauthorizedOperation\)/,
      },
      assert: (findings) =>
        expect(detailsOf(findings, volumeArn("vol-t"))).toMatchObject({
          roleFrom: "cloudtrail",
          likelyCause: { confirmedBy: ["volume-permissions"] },
          trailFailure: { eventName: "DeleteVolume", errorCode: "Client.UnauthorizedOperation" },
        }),
    },
    {
      name: "a task named with --task that ECS no longer knows: its leaked volume is in scope",
      facts: account({
        scope: { clusters: ["prod"], tasks: ["gone"] },
        clusters: [cluster("prod", [])],
        volumes: [volume("vol-gone"), volume("vol-other")],
      }),
      expect: { [volumeArn("vol-gone")]: "warn" },
    },
    {
      name: "a healthy role and a stopped task: leaked all the same, said to have been fixed too late",
      facts: account({
        clusters: [cluster("prod", [task("h", { lastStatus: "STOPPED" })])],
        volumes: [volume("vol-h")],
      }),
      expect: { [volumeArn("vol-h")]: "warn" },
      message: {
        [volumeArn("vol-h")]:
          /If the role was fixed after the task stopped, nothing AWS documents will delete/,
      },
    },
  ],
});
