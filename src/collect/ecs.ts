import {
  DescribeServicesCommand,
  DescribeTasksCommand,
  type ECSClient,
  paginateListClusters,
  paginateListServices,
  paginateListTasks,
} from "@aws-sdk/client-ecs";
import { parseArn, shortName } from "../arn/arn.ts";
import type {
  CapacityProviderFacts,
  ClusterFacts,
  EcsFacts,
  ExpressServiceFacts,
  Fact,
  MissingResource,
  RoleReference,
  Scope,
  ServiceFacts,
  TaskFacts,
} from "../facts/types.ts";
import { type ClusterReads, ecsReadsFor, wholeCluster } from "./ecs-reads.ts";
import { missingResource, serviceFacts, taskFacts } from "./ecs-shapes.ts";
import { collectCapacityProviders, collectExpressServices } from "./ecs-uses.ts";
import { gather } from "./fact.ts";

/** ECS's per-call limits (aws-facts §2.3). */
export const DESCRIBE_TASKS_MAX = 100;
export const DESCRIBE_SERVICES_MAX = 10;
const LIST_MAX = 100;

export interface EcsCollectOptions {
  /** maxResults for list calls (default 100, ECS's maximum; ListServices would otherwise return 10 a page). */
  pageSize?: number;
  /** Kept for callers; calls in flight are bounded per API family by the clients' pacing (api-pacing.ts). */
  concurrency?: number;
  /** To write a cluster's ARN when it was named by name and ECS returned no ARN to read it from. */
  region: string;
  account?: string;
  partition?: string;
  /** The caller's account and partition once STS answers, when ECS is read before it has (collect() does). */
  identity?: Promise<{ account: string; partition: string } | undefined>;
  /** A --role-only scope reads every cluster instead of none (who still uses the roles: check --before-role-change). */
  everyClusterForRoles?: boolean;
  /** Told each infrastructure role the moment a described service or task names it, so IAM can start on it. */
  onRoleRef?: (ref: EcsRoleRef) => void;
}

/** A role an ECS resource in scope depends on, for the orchestrator's role references. */
export interface EcsRoleRef {
  ref: string;
  by: RoleReference;
  /** The principal that created the service naming the role (DescribeServices' createdBy): a likely deployer. */
  createdBy?: string;
}

export interface EcsCollection {
  facts: EcsFacts;
  roleRefs: EcsRoleRef[];
}

/** Lifecycle states after which a task no longer needs its infrastructure role. */
const FINISHED = new Set(["STOPPED", "DELETED"]);

/**
 * Collects the clusters, services and tasks in scope, and the infrastructure roles they reference. Every AWS error
 * becomes a fact error on the cluster (or on the cluster list), never a smaller scope that silently passes. Every
 * cluster is read at once (the clients' pacing bounds the calls in flight); within a cluster the services and the
 * task listings run side by side, and each page of tasks is described as it arrives.
 */
export async function collectEcs(
  ecs: ECSClient,
  scope: Scope,
  options: EcsCollectOptions,
): Promise<EcsCollection> {
  const planned = ecsReadsFor(scope);
  const plan =
    planned.kind === "none" && options.everyClusterForRoles ? { kind: "discover" as const } : planned;
  const pageSize = Math.min(options.pageSize ?? LIST_MAX, LIST_MAX);
  let plans: Fact<ClusterReads[]>;
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
  const clusters = await Promise.all(
    plans.value.map((p) => collectCluster(ecs, p, { ...options, pageSize })),
  );
  return { facts: { clusters: { ok: true, value: clusters } }, roleRefs: clusters.flatMap(roleReferences) };
}

type Resolved = EcsCollectOptions & { pageSize: number };

