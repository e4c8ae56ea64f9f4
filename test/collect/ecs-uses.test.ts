import { ECSClient } from "@aws-sdk/client-ecs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { collectEcs, roleReferences } from "../../src/collect/ecs.ts";
import type { ClusterFacts, Scope } from "../../src/facts/types.ts";
import {
  ACCOUNT_ID,
  ebsService,
  expressService,
  managedInstancesProvider,
  networkedService,
  REGION,
  roleArnOf,
} from "../fake-aws/builders.ts";
import { type FakeAws, startFakeAws } from "../fake-aws/server.ts";

/**
 * The reads of the other uses of a role, through the real SDK against the fake: capacity providers (every page, for
 * the cluster), Express services (one DescribeExpressGatewayService each), and the VPC Lattice and blue/green roles
 * of the services already described. A read that fails is a fact error, never an empty list.
 */

const MI_ROLE = roleArnOf("mi-infra");
const EXPRESS_ROLE = roleArnOf("express-infra");
const LATTICE_ROLE = roleArnOf("lattice-infra");
const LB_ROLE = roleArnOf("bluegreen-infra");
const ECS = `arn:aws:ecs:${REGION}:${ACCOUNT_ID}`;

let fake: FakeAws;
let ecs: ECSClient;
beforeAll(async () => {
  fake = await startFakeAws(
    {
      accountId: ACCOUNT_ID,
      clusters: [
        {
          name: "prod",
          capacityProviders: [
            managedInstancesProvider({ name: "mi-a", roleArn: MI_ROLE }),
            { name: "asg-a", autoScalingGroupProvider: { autoScalingGroupArn: "asg-a" } },
            managedInstancesProvider({
              name: "mi-gone",
              roleArn: roleArnOf("gone-infra"),
              status: "INACTIVE",
            }),
            { name: "asg-b" },
            managedInstancesProvider({ name: "mi-b", roleArn: MI_ROLE, status: "DEPROVISIONING" }),
          ],
          services: [
            expressService({ name: "shop", roleArn: EXPRESS_ROLE }),
            expressService({ name: "old-shop", roleArn: roleArnOf("old-express"), status: "INACTIVE" }),
            // Says it is ECS-managed, but DescribeExpressGatewayService no longer knows it.
            { name: "vanished", resourceManagementType: "ECS" },
            networkedService({ name: "mesh", latticeRoleArn: LATTICE_ROLE, loadBalancerRoleArn: LB_ROLE }),
            ebsService({ name: "web", roleArn: roleArnOf("ebs-infra") }),
          ],
        },
        { name: "empty" },
      ],
    },
    { pageSize: { ecs: 2 } },
  );
  ecs = new ECSClient({ ...fake.clientConfig(), maxAttempts: 1 });
});
afterAll(async () => {
  ecs.destroy();
  await fake.close();
});
afterEach(() => fake.setFaults([]));

const scope = (s: Partial<Scope> = {}): Scope => ({ clusters: [], services: [], tasks: [], roles: [], ...s });

async function collect(s: Partial<Scope>) {
  const before = fake.requests.length;
  const result = await collectEcs(ecs, scope(s), { region: REGION, account: ACCOUNT_ID });
  const calls = fake.requests.slice(before);
  const clusters = result.facts.clusters.ok ? result.facts.clusters.value : [];
  const prod = clusters.find((c) => c.name === "prod") as ClusterFacts;
  return {
    ...result,
    prod,
    clusters,
    calls,
    count: (a: string) => calls.filter((c) => c.action === a).length,
  };
}

describe("capacity providers", () => {
  it("reads every page for the cluster (no SDK paginator: the collector follows nextToken)", async () => {
    const { prod, calls } = await collect({ clusters: ["prod"] });
    const pages = calls.filter((c) => c.action === "DescribeCapacityProviders");
    expect(pages).toHaveLength(3);
    for (const page of pages) {
      expect(page.params.cluster).toBe("prod");
      expect(page.params.maxResults).toBe(10);
    }
    expect(pages.map((p) => p.params.nextToken === undefined)).toEqual([true, false, false]);
    expect(prod.capacityProviders).toEqual({
      ok: true,
      value: [
        {
          arn: `${ECS}:capacity-provider/mi-a`,
          name: "mi-a",
          type: "MANAGED_INSTANCES",
          status: "ACTIVE",
          infrastructureRoleArn: MI_ROLE,
          instanceProfileArn: `arn:aws:iam::${ACCOUNT_ID}:instance-profile/ecsInstanceRole`,
        },
        { arn: `${ECS}:capacity-provider/asg-a`, name: "asg-a", type: "EC2_AUTOSCALING", status: "ACTIVE" },
        expect.objectContaining({ name: "mi-gone", status: "INACTIVE" }),
        expect.objectContaining({ name: "asg-b" }),
        expect.objectContaining({ name: "mi-b", status: "DEPROVISIONING", infrastructureRoleArn: MI_ROLE }),
      ],
    });
  });

  it("a live Managed Instances provider names its role as a use; a deleted (INACTIVE) one does not", async () => {
    const { prod } = await collect({ clusters: ["prod"] });
    const refs = roleReferences(prod).filter((r) => r.by.kind === "capacity-provider");
    expect(refs.map((r) => [r.ref, r.by])).toEqual([
      [
        MI_ROLE,
        {
          kind: "capacity-provider",
          cluster: `${ECS}:cluster/prod`,
          capacityProvider: "mi-a",
          use: "managed-instances",
        },
      ],
      [
        MI_ROLE,
        {
          kind: "capacity-provider",
          cluster: `${ECS}:cluster/prod`,
          capacityProvider: "mi-b",
          use: "managed-instances",
        },
      ],
    ]);
  });

  it("a cluster with none has an empty list, read", async () => {
    const { clusters } = await collect({ clusters: ["empty"] });
    expect(clusters[0]?.capacityProviders).toEqual({ ok: true, value: [] });
  });

  it("AccessDenied on DescribeCapacityProviders is a fact error on the cluster, never an empty list", async () => {
    fake.setFaults([{ service: "ecs", action: "DescribeCapacityProviders", kind: "access-denied" }]);
    const { prod } = await collect({ clusters: ["prod"] });
    expect(prod.capacityProviders).toMatchObject({
      ok: false,
      error: { api: "ecs:DescribeCapacityProviders", code: "AccessDeniedException" },
    });
    // The rest of the cluster is still read (ListServices shows the four that are not INACTIVE).
    expect(prod.services.ok && prod.services.value.length).toBe(4);
  });

  it("a failure on a later page hides the whole list", async () => {
    fake.setFaults([
      { service: "ecs", action: "DescribeCapacityProviders", kind: "access-denied", every: 2 },
    ]);
    const { prod } = await collect({ clusters: ["prod"] });
    expect(prod.capacityProviders?.ok).toBe(false);
  });

  it("--task alone reads no capacity provider: like services, they are the cluster's, not the task's", async () => {
    const { prod, count } = await collect({ tasks: [`${ECS}:task/prod/none`] });
    expect(count("DescribeCapacityProviders")).toBe(0);
    expect(prod.capacityProviders).toEqual({ ok: true, value: [] });
  });
});

