import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { FakeAccount } from "../fake-aws/account.ts";
import {
  ACCOUNT_ID,
  expressService,
  managedInstancesProvider,
  networkedService,
  roleArnOf,
} from "../fake-aws/builders.ts";
import { type FakeAws, startFakeAws } from "../fake-aws/server.ts";
import { runCli } from "../support/cli.ts";

/**
 * End to end through the real SDK: `wait` does not call a role clear while a use that leaves no trace on a task
 * names it (a Managed Instances capacity provider, an Express service, a VPC Lattice or blue/green configuration),
 * and it clears once that use is gone.
 */

const ROLE = "mi-infra";
const ROLE_ARN = roleArnOf(ROLE);

const account: FakeAccount = {
  accountId: ACCOUNT_ID,
  clusters: [
    {
      // Being deleted: DEPROVISIONING for three reads, then INACTIVE.
      name: "draining-capacity",
      capacityProviders: [
        managedInstancesProvider({
          name: "mi",
          roleArn: ROLE_ARN,
          status: "DEPROVISIONING",
          transitions: [{ afterDescribes: 3, status: "INACTIVE" }],
        }),
      ],
    },
    {
      name: "kept-capacity",
      capacityProviders: [managedInstancesProvider({ name: "mi", roleArn: ROLE_ARN })],
    },
    { name: "express", services: [expressService({ name: "shop", roleArn: ROLE_ARN })] },
    {
      name: "mesh",
      services: [networkedService({ name: "api", latticeRoleArn: ROLE_ARN, loadBalancerRoleArn: ROLE_ARN })],
    },
  ],
};

let fake: FakeAws;
beforeAll(async () => {
  fake = await startFakeAws(account);
  Object.assign(process.env, fake.env(), { ECS_PREFLIGHT_POLL_MS: "10" });
});
afterAll(async () => {
  delete process.env.ECS_PREFLIGHT_POLL_MS;
  await fake.close();
});
afterEach(() => fake.setFaults([]));

async function wait(args: string[]) {
  const before = fake.requests.length;
  const result = await runCli(["wait", "--role", ROLE_ARN, ...args]);
  expect(result.stderr).not.toMatch(/\n\s+at /);
  const calls = fake.requests.slice(before);
  return { ...result, count: (action: string) => calls.filter((c) => c.action === action).length };
}

describe("wait, for the uses without tasks", () => {
  it("waits on a capacity provider being deleted, and clears once it is INACTIVE: exit 0 after polling", async () => {
    const { code, stdout, count } = await wait(["--cluster", "draining-capacity", "--timeout", "30s"]);
    expect(code).toBe(0);
    expect(count("DescribeCapacityProviders")).toBe(4);
    expect(stdout).toMatch(/^Role mi-infra is clear/);
  });

  it("a capacity provider that keeps the role keeps it waiting: exit 1, naming it and what breaks", async () => {
    const { code, stdout } = await wait(["--cluster", "kept-capacity", "--timeout", "1s"]);
    expect(code).toBe(1);
    expect(stdout).toMatch(/Timed out after .*: 1 other use still needs role mi-infra:/);
    expect(stdout).toContain(
      "capacity provider kept-capacity/mi ACTIVE: without the role the capacity provider cannot launch instances, so new tasks stay PENDING",
    );
    expect(stdout).toMatch(/Delete these \(or move them to another role\) first/);
  });

  it("--format json lists the dependents for scripts", async () => {
    const { code, stdout } = await wait(["--cluster", "express", "--timeout", "1s", "--format", "json"]);
    expect(code).toBe(1);
    const json = JSON.parse(stdout);
    expect(json.result).toBe("timed-out");
    expect(json.dependents).toEqual([
      expect.objectContaining({ kind: "express-service", name: "shop", status: "ACTIVE", use: "express" }),
    ]);
  });

  it("a service's VPC Lattice and blue/green configurations keep it waiting", async () => {
    const { code, stdout } = await wait(["--cluster", "mesh", "--timeout", "1s"]);
    expect(code).toBe(1);
    expect(stdout).toContain("service mesh/api (VPC Lattice) ACTIVE");
    expect(stdout).toContain("service mesh/api (blue/green load balancer) ACTIVE");
  });

  it("capacity providers that cannot be read end the wait at once: exit 3, never clear", async () => {
    fake.setFaults([{ service: "ecs", action: "DescribeCapacityProviders", kind: "access-denied" }]);
    const { code, stdout } = await wait(["--cluster", "mesh"]);
    expect(code).toBe(3);
    expect(stdout).toMatch(/cluster mesh: ecs:DescribeCapacityProviders failed with AccessDeniedException/);
  });

  it("Express services that cannot be read end the wait at once: exit 3", async () => {
    fake.setFaults([{ service: "ecs", action: "DescribeExpressGatewayService", kind: "access-denied" }]);
    const { code } = await wait(["--cluster", "express"]);
    expect(code).toBe(3);
  });
});
