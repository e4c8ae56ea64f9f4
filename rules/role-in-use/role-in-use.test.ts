import { expect } from "vitest";
import type { ClusterFacts, Fact, Facts, ServiceFacts, TaskFacts } from "../../src/facts/types.ts";
import { ACCOUNT, err, facts, ok, REGION, role } from "../../test/support/facts.ts";
import { testRule } from "../../test/support/rule-tester.ts";
import rule from "./index.ts";

const NOW = Date.parse("2026-11-27T12:00:00.000Z"); // facts().collectedAt
const ROLE = "ecsInfrastructureRole";
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/${ROLE}`;
const clusterArn = (name: string) => `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${name}`;
const taskArn = (id: string) => `arn:aws:ecs:${REGION}:${ACCOUNT}:task/prod/${id}`;
const BEFORE = { beforeRoleChange: true };

function task(id: string, lastStatus: string, extra: Partial<TaskFacts> = {}): TaskFacts {
  return {
    arn: taskArn(id),
    clusterArn: clusterArn("prod"),
    group: "service:web",
    lastStatus,
    desiredStatus: lastStatus === "RUNNING" ? "RUNNING" : "STOPPED",
    ebsAttachments: [
      {
        id: `att-${id}`,
        status: lastStatus === "RUNNING" ? "ATTACHED" : lastStatus === "STOPPED" ? "DELETED" : "DETACHING",
        roleArn: ROLE_ARN,
        volumeId: `vol-${id}`,
      },
    ],
    ...extra,
  };
}

function service(name: string, status: string): ServiceFacts {
  return {
    arn: `arn:aws:ecs:${REGION}:${ACCOUNT}:service/prod/${name}`,
    name,
    status,
    infrastructureRoles: [{ roleArn: ROLE_ARN, use: "ebs", deploymentId: "ecs-svc/1" }],
    deploymentIds: ["ecs-svc/1"],
  };
}

function cluster(
  tasks: TaskFacts[] | Fact<TaskFacts[]>,
  services: ServiceFacts[] | Fact<ServiceFacts[]> = [],
  name = "prod",
): ClusterFacts {
  return {
    arn: clusterArn(name),
    name,
    services: Array.isArray(services) ? ok(services) : services,
    tasks: Array.isArray(tasks) ? ok(tasks) : tasks,
    capacityProviders: ok([]),
    expressServices: ok([]),
  };
}

function ecs(clusters: ClusterFacts[] | Fact<ClusterFacts[]>): Facts {
  return facts([role(ROLE)], { ecs: { clusters: Array.isArray(clusters) ? ok(clusters) : clusters } });
}

const twoRunning = ecs([cluster([task("a", "RUNNING"), task("b", "RUNNING")], [service("web", "ACTIVE")])]);
const scaledToZero = ecs([
  cluster(
    [task("a", "STOPPED"), task("b", "STOPPED")],
    [{ ...service("web", "ACTIVE"), infrastructureRoles: [] }],
  ),
]);
const deprovisioning = task("slow", "DEPROVISIONING", {
  stoppingAt: new Date(NOW - 2 * 60_000).toISOString(),
  ebsAttachments: [
    {
      id: "att-slow",
      status: "DETACHING",
      roleArn: ROLE_ARN,
      volumeId: "vol-slow",
      statusReason: "Detaching the volume",
    },
  ],
});

/** A service scaled to 0 (desired, running and pending 0) whose deployment still names the role for `use`. */
const idle = (
  name: string,
  use: ServiceFacts["infrastructureRoles"][number]["use"] = "ebs",
): ServiceFacts => ({
  ...service(name, "ACTIVE"),
  infrastructureRoles: [{ roleArn: ROLE_ARN, use, deploymentId: "ecs-svc/1" }],
  desiredCount: 0,
  runningCount: 0,
  pendingCount: 0,
});

const detailsOf = (findings: { details?: Record<string, unknown> }[]) => findings[0]?.details ?? {};

testRule(rule, {
  valid: [
    {
      name: "a normal check lists a service scaled to 0 as a user of the role (pass)",
      facts: ecs([cluster([], [idle("web")])]),
      expect: { [ROLE_ARN]: "pass" },
      message: { [ROLE_ARN]: /in use by .*prod\/web/ },
    },
    {
      name: "a STOPPED task's roleless attachment leaves nothing open",
      facts: ecs([
        cluster([task("done", "STOPPED", { ebsAttachments: [{ id: "att-done", status: "DELETED" }] })]),
      ]),
      context: BEFORE,
      expect: { [ROLE_ARN]: "pass" },
    },
    {
      name: "two RUNNING tasks with volumes: a normal check passes and lists them",
      facts: twoRunning,
      expect: { [ROLE_ARN]: "pass" },
      message: { [ROLE_ARN]: /in use by 2 tasks \(a RUNNING, b RUNNING\) and 1 service \(prod\/web\)/ },
      assert: (findings) => {
        const d = detailsOf(findings);
        expect(d.inUse).toBe(true);
        expect(d.tasks).toEqual([
          expect.objectContaining({ arn: taskArn("a"), lastStatus: "RUNNING", attachmentStatus: "ATTACHED" }),
          expect.objectContaining({ arn: taskArn("b"), volumeId: "vol-b" }),
        ]);
        expect(d.services).toEqual([expect.objectContaining({ name: "web", status: "ACTIVE" })]);
      },
    },
    {
      name: "the service scaled to 0 and every task STOPPED: free, even before a change",
      facts: scaledToZero,
      context: BEFORE,
      expect: { [ROLE_ARN]: "pass" },
      message: {
        [ROLE_ARN]:
          /No task that is not STOPPED, no ACTIVE or DRAINING service and no live capacity provider or Express service uses role ecsInfrastructureRole \(1 cluster read\): it may be changed or deleted/,
      },
      assert: (findings) =>
        expect(detailsOf(findings)).toMatchObject({ inUse: false, tasks: [], services: [] }),
    },
    {
      name: "before a change scoped with --cluster: still a pass, saying only that cluster was read and that the role is global",
      facts: { ...scaledToZero, scope: { ...scaledToZero.scope, clusters: [clusterArn("prod")] } },
      context: BEFORE,
      expect: { [ROLE_ARN]: "pass" },
      message: {
        [ROLE_ARN]:
          /uses role ecsInfrastructureRole in cluster prod of us-east-1 \(only the --cluster scope was read\): as far as those clusters go it may be changed or deleted, but the role is global and a cluster outside the scope, or another Region, may still use it \(check with --role alone, and --regions, before deleting it\)/,
      },
    },
    {
      name: "an INACTIVE service whose tasks all STOPPED: free",
      facts: ecs([cluster([task("a", "STOPPED")], [service("web", "INACTIVE")])]),
      context: BEFORE,
      expect: { [ROLE_ARN]: "pass" },
    },
    {
      name: "one task DEPROVISIONING for two minutes: a normal check passes and names it",
      facts: ecs([cluster([deprovisioning])]),
      expect: { [ROLE_ARN]: "pass" },
      message: { [ROLE_ARN]: /in use by 1 task \(slow DEPROVISIONING\)/ },
    },
    {
      name: "a role-only normal check read no ECS: nothing to report",
      facts: facts([role(ROLE)]),
      expect: {},
    },
    {
      name: "before a change of the named role, another role in scope that is in use is only listed",
      facts: {
        ...ecs([cluster([task("a", "RUNNING")])]),
        roles: [
          role(ROLE, {
            referencedBy: [
              { kind: "task", cluster: clusterArn("prod"), task: taskArn("a"), status: "RUNNING" },
            ],
          }),
          role("named"),
        ],
        scope: { clusters: ["prod"], services: [], tasks: [], roles: ["named"] },
      },
      context: BEFORE,
      expect: { [ROLE_ARN]: "pass", [`arn:aws:iam::${ACCOUNT}:role/named`]: "pass" },
      message: {
        [ROLE_ARN]: /in use by 1 task/,
        [`arn:aws:iam::${ACCOUNT}:role/named`]: /it may be changed or deleted/,
      },
    },
    {
      name: "a role no task or service uses, in a normal check",
      facts: ecs([cluster([task("a", "RUNNING", { ebsAttachments: [] })])]),
      expect: { [ROLE_ARN]: "pass" },
      assert: (findings) => expect(detailsOf(findings).beforeRoleChange).toBe(false),
    },
  ],
  invalid: [
    {
      name: "before a change, a service scaled to 0 with no task left: warn, saying its next scale-up breaks",
      facts: ecs([cluster([task("a", "STOPPED")], [idle("web")])]),
      context: BEFORE,
      expect: { [ROLE_ARN]: "warn" },
      message: {
        [ROLE_ARN]:
          /named only by a service scaled to 0 with no task left \(prod\/web\): no volume is stranded now, but .*next scale-up starts tasks whose EBS volumes ECS cannot manage/,
      },
      assert: ([f]) => expect(f?.remediation).toMatch(/delete-service --cluster prod --service web/),
    },
    {
      name: "before a change, a service scaled to 0 whose task is still DEPROVISIONING: fail",
      facts: ecs([cluster([deprovisioning], [idle("web")])]),
      context: BEFORE,
      expect: { [ROLE_ARN]: "fail" },
    },
    {
      name: "before a change, one service scaled to 0 and one running: fail",
      facts: ecs([cluster([task("a", "RUNNING")], [idle("web"), service("api", "ACTIVE")])]),
      context: BEFORE,
      expect: { [ROLE_ARN]: "fail" },
    },
    {
      name: "before a change, a service scaled to 0 that uses the role for VPC Lattice: fail as before",
      facts: ecs([cluster([], [idle("web", "vpc-lattice")])]),
      context: BEFORE,
      expect: { [ROLE_ARN]: "fail" },
    },
    {
      name: "before a change, facts that do not say the service's counts (an older snapshot): fail as before",
      facts: ecs([cluster([], [service("web", "ACTIVE")])]),
      context: BEFORE,
      expect: { [ROLE_ARN]: "fail" },
    },
    {
      name: "two RUNNING tasks with volumes: fails before a change, with the safe order",
      facts: twoRunning,
      context: BEFORE,
      expect: { [ROLE_ARN]: "fail" },
      message: { [ROLE_ARN]: /still in use by 2 tasks .* and 1 service/ },
      assert: (findings) => {
        expect(findings[0]?.remediation).toMatch(
          /aws ecs delete-service --cluster prod --service web --force/,
        );
        expect(findings[0]?.remediation).toMatch(
          /ecs-preflight wait --role ecsInfrastructureRole --cluster prod/,
        );
      },
    },
    {
      name: "one task DEPROVISIONING for two minutes (not stuck, but in use): fails before a change",
      facts: ecs([cluster([deprovisioning])]),
      context: BEFORE,
      expect: { [ROLE_ARN]: "fail" },
      assert: (findings) =>
        expect(detailsOf(findings).tasks).toEqual([
          expect.objectContaining({
            lastStatus: "DEPROVISIONING",
            attachmentStatus: "DETACHING",
            statusReason: "Detaching the volume",
          }),
        ]),
    },
    {
      name: "a DRAINING service still names the role: fails before a change",
      facts: ecs([cluster([task("a", "STOPPED")], [service("web", "DRAINING")])]),
      context: BEFORE,
      expect: { [ROLE_ARN]: "fail" },
      message: { [ROLE_ARN]: /1 service \(prod\/web\)/ },
      // A DRAINING service is being deleted already: the fix is only to wait.
      assert: (findings) => expect(findings[0]?.remediation).not.toMatch(/delete-service/),
    },
    {
      name: "an INACTIVE service whose task is still DEPROVISIONING: the task keeps the role in use",
      facts: ecs([cluster([task("left", "DEPROVISIONING")], [service("web", "INACTIVE")])]),
      context: BEFORE,
      expect: { [ROLE_ARN]: "fail" },
      message: { [ROLE_ARN]: /1 task \(left DEPROVISIONING\)/ },
      assert: (findings) => expect(detailsOf(findings).services).toEqual([]),
    },
    {
      name: "a STOPPING task counts as in use",
      facts: ecs([cluster([task("s", "STOPPING")])]),
      context: BEFORE,
      expect: { [ROLE_ARN]: "fail" },
    },
    {
      name: "a cluster whose tasks could not be read: unknown before a change (never free without looking)",
      facts: ecs([cluster([task("a", "STOPPED")]), cluster(err("ecs:ListTasks"), [], "other")]),
      context: BEFORE,
      expect: { [ROLE_ARN]: "unknown" },
      message: { [ROLE_ARN]: /cluster other \(ecs:ListTasks AccessDenied\) could not be read/ },
    },
    {
      name: "a cluster whose tasks could not be read: unknown in a normal check too",
      facts: ecs([cluster(err("ecs:ListTasks"))]),
      expect: { [ROLE_ARN]: "unknown" },
      assert: (findings) =>
        expect(detailsOf(findings).unread).toEqual([expect.objectContaining({ api: "ecs:ListTasks" })]),
    },
    {
      name: "the cluster list could not be read: unknown",
      facts: ecs(err("ecs:ListClusters")),
      context: BEFORE,
      expect: { [ROLE_ARN]: "unknown" },
      message: { [ROLE_ARN]: /the cluster list/ },
    },
    {
      name: "a use found is a use, even where another cluster could not be read: fail, naming the gap",
      facts: ecs([cluster([task("a", "RUNNING")]), cluster(err("ecs:ListTasks"), [], "other")]),
      context: BEFORE,
      expect: { [ROLE_ARN]: "fail" },
      message: { [ROLE_ARN]: /and cluster other \(ecs:ListTasks AccessDenied\) could not be read/ },
    },
    {
      name: "an unfinished task whose EBS attachment names no role may hold this one: unknown, never free",
      facts: ecs([
        cluster([
          task("norole", "DEPROVISIONING", {
            ebsAttachments: [{ id: "att-norole", status: "DETACHING", volumeId: "vol-norole" }],
          }),
        ]),
      ]),
      context: BEFORE,
      expect: { [ROLE_ARN]: "unknown" },
      message: { [ROLE_ARN]: /cluster prod \(ecs:DescribeTasks AttachmentWithoutRole\) could not be read/ },
      assert: (findings) =>
        expect(detailsOf(findings).unread).toEqual([
          expect.objectContaining({ resource: clusterArn("prod"), error: expect.stringMatching(/norole/) }),
        ]),
    },
    {
      name: "the caller's account could not be read: a role named by name still matches its tasks' role ARNs",
      facts: {
        ...ecs([cluster([task("a", "RUNNING")])]),
        caller: err("sts:GetCallerIdentity"),
      },
      context: BEFORE,
      expect: { [ROLE_ARN]: "fail" },
      message: { [ROLE_ARN]: /still in use by 1 task \(a RUNNING\)/ },
    },
    {
      name: "before a change, a scope narrowed to --service or --task read only those tasks: not free, unknown",
      facts: {
        ...ecs([cluster([task("a", "STOPPED")], [service("web", "INACTIVE")])]),
        scope: { clusters: ["prod"], services: ["web"], tasks: [], roles: [ROLE] },
      },
      context: BEFORE,
      expect: { [ROLE_ARN]: "unknown" },
      message: { [ROLE_ARN]: /only the tasks of --service web/ },
    },
    {
      name: "facts without ECS (a snapshot taken with only --role) before a change: unknown",
      facts: facts([role(ROLE)]),
      context: BEFORE,
      expect: { [ROLE_ARN]: "unknown" },
      message: { [ROLE_ARN]: /ECS was not read/ },
    },
  ],
});

/** Every use of the role is a dependent: capacity providers, Express services, VPC Lattice and blue/green. */
const PREFIX = `arn:aws:ecs:${REGION}:${ACCOUNT}`;
const withUses = (extra: Partial<ClusterFacts>, services: ServiceFacts[] = []) =>
  ecs([{ ...cluster([task("a", "STOPPED")], services), ...extra }]);
const miProvider = (status: string) => ({
  arn: `${PREFIX}:capacity-provider/mi`,
  name: "mi",
  type: "MANAGED_INSTANCES",
  status,
  infrastructureRoleArn: ROLE_ARN,
});
const shop = (status: string) => ({
  arn: `${PREFIX}:service/prod/shop`,
  name: "shop",
  status,
  infrastructureRoleArn: ROLE_ARN,
});
const blueGreen: ServiceFacts = {
  ...service("web", "ACTIVE"),
  infrastructureRoles: [{ roleArn: ROLE_ARN, use: "load-balancer" }],
};

testRule(rule, {
  valid: [
    {
      name: "a deleted (INACTIVE) capacity provider and Express service: free before a change",
      facts: withUses({
        capacityProviders: ok([miProvider("INACTIVE")]),
        expressServices: ok([shop("INACTIVE")]),
      }),
      context: BEFORE,
      expect: { [ROLE_ARN]: "pass" },
      message: { [ROLE_ARN]: /it may be changed or deleted/ },
    },
    {
      name: "a capacity provider naming the role: a normal check passes and lists it",
      facts: withUses({ capacityProviders: ok([miProvider("ACTIVE")]) }),
      expect: { [ROLE_ARN]: "pass" },
      message: { [ROLE_ARN]: /in use by 1 Managed Instances capacity provider \(prod\/mi\)/ },
      assert: (findings) =>
        expect(detailsOf(findings).capacityProviders).toEqual([
          expect.objectContaining({ name: "mi", status: "ACTIVE", use: "managed-instances" }),
        ]),
    },
  ],
  invalid: [
    {
      name: "a role only a Managed Instances capacity provider uses: fails before a change, saying what breaks",
      facts: withUses({ capacityProviders: ok([miProvider("ACTIVE")]) }),
      context: BEFORE,
      expect: { [ROLE_ARN]: "fail" },
      message: {
        [ROLE_ARN]:
          /still in use by 1 Managed Instances capacity provider \(prod\/mi\): .*Managed Instances: the capacity provider cannot launch instances, so new tasks stay PENDING/,
      },
      assert: (findings) =>
        expect(findings[0]?.remediation).toMatch(
          /aws ecs delete-capacity-provider --cluster prod --capacity-provider mi\n[\s\S]*ecs-preflight wait --role ecsInfrastructureRole --cluster prod/,
        ),
    },
    {
      name: "a role only an Express service uses: fails before a change",
      facts: withUses({ expressServices: ok([shop("ACTIVE")]) }),
      context: BEFORE,
      expect: { [ROLE_ARN]: "fail" },
      message: { [ROLE_ARN]: /1 Express service \(prod\/shop\).*Express Mode: ECS cannot change or delete/ },
      assert: (findings) =>
        expect(findings[0]?.remediation).toMatch(
          /aws ecs delete-express-gateway-service --service-arn arn:aws:ecs:.*:service\/prod\/shop/,
        ),
    },
    {
      name: "a service's blue/green load balancer names the role: fails before a change",
      facts: withUses({}, [blueGreen]),
      context: BEFORE,
      expect: { [ROLE_ARN]: "fail" },
      message: {
        [ROLE_ARN]: /1 service \(prod\/web\).*blue\/green load balancer: deployments cannot shift traffic/,
      },
    },
    {
      name: "capacity providers that could not be read: unknown before a change, never free",
      facts: withUses({ capacityProviders: err("ecs:DescribeCapacityProviders", "AccessDeniedException") }),
      context: BEFORE,
      expect: { [ROLE_ARN]: "unknown" },
      message: { [ROLE_ARN]: /ecs:DescribeCapacityProviders AccessDeniedException/ },
    },
    {
      name: "facts gathered before Express services were read: unknown before a change",
      facts: withUses({ expressServices: undefined }),
      context: BEFORE,
      expect: { [ROLE_ARN]: "unknown" },
      message: { [ROLE_ARN]: /ecs:DescribeExpressGatewayService NotCollected/ },
    },
  ],
});