describe("Express services", () => {
  it("describes each ECS-managed service that is not INACTIVE, one call each; a vanished one is gone", async () => {
    const { prod, calls } = await collect({ clusters: ["prod"] });
    const described = calls.filter((c) => c.action === "DescribeExpressGatewayService");
    expect(described.map((c) => c.params.serviceArn).sort()).toEqual([
      `${ECS}:service/prod/shop`,
      `${ECS}:service/prod/vanished`,
    ]);
    expect(prod.expressServices).toEqual({
      ok: true,
      value: [
        {
          arn: `${ECS}:service/prod/shop`,
          name: "shop",
          status: "ACTIVE",
          infrastructureRoleArn: EXPRESS_ROLE,
        },
      ],
    });
    const refs = roleReferences(prod).filter((r) => r.by.kind === "express-service");
    expect(refs.map((r) => [r.ref, r.by])).toEqual([
      [
        EXPRESS_ROLE,
        { kind: "express-service", cluster: `${ECS}:cluster/prod`, service: "shop", use: "express" },
      ],
    ]);
  });

  it("AccessDenied on DescribeExpressGatewayService is a fact error on the cluster", async () => {
    fake.setFaults([{ service: "ecs", action: "DescribeExpressGatewayService", kind: "access-denied" }]);
    const { prod } = await collect({ clusters: ["prod"] });
    expect(prod.expressServices).toMatchObject({
      ok: false,
      error: { api: "ecs:DescribeExpressGatewayService", code: "AccessDeniedException" },
    });
  });

  it("services that could not be listed leave the Express services unread, with the same error", async () => {
    fake.setFaults([{ service: "ecs", action: "ListServices", kind: "access-denied" }]);
    const { prod, count } = await collect({ clusters: ["prod"] });
    expect(count("DescribeExpressGatewayService")).toBe(0);
    expect(prod.expressServices).toMatchObject({ ok: false, error: { api: "ecs:ListServices" } });
  });
});

describe("VPC Lattice and blue/green roles of the services described", () => {
  it("reads deployments[].vpcLatticeConfigurations[].roleArn and loadBalancers[].advancedConfiguration.roleArn", async () => {
    const { prod } = await collect({ clusters: ["prod"], services: ["mesh"] });
    const mesh = prod.services.ok ? prod.services.value.find((s) => s.name === "mesh") : undefined;
    expect(mesh?.infrastructureRoles).toEqual([
      { roleArn: LATTICE_ROLE, use: "vpc-lattice", deploymentId: expect.stringMatching(/^ecs-svc\//) },
      // Named on the service itself, not by a deployment; its listener rules are an ALB's.
      { roleArn: LB_ROLE, use: "load-balancer", loadBalancerKinds: ["application"] },
    ]);
    const byServices = roleReferences(prod).filter((r) => r.by.kind === "service");
    expect(byServices.map((r) => [r.ref, r.by.kind === "service" && r.by.use])).toEqual([
      [LATTICE_ROLE, "vpc-lattice"],
      [LB_ROLE, "load-balancer"],
    ]);
    // The reference carries the kinds, for the rules and the SCP simulation.
    expect(byServices.find((r) => r.ref === LB_ROLE)?.by).toMatchObject({
      loadBalancerKinds: ["application"],
    });
  });

  it("an Express service says so (resourceManagementType ECS)", async () => {
    const { prod } = await collect({ clusters: ["prod"], services: ["shop", "web"] });
    const types = prod.services.ok ? prod.services.value.map((s) => [s.name, s.resourceManagementType]) : [];
    expect(types).toEqual([
      ["shop", "ECS"],
      ["web", undefined],
    ]);
  });
});