async function collectCluster(ecs: ECSClient, plan: ClusterReads, options: Resolved): Promise<ClusterFacts> {
  const cluster = plan.ref;
  const missing: MissingResource[] = [];
  const servicesRead = collectServices(ecs, plan, options, missing);
  // Per-service listing needs the services that exist; if DescribeServices failed, try the names as given.
  const namedServices = Array.isArray(plan.services) ? plan.services.map(shortName) : [];
  const tasksRead =
    plan.listTasks === "services"
      ? servicesRead.then((services) =>
          collectTasks(
            ecs,
            plan,
            services.ok ? services.value.map((s) => s.name) : namedServices,
            options,
            missing,
          ),
        )
      : collectTasks(ecs, plan, [], options, missing);
  // The uses beside services and tasks: capacity providers at once, Express services once the services are known.
  // Like services, capacity providers are the cluster's, not a named task's: out of scope when services are.
  const capacityRead: Promise<Fact<CapacityProviderFacts[]>> =
    plan.services === "none"
      ? Promise.resolve({ ok: true, value: [] })
      : collectCapacityProviders(ecs, cluster).then((fact) => {
          if (fact.ok)
            for (const ref of capacityProviderRoleRefs(cluster, fact.value)) options.onRoleRef?.(ref);
          return fact;
        });
  const expressRead = servicesRead.then(async (services) => {
    const fact = await collectExpressServices(ecs, services);
    if (fact.ok) for (const ref of expressRoleRefs(cluster, fact.value)) options.onRoleRef?.(ref);
    return fact;
  });
  const [services, tasks, capacityProviders, expressServices] = await Promise.all([
    servicesRead,
    tasksRead,
    capacityRead,
    expressRead,
  ]);
  const seen =
    (tasks.ok ? tasks.value.find((t) => t.clusterArn)?.clusterArn : undefined) ??
    (services.ok ? services.value[0]?.arn : undefined);
  const identity = options.account ? undefined : await options.identity;
  return {
    arn: clusterArn(cluster, seen, { ...options, ...identity }),
    name: shortName(cluster),
    services,
    tasks,
    // Missing resources in a fixed order, whichever answer came first.
    ...(missing.length ? { missing: missing.sort(byKind) } : {}),
    capacityProviders,
    expressServices,
  };
}

/** Capacity providers that still manage instances; an INACTIVE one is deleted and needs no role. */
const liveProvider = (c: CapacityProviderFacts) => c.status !== "INACTIVE";
const liveExpress = (e: ExpressServiceFacts) => e.status !== "INACTIVE";

function capacityProviderRoleRefs(cluster: string, providers: CapacityProviderFacts[]): EcsRoleRef[] {
  return providers.flatMap((c) =>
    c.infrastructureRoleArn && liveProvider(c)
      ? [
          {
            ref: c.infrastructureRoleArn,
            by: { kind: "capacity-provider", cluster, capacityProvider: c.name, use: "managed-instances" },
          },
        ]
      : [],
  );
}

function expressRoleRefs(cluster: string, services: ExpressServiceFacts[]): EcsRoleRef[] {
  return services.flatMap((e) =>
    e.infrastructureRoleArn && liveExpress(e)
      ? [
          {
            ref: e.infrastructureRoleArn,
            by: { kind: "express-service", cluster, service: e.name, use: "express" },
          },
        ]
      : [],
  );
}

/** Services before tasks (a stable sort keeps each kind in page order). */
function byKind(a: MissingResource, b: MissingResource): number {
  return a.kind === b.kind ? 0 : a.kind === "service" ? -1 : 1;
}

/**
 * Sends items in batches of `size` as they arrive: full batches at once, the rest when the listing ends, so the
 * calls are ceil(items / size) however the pages fall. Every answer is kept by batch, to read back in order.
 */
class Batcher<T, R> {
  private pending: T[] = [];
  private readonly sent: Promise<R>[] = [];

  constructor(
    private readonly size: number,
    private readonly send: (batch: T[]) => Promise<R>,
  ) {}

  add(item: T): void {
    this.pending.push(item);
    if (this.pending.length >= this.size) this.flush();
  }

  /** Sends what is left, then settles with every batch's answer in the order sent (the first failure rejects). */
  finish(): Promise<R[]> {
    this.flush();
    return Promise.all(this.sent);
  }

  /** Settles once every batch has, failed or not: a listing that failed still waits for describes in flight. */
  settle(): Promise<unknown> {
    return Promise.allSettled(this.sent);
  }

  private flush(): void {
    if (!this.pending.length) return;
    const batch = this.pending;
    this.pending = [];
    const answer = this.send(batch);
    // Failures are read through finish(); until then they must not count as unhandled.
    answer.catch(() => undefined);
    this.sent.push(answer);
  }
}

