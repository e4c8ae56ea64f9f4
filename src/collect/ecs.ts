import {
  DescribeServicesCommand,
  DescribeTasksCommand,
  type ECSClient,
  paginateListClusters,
  paginateListServices,
  paginateListTasks,
} from "@aws-sdk/client-ecs";
import { parseArn, shortName } from "../analysis/arn.ts";
import type {
  ClusterFacts,
  EcsFacts,
  Fact,
  MissingResource,
  RoleReference,
  Scope,
  ServiceFacts,
  TaskFacts,
} from "../facts/types.ts";
import { mapLimit } from "./concurrency.ts";
import { type ClusterPlan, planEcsScope, wholeCluster } from "./ecs-scope.ts";
import { missingResource, serviceFacts, taskFacts } from "./ecs-shapes.ts";
import { gather } from "./fact.ts";

/** ECS's per-call limits (aws-facts §2.3). */
export const DESCRIBE_TASKS_MAX = 100;
export const DESCRIBE_SERVICES_MAX = 10;
const LIST_MAX = 100;

export interface EcsCollectOptions {
  /** maxResults for list calls (default 100, ECS's maximum; ListServices would otherwise return 10 a page). */
  pageSize?: number;
  /** Calls in flight per fan-out (clusters; DescribeTasks and DescribeServices batches). */
  concurrency?: number;
  /** To write a cluster's ARN when it was named by name and ECS returned no ARN to read it from. */
  region: string;
  account?: string;
  partition?: string;
  /** A --role-only scope reads every cluster instead of none (who still uses the roles: check --before-role-change). */
  everyClusterForRoles?: boolean;
}

/** A role an ECS resource in scope depends on, for the orchestrator's role references. */
export interface EcsRoleRef {
  ref: string;
  by: RoleReference;
}

export interface EcsCollection {
  facts: EcsFacts;
  roleRefs: EcsRoleRef[];
}

/** Lifecycle states after which a task no longer needs its infrastructure role. */
const FINISHED = new Set(["STOPPED", "DELETED"]);

/**
 * Collects the clusters, services and tasks in scope, and the infrastructure roles they reference. Every AWS error
 * becomes a fact error on the cluster (or on the cluster list), never a smaller scope that silently passes.
 */
export async function collectEcs(
  ecs: ECSClient,
  scope: Scope,
  options: EcsCollectOptions,
): Promise<EcsCollection> {
  const planned = planEcsScope(scope);
  const plan =
    planned.kind === "none" && options.everyClusterForRoles ? { kind: "discover" as const } : planned;
  const concurrency = options.concurrency ?? 4;
  const pageSize = Math.min(options.pageSize ?? LIST_MAX, LIST_MAX);
  let plans: Fact<ClusterPlan[]>;
  if (plan.kind === "discover") {
    const arns = await gather("ecs:ListClusters", async () => {
      const out: string[] = [];
      for await (const page of paginateListClusters({ client: ecs, pageSize }, {}))
        out.push(...(page.clusterArns ?? []));
      return out;
    });
    plans = arns.ok ? { ok: true, value: arns.value.map(wholeCluster) } : arns;
  } else {
    plans = { ok: true, value: plan.kind === "clusters" ? plan.clusters : [] };
  }
  if (!plans.ok) return { facts: { clusters: plans }, roleRefs: [] };
  const clusters = await mapLimit(plans.value, concurrency, (p) =>
    collectCluster(ecs, p, { ...options, pageSize, concurrency }),
  );
  return { facts: { clusters: { ok: true, value: clusters } }, roleRefs: clusters.flatMap(roleReferences) };
}

type Resolved = EcsCollectOptions & { pageSize: number; concurrency: number };

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

async function collectCluster(ecs: ECSClient, plan: ClusterPlan, options: Resolved): Promise<ClusterFacts> {
  const cluster = plan.ref;
  const missing: MissingResource[] = [];
  const services = await collectServices(ecs, plan, options, missing);
  // Per-service listing needs the services that exist; if DescribeServices failed, try the names as given.
  const namedServices = Array.isArray(plan.services) ? plan.services.map(shortName) : [];
  const listFor =
    plan.listTasks !== "services" ? [] : services.ok ? services.value.map((s) => s.name) : namedServices;
  const tasks = await collectTasks(ecs, plan, listFor, options, missing);
  const seen =
    (tasks.ok ? tasks.value.find((t) => t.clusterArn)?.clusterArn : undefined) ??
    (services.ok ? services.value[0]?.arn : undefined);
  return {
    arn: clusterArn(cluster, seen, options),
    name: shortName(cluster),
    services,
    tasks,
    ...(missing.length ? { missing } : {}),
  };
}

