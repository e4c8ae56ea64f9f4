/**
 * A generated account of a configurable shape for the benchmarks, and what AWS allows for it: the fewest API calls
 * that can read it (from the APIs' page sizes) and the least wall time any reader could take (the longest chain of
 * dependent calls × latency, and each API family's rate limit).
 */
import type { FakeAccount, FakeVolume } from "../test/fake-aws/account.ts";
import {
  ACCOUNT_ID,
  awsManagedVolumesPolicy,
  ebsService,
  ebsTask,
  infrastructureRole,
  REGION,
  roleArnOf,
  trailEvent,
} from "../test/fake-aws/builders.ts";
import { AWS_LIMITS } from "../test/fake-aws/limits.ts";

export interface Shape {
  clusters: number;
  services: number;
  tasks: number;
  /** Of `tasks`, how many have desiredStatus STOPPED (the rest RUNNING). */
  stoppedTasks: number;
  roles: number;
  trailEvents: number;
}

/** Issue 11's default: 20 clusters, 200 services, 10,000 tasks (3,000 STOPPED), 5 roles, 5,000 trail events. */
export const DEFAULT_SHAPE: Shape = {
  clusters: 20,
  services: 200,
  tasks: 10_000,
  stoppedTasks: 3_000,
  roles: 5,
  trailEvents: 5_000,
};

/** A shared customer managed policy every role attaches beside the AWS one: "roles sharing managed policies". */
const SHARED_POLICY_ARN = `arn:aws:iam::${ACCOUNT_ID}:policy/ecs-infrastructure-tags`;

/** Spreads `total` items over `buckets` as evenly as possible; item i goes to bucket i % buckets. */
function share(total: number, buckets: number, bucket: number): number {
  return Math.floor(total / buckets) + (bucket < total % buckets ? 1 : 0);
}

/** The id of task `t` of cluster `c`. */
export function taskId(c: number, t: number): string {
  return c.toString(16).padStart(8, "0") + t.toString(16).padStart(24, "0");
}

