import { describe, expect, it } from "vitest";
import { inUse, roleUsage, usageSentence } from "../../src/analysis/role-usage.ts";
import type { ClusterFacts, ServiceFacts, TaskFacts } from "../../src/facts/types.ts";
import { ACCOUNT, err, facts, ok, REGION, role } from "../support/facts.ts";

const ROLE = `arn:aws:iam::${ACCOUNT}:role/storage/ecsInfrastructureRole`;
const CLUSTER = `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/prod`;

function task(id: string, lastStatus: string, roleArn = ROLE): TaskFacts {
  return {
    arn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task/prod/${id}`,
    clusterArn: CLUSTER,
    group: "service:web",
    lastStatus,
    desiredStatus: lastStatus === "RUNNING" ? "RUNNING" : "STOPPED",
    ebsAttachments: [{ id: `att-${id}`, status: "ATTACHED", roleArn, volumeId: `vol-${id}` }],
  };
}

function service(name: string, status: string, roleArn = ROLE): ServiceFacts {
  return {
    arn: `arn:aws:ecs:${REGION}:${ACCOUNT}:service/prod/${name}`,
    name,
    status,
    infrastructureRoles: [{ roleArn, use: "ebs", deploymentId: "ecs-svc/1" }],
    deploymentIds: ["ecs-svc/1"],
  };
}

function withCluster(cluster: Partial<ClusterFacts>) {
  return facts([role("ecsInfrastructureRole")], {
    ecs: {
      clusters: ok([
        { arn: CLUSTER, name: "prod", services: ok([]), tasks: ok([]), ...cluster } as ClusterFacts,
      ]),
    },
  });
}

describe("roleUsage", () => {
  it("counts unfinished tasks and ACTIVE/DRAINING services, by name regardless of path and case", () => {
    const f = withCluster({
      services: ok([service("web", "ACTIVE"), service("old", "DRAINING"), service("gone", "INACTIVE")]),
      tasks: ok([
        task("a", "RUNNING"),
        task("b", "DEPROVISIONING"),
        task("c", "STOPPED"),
        task("d", "DELETED"),
      ]),
    });
    const usage = roleUsage(f, "ECSInfrastructureRole");
    expect(usage.tasks.map((t) => t.arn.split("/").pop())).toEqual(["a", "b"]);
    expect(usage.services.map((s) => s.name)).toEqual(["web", "old"]);
    expect(inUse(usage)).toBe(true);
    expect(usageSentence(usage)).toBe(
      "2 tasks (a RUNNING, b DEPROVISIONING) and 2 services (prod/web, prod/old)",
    );
    // The same role named by its ARN, with its path.
    expect(roleUsage(f, ROLE).tasks).toHaveLength(2);
  });

  it("is clear when every task stopped and the service is gone", () => {
    const f = withCluster({ services: ok([service("web", "INACTIVE")]), tasks: ok([task("c", "STOPPED")]) });
    expect(inUse(roleUsage(f, ROLE))).toBe(false);
  });

  it("keeps another account's role of the same name apart", () => {
    const other = "arn:aws:iam::444455556666:role/ecsInfrastructureRole";
    const f = withCluster({ tasks: ok([task("x", "RUNNING", other)]) });
    expect(inUse(roleUsage(f, ROLE))).toBe(false);
    expect(inUse(roleUsage(f, other))).toBe(true);
  });

  it("cannot say a role is unused when a cluster's tasks or the cluster list could not be read", () => {
    const unreadTasks = withCluster({ tasks: err("ecs:ListTasks") });
    expect(inUse(roleUsage(unreadTasks, ROLE))).toBeUndefined();
    expect(roleUsage(unreadTasks, ROLE).unread).toEqual([
      { resource: CLUSTER, error: expect.objectContaining({ api: "ecs:ListTasks" }) },
    ]);
    const unreadClusters = facts([role("ecsInfrastructureRole")], {
      ecs: { clusters: err("ecs:ListClusters") },
    });
    expect(inUse(roleUsage(unreadClusters, ROLE))).toBeUndefined();
  });

  it("knows nothing of use when ECS was not read (a --role-only check)", () => {
    const usage = roleUsage(facts([role("ecsInfrastructureRole")]), ROLE);
    expect(usage.ecsRead).toBe(false);
    expect(inUse(usage)).toBeUndefined();
  });

  it("a use found is a use, even where another cluster could not be read", () => {
    const f = withCluster({ tasks: ok([task("a", "RUNNING")]), services: err("ecs:ListServices") });
    expect(inUse(roleUsage(f, ROLE))).toBe(true);
  });
});
