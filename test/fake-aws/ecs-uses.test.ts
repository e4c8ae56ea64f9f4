import {
  DescribeCapacityProvidersCommand,
  DescribeExpressGatewayServiceCommand,
  DescribeServicesCommand,
  ECSClient,
} from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { expressService, managedInstancesProvider, roleArnOf } from "./builders.ts";
import { type FakeAws, startFakeAws } from "./server.ts";

/** The fake's capacity providers and Express services, as ECS answers them (through the real SDK). */

const PREFIX = "arn:aws:ecs:us-east-1:111122223333";
let fake: FakeAws;
let ecs: ECSClient;

beforeAll(async () => {
  fake = await startFakeAws({
    accountId: "111122223333",
    clusters: [
      {
        name: "prod",
        capacityProviders: [
          managedInstancesProvider({
            name: "mi",
            roleArn: roleArnOf("mi-infra"),
            transitions: [{ afterDescribes: 2, status: "INACTIVE" }],
          }),
          { name: "asg" },
        ],
        services: [expressService({ name: "shop", roleArn: roleArnOf("express-infra") })],
      },
    ],
  });
  ecs = new ECSClient({ ...fake.clientConfig(), maxAttempts: 1 });
});
afterAll(async () => {
  ecs.destroy();
  await fake.close();
});

describe("DescribeCapacityProviders", () => {
  test("Managed Instances providers are cluster-scoped: only asked for with the cluster", async () => {
    const account = await ecs.send(new DescribeCapacityProvidersCommand({}));
    expect(account.capacityProviders?.map((c) => c.name)).toEqual(["asg"]);
    const cluster = await ecs.send(new DescribeCapacityProvidersCommand({ cluster: "prod" }));
    expect(cluster.capacityProviders?.map((c) => [c.name, c.type, c.cluster])).toEqual([
      ["mi", "MANAGED_INSTANCES", "prod"],
      ["asg", "EC2_AUTOSCALING", undefined],
    ]);
    expect(cluster.capacityProviders?.[0]?.managedInstancesProvider?.infrastructureRoleArn).toBe(
      roleArnOf("mi-infra"),
    );
  });

  test("pages with maxResults and nextToken; maxResults above 10 is refused", async () => {
    const first = await ecs.send(new DescribeCapacityProvidersCommand({ cluster: "prod", maxResults: 1 }));
    expect(first.capacityProviders).toHaveLength(1);
    const second = await ecs.send(
      new DescribeCapacityProvidersCommand({ cluster: "prod", maxResults: 1, nextToken: first.nextToken }),
    );
    expect(second.capacityProviders?.map((c) => c.name)).toEqual(["asg"]);
    expect(second.nextToken).toBeUndefined();
    await expect(
      ecs.send(new DescribeCapacityProvidersCommand({ cluster: "prod", maxResults: 11 })),
    ).rejects.toMatchObject({ name: "InvalidParameterException" });
  });

  test("a provider's transitions follow how often it was described", async () => {
    // The two describes above showed it; the next one shows it deleted.
    const next = await ecs.send(new DescribeCapacityProvidersCommand({ cluster: "prod" }));
    expect(next.capacityProviders?.find((c) => c.name === "mi")?.status).toBe("INACTIVE");
  });
});

describe("Express services", () => {
  test("DescribeServices says ECS manages it; DescribeExpressGatewayService names its infrastructure role", async () => {
    const described = await ecs.send(new DescribeServicesCommand({ cluster: "prod", services: ["shop"] }));
    expect(described.services?.[0]?.resourceManagementType).toBe("ECS");
    expect(described.services?.[0]).not.toHaveProperty("express");
    const express = await ecs.send(
      new DescribeExpressGatewayServiceCommand({ serviceArn: `${PREFIX}:service/prod/shop` }),
    );
    expect(express.service).toMatchObject({
      serviceName: "shop",
      cluster: "prod",
      infrastructureRoleArn: roleArnOf("express-infra"),
      status: { statusCode: "ACTIVE" },
    });
  });

  test("an unknown service is ResourceNotFoundException", async () => {
    await expect(
      ecs.send(new DescribeExpressGatewayServiceCommand({ serviceArn: `${PREFIX}:service/prod/nope` })),
    ).rejects.toMatchObject({ name: "ResourceNotFoundException" });
  });
});