export function benchAccount(shape: Shape, now = new Date()): FakeAccount {
  const iso = (msAgo: number) => new Date(now.getTime() - msAgo).toISOString();
  const volumes: FakeVolume[] = [];
  const clusters = Array.from({ length: shape.clusters }, (_, c) => {
    const serviceCount = share(shape.services, shape.clusters, c);
    const taskCount = share(shape.tasks, shape.clusters, c);
    const stoppedCount = share(shape.stoppedTasks, shape.clusters, c);
    const services = Array.from({ length: serviceCount }, (_, s) =>
      // Created by the deploy role (createdBy as ECS gives it): the principal pass-role judges.
      ebsService({
        name: `svc-${c}-${s}`,
        roleArn: roleArnOf(`infra-${(c + s) % shape.roles}`),
        createdBy: roleArnOf("deploy"),
      }),
    );
    const tasks = Array.from({ length: taskCount }, (_, t) => {
      const s = t % Math.max(1, serviceCount);
      const stopped = t < stoppedCount;
      // 32 hex digits as ECS writes them, unique per cluster and task (padding after the digits would collide).
      const id = taskId(c, t);
      const volumeId = `vol-${c.toString(16).padStart(4, "0")}${t.toString(16).padStart(13, "0")}`;
      const taskArn = `arn:aws:ecs:${REGION}:${ACCOUNT_ID}:task/cluster-${c}/${id}`;
      if (!stopped)
        volumes.push({
          volumeId,
          state: "in-use",
          size: 100,
          volumeType: "gp3",
          availabilityZone: `${REGION}a`,
          createTime: iso(86_400_000),
          tags: { AmazonECSManaged: "true", AmazonECSCreated: taskArn },
          attachments: [
            { associatedResource: taskArn, instanceOwningService: "ecs.amazonaws.com", state: "attached" },
          ],
        });
      return ebsTask({
        id,
        roleArn: roleArnOf(`infra-${(c + s) % shape.roles}`),
        ...(serviceCount ? { service: `svc-${c}-${s}` } : {}),
        volumeId,
        ...(stopped
          ? {
              lastStatus: "STOPPED",
              attachmentStatus: "DELETED",
              stoppingAt: iso(3_600_000),
              executionStoppedAt: iso(3_590_000),
            }
          : {}),
      });
    });
    return { name: `cluster-${c}`, services, tasks };
  });
  return {
    accountId: ACCOUNT_ID,
    caller: { arn: `arn:aws:sts::${ACCOUNT_ID}:assumed-role/deploy/ci`, userId: "AROADEPLOYEXAMPLE:ci" },
    roles: [
      ...Array.from({ length: shape.roles }, (_, i) =>
        infrastructureRole({
          name: `infra-${i}`,
          attached: [awsManagedVolumesPolicy().arn, SHARED_POLICY_ARN],
        }),
      ),
      {
        name: "deploy",
        trustPolicy: { Version: "2012-10-17", Statement: [] },
        inline: {
          "pass-infrastructure-roles": {
            Version: "2012-10-17",
            Statement: [
              {
                Effect: "Allow",
                Action: "iam:PassRole",
                Resource: `arn:aws:iam::${ACCOUNT_ID}:role/infra-*`,
                Condition: { StringEquals: { "iam:PassedToService": "ecs.amazonaws.com" } },
              },
            ],
          },
        },
      },
    ],
    managedPolicies: [
      awsManagedVolumesPolicy(),
      {
        arn: SHARED_POLICY_ARN,
        defaultVersionId: "v2",
        versions: {
          v2: {
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Action: "ec2:DescribeVolumes", Resource: "*" }],
          },
        },
      },
    ],
    clusters,
    volumes,
    trailEvents: Array.from({ length: shape.trailEvents }, (_, i) =>
      trailEvent({
        eventName: ["DescribeVolumes", "DetachVolume", "DeleteVolume", "CreateVolume"][i % 4] as string,
        eventTime: iso(((i + 1) * 86_400_000) / (shape.trailEvents + 2)),
        roleArn: roleArnOf(`infra-${i % shape.roles}`),
        volumeId: `vol-${(i % 65536).toString(16).padStart(17, "0")}`,
      }),
    ),
  };
}

/** The largest page each API returns (aws-facts §2.3, §4.1; EC2 DescribeVolumes takes MaxResults up to 1,000). */
export const PAGE = {
  listClusters: 100,
  listServices: 100,
  describeServices: 10,
  listTasks: 100,
  describeTasks: 100,
  describeVolumes: 1000,
  lookupEvents: 50,
} as const;

const pages = (items: number, size: number) => Math.max(1, Math.ceil(items / size));

