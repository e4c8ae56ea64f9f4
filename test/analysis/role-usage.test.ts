import { describe, expect, it } from "vitest";
import { consequenceSentence, inUse, roleUsage, usageSentence } from "../../src/analysis/role-usage.ts";
import type {
  CapacityProviderFacts,
  ClusterFacts,
  ExpressServiceFacts,
  ServiceFacts,
  ServiceRoleUse,
  TaskFacts,
} from "../../src/facts/types.ts";
import { ACCOUNT, err, facts, ok, REGION, role } from "../support/facts.ts";
import { readCluster } from "../support/use-cases.ts";

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
      clusters: ok([readCluster(cluster)]),
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

const PREFIX = `arn:aws:ecs:${REGION}:${ACCOUNT}`;

function provider(name: string, status: string, roleArn: string | null = ROLE): CapacityProviderFacts {
  return {
    arn: `${PREFIX}:capacity-provider/${name}`,
    name,
    type: "MANAGED_INSTANCES",
    status,
    ...(roleArn ? { infrastructureRoleArn: roleArn } : {}),
  };
}

function express(name: string, status: string, roleArn: string | null = ROLE): ExpressServiceFacts {
  return {
    arn: `${PREFIX}:service/prod/${name}`,
    name,
    status,
    ...(roleArn ? { infrastructureRoleArn: roleArn } : {}),
  };
}

function using(name: string, status: string, ...uses: ServiceRoleUse[]): ServiceFacts {
  return {
    arn: `${PREFIX}:service/prod/${name}`,
    name,
    status,
    infrastructureRoles: uses.map((use) =>
      use === "load-balancer" ? { roleArn: ROLE, use } : { roleArn: ROLE, use, deploymentId: "ecs-svc/1" },
    ),
    deploymentIds: ["ecs-svc/1"],
  };
}

describe("roleUsage: every use of the role is a dependent", () => {
  const rows: {
    name: string;
    cluster: Partial<ClusterFacts>;
    inUse: boolean | undefined;
    sentence?: string;
    breaks?: RegExp;
    unreadCode?: string;
  }[] = [
    {
      name: "an ACTIVE Managed Instances capacity provider naming the role",
      cluster: { capacityProviders: ok([provider("mi", "ACTIVE")]) },
      inUse: true,
      sentence: "1 Managed Instances capacity provider (prod/mi)",
      breaks: /^Managed Instances: the capacity provider cannot launch instances, so new tasks stay PENDING$/,
    },
    {
      name: "a capacity provider being deleted (DEPROVISIONING) still needs it",
      cluster: { capacityProviders: ok([provider("mi", "DEPROVISIONING")]) },
      inUse: true,
    },
    {
      name: "a deleted (INACTIVE) capacity provider does not",
      cluster: { capacityProviders: ok([provider("mi", "INACTIVE")]) },
      inUse: false,
    },
    {
      name: "an Express service naming the role",
      cluster: { expressServices: ok([express("shop", "ACTIVE")]) },
      inUse: true,
      sentence: "1 Express service (prod/shop)",
      breaks: /^Express Mode: ECS cannot change or delete the service's load balancer/,
    },
    {
      name: "a deleted (INACTIVE) Express service does not",
      cluster: { expressServices: ok([express("shop", "INACTIVE")]) },
      inUse: false,
    },
    {
      name: "a VPC Lattice configuration of a DRAINING service",
      cluster: { services: ok([using("mesh", "DRAINING", "vpc-lattice")]) },
      inUse: true,
      sentence: "1 service (prod/mesh)",
      breaks: /^VPC Lattice: tasks are not registered with or deregistered from/,
    },
    {
      name: "a blue/green load balancer of an ACTIVE service",
      cluster: { services: ok([using("web", "ACTIVE", "load-balancer")]) },
      inUse: true,
      breaks: /^blue\/green load balancer: deployments cannot shift traffic or roll back$/,
    },
    {
      name: "one service naming the role twice is one service, with both uses",
      cluster: { services: ok([using("web", "ACTIVE", "ebs", "vpc-lattice")]) },
      inUse: true,
      sentence: "1 service (prod/web)",
      breaks: /^EBS volumes: .*; VPC Lattice: /,
    },
    {
      name: "every kind at once, listed in one sentence",
      cluster: {
        tasks: ok([task("a", "RUNNING")]),
        services: ok([using("web", "ACTIVE", "load-balancer")]),
        capacityProviders: ok([provider("mi", "ACTIVE")]),
        expressServices: ok([express("shop", "ACTIVE")]),
      },
      inUse: true,
      sentence:
        "1 task (a RUNNING), 1 service (prod/web), 1 Managed Instances capacity provider (prod/mi) and 1 Express service (prod/shop)",
    },
    {
      name: "capacity providers that could not be read leave use open",
      cluster: { capacityProviders: err("ecs:DescribeCapacityProviders", "AccessDeniedException") },
      inUse: undefined,
      unreadCode: "AccessDeniedException",
    },
    {
      name: "facts gathered before capacity providers were read say nothing of them",
      cluster: { capacityProviders: undefined },
      inUse: undefined,
      unreadCode: "NotCollected",
    },
    {
      name: "Express services that could not be read leave use open",
      cluster: { expressServices: err("ecs:DescribeExpressGatewayService", "AccessDeniedException") },
      inUse: undefined,
      unreadCode: "AccessDeniedException",
    },
    {
      name: "facts gathered before Express services were read say nothing of them",
      cluster: { expressServices: undefined },
      inUse: undefined,
      unreadCode: "NotCollected",
    },
    {
      name: "a Managed Instances provider that names no role may need this one",
      cluster: { capacityProviders: ok([provider("mi", "ACTIVE", null)]) },
      inUse: undefined,
      unreadCode: "UseWithoutRole",
    },
    {
      name: "an Express service that names no role may need this one",
      cluster: { expressServices: ok([express("shop", "ACTIVE", null)]) },
      inUse: undefined,
      unreadCode: "UseWithoutRole",
    },
    {
      name: "an Auto Scaling group provider names no infrastructure role, and needs none",
      cluster: {
        capacityProviders: ok([
          { arn: `${PREFIX}:capacity-provider/asg`, name: "asg", type: "EC2_AUTOSCALING", status: "ACTIVE" },
        ]),
      },
      inUse: false,
    },
    {
      name: "another role's capacity provider is not this role's use",
      cluster: { capacityProviders: ok([provider("mi", "ACTIVE", `arn:aws:iam::${ACCOUNT}:role/other`)]) },
      inUse: false,
    },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const usage = roleUsage(withCluster(row.cluster), "ecsInfrastructureRole");
      expect(inUse(usage)).toBe(row.inUse);
      if (row.sentence) expect(usageSentence(usage)).toBe(row.sentence);
      if (row.breaks) expect(consequenceSentence(usage)).toMatch(row.breaks);
      if (row.unreadCode) expect(usage.unread.map((u) => u.error.code)).toEqual([row.unreadCode]);
    });
  }

  it("services that could not be read are one gap, not two (the Express services carry the same error)", () => {
    const denied = err("ecs:ListServices");
    const usage = roleUsage(withCluster({ services: denied, expressServices: denied }), ROLE);
    expect(usage.unread.map((u) => u.error.api)).toEqual(["ecs:ListServices"]);
  });
});