/** ListServices + DescribeServices (10 a call, each batch sent as the listing fills it), or the services named in scope. */
async function collectServices(
  ecs: ECSClient,
  plan: ClusterReads,
  options: Resolved,
  missing: MissingResource[],
): Promise<Fact<ServiceFacts[]>> {
  const cluster = plan.ref;
  if (plan.services === "none") return { ok: true, value: [] };
  const named = plan.services !== "all";
  const described = new Batcher(DESCRIBE_SERVICES_MAX, async (batch: string[]) => {
    const page = await ecs.send(new DescribeServicesCommand({ cluster, services: batch }));
    const out: ServiceFacts[] = [];
    for (const s of page.services ?? []) {
      const facts = serviceFacts(s);
      if (!facts) continue;
      out.push(facts);
      if (facts.status !== "INACTIVE")
        for (const r of facts.infrastructureRoles) options.onRoleRef?.(serviceRoleRef(cluster, facts, r));
    }
    // A listed service that vanished before DescribeServices is simply gone; a named one is reported.
    const gone = named ? (page.failures ?? []).map((f) => missingResource("service", f)) : [];
    return { out, gone };
  });
  if (named) {
    for (const ref of plan.services as string[]) described.add(ref);
  } else {
    const listed = await gather("ecs:ListServices", async () => {
      for await (const page of paginateListServices({ client: ecs, pageSize: options.pageSize }, { cluster }))
        for (const arn of page.serviceArns ?? []) described.add(arn);
    });
    if (!listed.ok) {
      await described.settle();
      return listed;
    }
  }
  return gather("ecs:DescribeServices", async () => {
    const pages = await described.finish();
    for (const page of pages) missing.push(...page.gone);
    return pages.flatMap((page) => page.out);
  });
}

/** A service's reference to a role it names, with the kinds of load balancer it names it for (blue/green). */
function serviceReference(
  cluster: string,
  service: string,
  r: ServiceFacts["infrastructureRoles"][number],
): RoleReference {
  return {
    kind: "service",
    cluster,
    service,
    use: r.use,
    ...(r.loadBalancerKinds ? { loadBalancerKinds: r.loadBalancerKinds } : {}),
  };
}

/** The role reference a service's deployment makes; the cluster's ARN is settled by the final facts. */
function serviceRoleRef(
  cluster: string,
  s: ServiceFacts,
  r: ServiceFacts["infrastructureRoles"][number],
): EcsRoleRef {
  return {
    ref: r.roleArn,
    by: serviceReference(cluster, s.name, r),
    ...(s.createdBy ? { createdBy: s.createdBy } : {}),
  };
}

/** Where a task was first listed: scope (−1 for --task), RUNNING (0) or STOPPED (1), position. */
type Place = readonly [number, number, number];

function before(a: Place, b: Place): boolean {
  return a[0] !== b[0] ? a[0] < b[0] : a[1] !== b[1] ? a[1] < b[1] : a[2] < b[2];
}

/** Every page of ListTasks for one desiredStatus: the default (RUNNING) alone would miss stuck tasks. */
async function listTasks(
  ecs: ECSClient,
  cluster: string,
  desiredStatus: "RUNNING" | "STOPPED",
  pageSize: number,
  onPage: (arns: string[]) => void,
  serviceName?: string,
): Promise<void> {
  const input = { cluster, desiredStatus, ...(serviceName ? { serviceName } : {}) };
  for await (const page of paginateListTasks({ client: ecs, pageSize }, input)) onPage(page.taskArns ?? []);
}

/**
 * ListTasks for desiredStatus RUNNING then STOPPED (a stuck task has desiredStatus STOPPED and lastStatus
 * DEPROVISIONING), plus the tasks named in scope; DescribeTasks, 100 a call, as the pages fill each batch.
 */