/** The fewest calls that read the whole shape, by API. */
export function minimumCalls(shape: Shape): Record<string, number> {
  // Who deploys is the services' creator: read once when there is a service.
  const deployers = shape.services > 0 ? 1 : 0;
  const calls: Record<string, number> = {
    "sts:GetCallerIdentity": 1,
    "ecs:ListClusters": pages(shape.clusters, PAGE.listClusters),
    "ecs:ListServices": 0,
    "ecs:DescribeServices": 0,
    "ecs:ListTasks": 0,
    "ecs:DescribeTasks": 0,
    // Each cluster's capacity providers: one page (the shape has none; Express services, one call each, neither).
    "ecs:DescribeCapacityProviders": shape.clusters,
    // Each infrastructure role, and the deploying principal (the role that created the services, for pass-role):
    // GetRole, ListAttachedRolePolicies, ListRolePolicies; the principal's one inline policy, GetRolePolicy.
    "iam:GetRole": shape.roles + deployers,
    "iam:ListAttachedRolePolicies": shape.roles + deployers,
    "iam:ListRolePolicies": shape.roles + deployers,
    "iam:GetRolePolicy": deployers,
    // Two distinct managed policies, each read once: GetPolicy (the default version's id), GetPolicyVersion.
    "iam:GetPolicy": 2,
    "iam:GetPolicyVersion": 2,
    "ec2:DescribeVolumes": pages(shape.tasks - shape.stoppedTasks, PAGE.describeVolumes),
    "cloudtrail:LookupEvents": pages(shape.trailEvents, PAGE.lookupEvents),
    // Whether SCPs can apply: once. The bench account is in no organization, so no role is simulated.
    "organizations:DescribeOrganization": 1,
  };
  for (let c = 0; c < shape.clusters; c++) {
    const services = share(shape.services, shape.clusters, c);
    const tasks = share(shape.tasks, shape.clusters, c);
    const stopped = share(shape.stoppedTasks, shape.clusters, c);
    calls["ecs:ListServices"] = (calls["ecs:ListServices"] ?? 0) + pages(services, PAGE.listServices);
    calls["ecs:DescribeServices"] =
      (calls["ecs:DescribeServices"] ?? 0) + (services ? Math.ceil(services / PAGE.describeServices) : 0);
    // Two listings a cluster (RUNNING and STOPPED), each at least one page even when empty.
    calls["ecs:ListTasks"] =
      (calls["ecs:ListTasks"] ?? 0) + pages(tasks - stopped, PAGE.listTasks) + pages(stopped, PAGE.listTasks);
    calls["ecs:DescribeTasks"] = (calls["ecs:DescribeTasks"] ?? 0) + Math.ceil(tasks / PAGE.describeTasks);
  }
  return calls;
}

export interface LowerBound {
  ms: number;
  /** What sets it: the dependent chain, or an API family's rate limit. */
  why: string;
  /** The longest chain of calls that each need the answer of the one before. */
  chain: number;
}

/**
 * The least wall time any reader could take after start-up: the longest chain of calls that each need the one
 * before (× latency), or the time AWS's rate limits take to admit each family's calls, whichever is longer.
 */
export function lowerBoundMs(shape: Shape, latencyMs: number): LowerBound {
  const calls = minimumCalls(shape);
  // A cluster's STOPPED listing must follow its RUNNING one (a task stopping in between would be in neither list),
  // so a cluster's pages are one chain: ListClusters → RUNNING pages → STOPPED pages → the last DescribeTasks.
  const maxTaskPages = Math.max(
    ...Array.from({ length: shape.clusters }, (_, c) => {
      const tasks = share(shape.tasks, shape.clusters, c);
      const stopped = share(shape.stoppedTasks, shape.clusters, c);
      return pages(tasks - stopped, PAGE.listTasks) + pages(stopped, PAGE.listTasks);
    }),
  );
  const taskChain = 1 + maxTaskPages + 1;
  // ListClusters → ListServices → DescribeServices (the role ARN) → GetRole/ListAttachedRolePolicies → GetPolicy → GetPolicyVersion.
  const roleChain = 6;
  const trailChain = calls["cloudtrail:LookupEvents"] ?? 1;
  const volumeChain = calls["ec2:DescribeVolumes"] ?? 1;
  const chain = Math.max(taskChain, roleChain, trailChain, volumeChain);
  let ms = chain * latencyMs;
  let why = `${chain} dependent calls × ${latencyMs} ms`;
  const familyCalls: Record<string, number> = {};
  for (const [api, n] of Object.entries(calls)) {
    const [service, action] = api.split(":") as [Parameters<typeof AWS_LIMITS.familyOf>[0], string];
    const family = AWS_LIMITS.familyOf(service, action);
    if (family) familyCalls[family] = (familyCalls[family] ?? 0) + n;
  }
  for (const [family, n] of Object.entries(familyCalls)) {
    const bucket = AWS_LIMITS.buckets[family];
    if (!bucket) continue;
    const limited = (Math.max(0, n - bucket.burst) / bucket.rate) * 1000 + latencyMs;
    if (limited > ms) {
      ms = limited;
      why = `${family}: ${n} calls at ${bucket.rate}/s after a burst of ${bucket.burst}`;
    }
  }
  return { ms, why, chain };
}
