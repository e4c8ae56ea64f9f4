import { expect } from "vitest";
import type { ClusterFacts, EcsFacts, TaskFacts } from "../../src/facts/types.ts";
import { err, facts, ok } from "../../test/support/facts.ts";
import { testRule } from "../../test/support/rule-tester.ts";
import rule from "./index.ts";

const CLUSTER = "arn:aws:ecs:us-east-1:111122223333:cluster/prod";
const task = (id: string, over: Partial<TaskFacts> = {}): TaskFacts => ({
  arn: `arn:aws:ecs:us-east-1:111122223333:task/prod/${id}`,
  clusterArn: CLUSTER,
  lastStatus: "RUNNING",
  desiredStatus: "RUNNING",
  ebsAttachments: [
    {
      id: `att-${id}`,
      status: "ATTACHED",
      roleArn: "arn:aws:iam::111122223333:role/infra",
      volumeId: `vol-${id}`,
    },
  ],
  ...over,
});
const cluster = (over: Partial<ClusterFacts> = {}): ClusterFacts => ({
  arn: CLUSTER,
  name: "prod",
  services: ok([]),
  tasks: ok([task("a")]),
  capacityProviders: ok([]),
  expressServices: ok([]),
  ...over,
});
const withEcs = (ecs: EcsFacts) => facts([], { ecs });

testRule(rule, {
  valid: [
    {
      name: "a cluster read whole passes, saying how much was read",
      facts: withEcs({ clusters: ok([cluster()]) }),
      expect: { [CLUSTER]: "pass" },
      message: { [CLUSTER]: /read 0 services and 1 task/ },
    },
    {
      name: "a STOPPED task whose attachment names no role is history, not a gap",
      facts: withEcs({
        clusters: ok([
          cluster({
            tasks: ok([
              task("old", { lastStatus: "STOPPED", ebsAttachments: [{ id: "x", status: "DELETED" }] }),
            ]),
          }),
        ]),
      }),
      expect: { [CLUSTER]: "pass" },
    },
    { name: "no ECS in scope (a role-only check) reports nothing", facts: facts([]), expect: {} },
  ],
  invalid: [
    {
      name: "ListClusters denied: unknown for every cluster in the region",
      facts: withEcs({ clusters: err("ecs:ListClusters") }),
      expect: { "arn:aws:ecs:us-east-1:111122223333:cluster/*": "unknown" },
      message: {
        "arn:aws:ecs:us-east-1:111122223333:cluster/*": /ecs:ListClusters failed with AccessDenied/,
      },
    },
    {
      name: "no cluster at all in the Region: a warning that nothing was checked (a wrong --region?)",
      facts: withEcs({ clusters: ok([]) }),
      expect: { "arn:aws:ecs:us-east-1:111122223333:cluster/*": "warn" },
      message: { "arn:aws:ecs:us-east-1:111122223333:cluster/*": /No ECS cluster in scope in us-east-1/ },
    },
    {
      name: "ListServices denied: the roles the services use were never seen",
      facts: withEcs({ clusters: ok([cluster({ services: err("ecs:ListServices") })]) }),
      expect: { [CLUSTER]: "unknown" },
      message: { [CLUSTER]: /services of cluster prod \(and the roles they use\)/ },
    },
    {
      name: "ListTasks denied",
      facts: withEcs({ clusters: ok([cluster({ tasks: err("ecs:ListTasks") })]) }),
      expect: { [CLUSTER]: "unknown" },
    },
    {
      name: "a task named with --task that ECS answers MISSING",
      facts: withEcs({
        clusters: ok([
          cluster({
            missing: [
              { kind: "task", arn: "arn:aws:ecs:us-east-1:111122223333:task/prod/typo", reason: "MISSING" },
            ],
          }),
        ]),
      }),
      expect: { "arn:aws:ecs:us-east-1:111122223333:task/prod/typo": "unknown" },
    },
    {
      name: "a task named with --task that ECS answers with neither the task nor a failure",
      facts: facts([], {
        ecs: { clusters: ok([cluster({ tasks: ok([]) })]) },
        scope: { clusters: ["prod"], services: [], tasks: ["ghost"], roles: [] },
      }),
      expect: { [CLUSTER]: "pass", ghost: "unknown" },
      message: { ghost: /ECS answered neither the task nor a failure/ },
    },
    {
      name: "a live task whose EBS attachment names no role",
      facts: withEcs({
        clusters: ok([
          cluster({
            tasks: ok([
              task("norole", { ebsAttachments: [{ id: "x", status: "ATTACHED", volumeId: "vol-9" }] }),
            ]),
          }),
        ]),
      }),
      expect: { "arn:aws:ecs:us-east-1:111122223333:task/prod/norole": "unknown" },
      message: {
        "arn:aws:ecs:us-east-1:111122223333:task/prod/norole":
          /EBS attachment for vol-9 that names no infrastructure role/,
      },
      assert: ([f]) => expect(f?.details?.api).toBe("ecs:DescribeTasks"),
    },
  ],
});