async function collectTasks(
  ecs: ECSClient,
  plan: ClusterReads,
  services: string[],
  options: Resolved,
  missing: MissingResource[],
): Promise<Fact<TaskFacts[]>> {
  const cluster = plan.ref;
  const named = new Set(plan.tasks.map(shortName));
  /** Each task's place in the listings (named first, then each scope's RUNNING and STOPPED pages): facts keep it. */
  const order = new Map<string, Place>();
  const described = new Batcher(DESCRIBE_TASKS_MAX, async (batch: string[]) => {
    const page = await ecs.send(new DescribeTasksCommand({ cluster, tasks: batch }));
    const out: TaskFacts[] = [];
    for (const t of page.tasks ?? []) {
      const facts = taskFacts(t);
      if (!facts) continue;
      out.push(facts);
      if (!FINISHED.has(facts.lastStatus))
        for (const a of facts.ebsAttachments)
          if (a.roleArn)
            options.onRoleRef?.({
              ref: a.roleArn,
              by: { kind: "task", cluster, task: facts.arn, status: facts.lastStatus },
            });
    }
    const gone: MissingResource[] = [];
    const answered = new Set(out.map((t) => shortName(t.arn)));
    const failures = new Map((page.failures ?? []).map((f) => [shortName(f.arn ?? ""), f]));
    for (const ref of batch) {
      const id = shortName(ref);
      if (answered.has(id)) continue;
      const failure = failures.get(id);
      // Only a task listed as STOPPED may age out between ListTasks and DescribeTasks (ECS forgets a task about an
      // hour after it reached STOPPED, and a DEPROVISIONING one is never forgotten). A named task, a RUNNING one, or
      // one DescribeTasks left out altogether was not seen: reported, so nothing it holds goes unchecked.
      const listedStopped = !named.has(id) && order.get(id)?.[1] === 1;
      if (listedStopped && failure?.reason === "MISSING") continue;
      gone.push(
        failure
          ? missingResource("task", { ...failure, arn: failure.arn ?? ref })
          : {
              kind: "task",
              arn: ref,
              reason: "NOT_RETURNED",
              detail: "DescribeTasks answered neither the task nor a failure for it",
            },
      );
    }
    return { out, gone };
  });
  const see = (ref: string, place: Place) => {
    const id = shortName(ref);
    const known = order.get(id);
    if (!known) described.add(ref);
    if (!known || before(place, known)) order.set(id, place);
  };
  for (const [i, ref] of plan.tasks.entries()) see(ref, [-1, 0, i]);
  const listed = await gather("ecs:ListTasks", async () => {
    const scopes = plan.listTasks === "cluster" ? [undefined] : plan.listTasks === "services" ? services : [];
    await Promise.all(
      scopes.map(async (serviceName, i) => {
        let n = 0;
        // RUNNING before STOPPED: a task stopped between the two listings then shows up in the second, not in
        // neither (side by side, a task could stop after STOPPED was listed and before RUNNING was).
        for (const [status, desiredStatus] of [
          [0, "RUNNING"],
          [1, "STOPPED"],
        ] as const)
          await listTasks(
            ecs,
            cluster,
            desiredStatus,
            options.pageSize,
            (arns) => {
              for (const arn of arns) see(arn, [i, status, n++]);
            },
            serviceName,
          );
      }),
    );
  });
  if (!listed.ok) {
    await described.settle();
    return listed;
  }
  return gather("ecs:DescribeTasks", async () => {
    const pages = await described.finish();
    for (const page of pages) missing.push(...page.gone);
    const last: Place = [Number.MAX_SAFE_INTEGER, 0, 0];
    // Each task's place looked up once, not at every comparison (ARN parsing is what a 10,000-task sort would cost).
    const placed = pages.flatMap((page) =>
      page.out.map((task) => ({ task, at: order.get(shortName(task.arn)) ?? last })),
    );
    placed.sort((a, b) => (before(a.at, b.at) ? -1 : before(b.at, a.at) ? 1 : 0));
    return placed.map(({ task }) => task);
  });
}

/** The cluster's ARN: as named, else as ECS wrote it on a task or service, else built from the caller's account. */
function clusterArn(
  ref: string,
  seen: string | undefined,
  options: { region: string; account?: string; partition?: string },
): string {
  if (ref.startsWith("arn:")) return ref;
  const from = seen ? parseArn(seen) : undefined;
  if (from) return `arn:${from.partition}:ecs:${from.region}:${from.account}:cluster/${ref}`;
  if (options.account)
    return `arn:${options.partition ?? "aws"}:ecs:${options.region}:${options.account}:cluster/${ref}`;
  return ref;
}

/**
 * The infrastructure roles the cluster's live resources depend on: each service's roles (unless the service is
 * INACTIVE), each unfinished task's EBS attachment role, each live Managed Instances capacity provider's and each
 * live Express service's role. A role used only by stopped tasks is not in
 * scope: deleting it after its tasks stopped is the normal end of its life, not a risk.
 */
export function roleReferences(cluster: ClusterFacts): EcsRoleRef[] {
  const refs = new Map<string, EcsRoleRef>();
  const add = (ref: string, by: RoleReference, key: string) => refs.set(`${ref} ${key}`, { ref, by });
  if (cluster.services.ok) {
    for (const s of cluster.services.value) {
      if (s.status === "INACTIVE") continue;
      for (const r of s.infrastructureRoles) {
        add(r.roleArn, serviceReference(cluster.arn, s.name, r), `${s.arn} ${r.use}`);
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
  if (cluster.capacityProviders?.ok)
    for (const r of capacityProviderRoleRefs(cluster.arn, cluster.capacityProviders.value))
      add(r.ref, r.by, `capacity-provider ${r.by.kind === "capacity-provider" ? r.by.capacityProvider : ""}`);
  if (cluster.expressServices?.ok)
    for (const r of expressRoleRefs(cluster.arn, cluster.expressServices.value))
      add(r.ref, r.by, `express ${r.by.kind === "express-service" ? r.by.service : ""}`);
  return [...refs.values()];
}