/** ListServices + DescribeServices (10 a call), or DescribeServices on the services named in scope. */
async function collectServices(
  ecs: ECSClient,
  plan: ClusterPlan,
  options: Resolved,
  missing: MissingResource[],
): Promise<Fact<ServiceFacts[]>> {
  const cluster = plan.ref;
  let refs: string[];
  if (plan.services === "none") return { ok: true, value: [] };
  if (plan.services === "all") {
    const listed = await gather("ecs:ListServices", async () => {
      const out: string[] = [];
      for await (const page of paginateListServices({ client: ecs, pageSize: options.pageSize }, { cluster }))
        out.push(...(page.serviceArns ?? []));
      return out;
    });
    if (!listed.ok) return listed;
    refs = listed.value;
  } else refs = plan.services;
  const named = plan.services !== "all";
  return gather("ecs:DescribeServices", async () => {
    const pages = await mapLimit(chunks(refs, DESCRIBE_SERVICES_MAX), options.concurrency, (batch) =>
      ecs.send(new DescribeServicesCommand({ cluster, services: batch })),
    );
    const out: ServiceFacts[] = [];
    for (const page of pages) {
      for (const s of page.services ?? []) {
        const facts = serviceFacts(s);
        if (facts) out.push(facts);
      }
      // A listed service that vanished before DescribeServices is simply gone; a named one is reported.
      if (named) for (const f of page.failures ?? []) missing.push(missingResource("service", f));
    }
    return out;
  });
}

/** Every page of ListTasks for one desiredStatus: the default (RUNNING) alone would miss stuck tasks. */
async function listTasks(
  ecs: ECSClient,
  cluster: string,
  desiredStatus: "RUNNING" | "STOPPED",
  pageSize: number,
  serviceName?: string,
): Promise<string[]> {
  const out: string[] = [];
  const input = { cluster, desiredStatus, ...(serviceName ? { serviceName } : {}) };
  for await (const page of paginateListTasks({ client: ecs, pageSize }, input))
    out.push(...(page.taskArns ?? []));
  return out;
}

/**
 * ListTasks for desiredStatus RUNNING then STOPPED (a stuck task has desiredStatus STOPPED and lastStatus
 * DEPROVISIONING), plus the tasks named in scope; then DescribeTasks, 100 a call, in bounded parallel.
 */
async function collectTasks(
  ecs: ECSClient,
  plan: ClusterPlan,
  services: string[],
  options: Resolved,
  missing: MissingResource[],
): Promise<Fact<TaskFacts[]>> {
  const cluster = plan.ref;
  const listed = await gather("ecs:ListTasks", async () => {
    const out: string[] = [];
    // RUNNING before STOPPED: a task stopped between the two listings then shows up in the second, not in neither.
    const scopes = plan.listTasks === "cluster" ? [undefined] : plan.listTasks === "services" ? services : [];
    for (const serviceName of scopes) {
      out.push(...(await listTasks(ecs, cluster, "RUNNING", options.pageSize, serviceName)));
      out.push(...(await listTasks(ecs, cluster, "STOPPED", options.pageSize, serviceName)));
    }
    return out;
  });
  if (!listed.ok) return listed;
  const byId = new Map<string, string>();
  for (const ref of [...plan.tasks, ...listed.value])
    if (!byId.has(shortName(ref))) byId.set(shortName(ref), ref);
  const named = new Set(plan.tasks.map(shortName));
  return gather("ecs:DescribeTasks", async () => {
    const pages = await mapLimit(
      chunks([...byId.values()], DESCRIBE_TASKS_MAX),
      options.concurrency,
      (batch) => ecs.send(new DescribeTasksCommand({ cluster, tasks: batch })),
    );
    const out: TaskFacts[] = [];
    for (const page of pages) {
      for (const t of page.tasks ?? []) {
        const facts = taskFacts(t);
        if (facts) out.push(facts);
      }
      // A listed task can age out between ListTasks and DescribeTasks; only a task named with --task is reported.
      for (const f of page.failures ?? [])
        if (named.has(shortName(f.arn ?? ""))) missing.push(missingResource("task", f));
    }
    return out;
  });
}

/** The cluster's ARN: as named, else as ECS wrote it on a task or service, else built from the caller's account. */
function clusterArn(ref: string, seen: string | undefined, options: Resolved): string {
  if (ref.startsWith("arn:")) return ref;
  const from = seen ? parseArn(seen) : undefined;
  if (from) return `arn:${from.partition}:ecs:${from.region}:${from.account}:cluster/${ref}`;
  if (options.account)
    return `arn:${options.partition ?? "aws"}:ecs:${options.region}:${options.account}:cluster/${ref}`;
  return ref;
}

/**
 * The infrastructure roles the cluster's live resources depend on: each service's deployment roles (unless the
 * service is INACTIVE) and each unfinished task's EBS attachment role. A role used only by stopped tasks is not in
 * scope: deleting it after its tasks stopped is the normal end of its life, not a risk.
 */
export function roleReferences(cluster: ClusterFacts): EcsRoleRef[] {
  const refs = new Map<string, EcsRoleRef>();
  const add = (ref: string, by: RoleReference, key: string) => refs.set(`${ref} ${key}`, { ref, by });
  if (cluster.services.ok) {
    for (const s of cluster.services.value) {
      if (s.status === "INACTIVE") continue;
      for (const r of s.infrastructureRoles) {
        add(
          r.roleArn,
          { kind: "service", cluster: cluster.arn, service: s.name, use: r.use },
          `${s.arn} ${r.use}`,
        );
      }
    }
  }
  if (cluster.tasks.ok) {
    for (const t of cluster.tasks.value) {
      if (FINISHED.has(t.lastStatus)) continue;
      for (const a of t.ebsAttachments) {
        if (a.roleArn)
          add(a.roleArn, { kind: "task", cluster: cluster.arn, task: t.arn, status: t.lastStatus }, t.arn);
      }
    }
  }
  return [...refs.values()];
}