const PREFIX = "arn:aws:ecs:us-east-1:111122223333";

/** The other uses of a role: capacity providers and Express services that could not be read are gaps. */
testRule(rule, {
  valid: [
    {
      name: "a cluster with capacity providers and Express services read says how many",
      facts: withEcs({
        clusters: ok([
          cluster({
            capacityProviders: ok([
              {
                arn: `${PREFIX}:capacity-provider/mi`,
                name: "mi",
                type: "MANAGED_INSTANCES",
                status: "ACTIVE",
                infrastructureRoleArn: "r",
              },
            ]),
            expressServices: ok([
              {
                arn: `${PREFIX}:service/prod/shop`,
                name: "shop",
                status: "ACTIVE",
                infrastructureRoleArn: "r",
              },
            ]),
          }),
        ]),
      }),
      expect: { [CLUSTER]: "pass" },
      message: { [CLUSTER]: /read 0 services, 1 capacity provider, 1 Express service and 1 task/ },
    },
  ],
  invalid: [
    {
      name: "DescribeCapacityProviders denied: the Managed Instances roles were never seen",
      facts: withEcs({
        clusters: ok([
          cluster({ capacityProviders: err("ecs:DescribeCapacityProviders", "AccessDeniedException") }),
        ]),
      }),
      expect: { [CLUSTER]: "unknown" },
      message: {
        [CLUSTER]:
          /Could not check the capacity providers of cluster prod .*ecs:DescribeCapacityProviders failed with AccessDeniedException/,
      },
    },
    {
      name: "DescribeExpressGatewayService denied",
      facts: withEcs({
        clusters: ok([
          cluster({ expressServices: err("ecs:DescribeExpressGatewayService", "AccessDeniedException") }),
        ]),
      }),
      expect: { [CLUSTER]: "unknown" },
      message: { [CLUSTER]: /the Express services of cluster prod/ },
    },
    {
      name: "facts gathered before capacity providers and Express services were read: one gap naming both",
      facts: withEcs({
        clusters: ok([cluster({ capacityProviders: undefined, expressServices: undefined })]),
      }),
      expect: { [CLUSTER]: "unknown" },
      message: {
        [CLUSTER]:
          /the capacity providers and Express services of cluster prod .*NotCollected.*take them again/,
      },
    },
    {
      name: "a Managed Instances provider and an Express service that name no role",
      facts: withEcs({
        clusters: ok([
          cluster({
            capacityProviders: ok([
              {
                arn: `${PREFIX}:capacity-provider/mi`,
                name: "mi",
                type: "MANAGED_INSTANCES",
                status: "ACTIVE",
              },
            ]),
            expressServices: ok([{ arn: `${PREFIX}:service/prod/shop`, name: "shop", status: "ACTIVE" }]),
          }),
        ]),
      }),
      expect: { [`${PREFIX}:capacity-provider/mi`]: "unknown", [`${PREFIX}:service/prod/shop`]: "unknown" },
      message: { [`${PREFIX}:capacity-provider/mi`]: /names no infrastructure role/ },
    },
  ],
});
