import { roleKey, shortName } from "../arn/arn.ts";
import type {
  ClusterFacts,
  FactError,
  Facts,
  LoadBalancerKind,
  ServiceFacts,
  ServiceRoleUse,
  TaskFacts,
} from "../facts/types.ts";
import { INFRASTRUCTURE_USES, type InfrastructureUse } from "./infrastructure-uses.ts";

/**
 * Who still uses an infrastructure role (DESIGN.md, "The change gate" and "Every use of the role"): a task that is
 * not STOPPED and references the role through an EBS attachment; an ACTIVE or DRAINING service that names it (for
 * EBS volumes, Service Connect TLS, VPC Lattice or a blue/green load balancer); a capacity provider that is not
 * INACTIVE (Managed Instances); an Express service that is not INACTIVE. Fail closed: a cluster whose services,
 * tasks, capacity providers or Express services could not be read (or were not, in facts gathered before they
 * were), or a use that names no role, leaves the answer open (`unread`), and with ECS out of scope (a --role-only
 * check) nothing is known about use at all.
 */

/** A task still holding the role: ECS will need the role to detach and delete this volume. */
export interface TaskUse {
  arn: string;
  clusterArn: string;
  lastStatus: string;
  desiredStatus: string;
  /** The service's group (`service:NAME`) when the task belongs to one. */
  group?: string;
  volumeId?: string;
  attachmentStatus: string;
  statusReason?: string;
}

export interface ServiceUse {
  arn: string;
  clusterArn: string;
  name: string;
  status: string;
  use: ServiceRoleUse;
  /** The live deployments that name the role (none for a use the service itself names: a blue/green load balancer). */
  deploymentIds: string[];
  /** For the load-balancer use: the kinds of load balancer the service names the role for, when known. */
  loadBalancerKinds?: LoadBalancerKind[];
  /** The service's desiredCount, runningCount and pendingCount, when the facts have them. */
  desiredCount?: number;
  runningCount?: number;
  pendingCount?: number;
}

/** A Managed Instances capacity provider that launches instances with the role. */
export interface CapacityProviderUse {
  arn: string;
  clusterArn: string;
  name: string;
  status: string;
  use: "managed-instances";
}

/** An Express service whose load balancer and other resources ECS manages with the role. */
export interface ExpressServiceUse {
  arn: string;
  clusterArn: string;
  name: string;
  status: string;
  use: "express";
}

export interface RoleUsage {
  /** False for a check that did not read ECS: nothing is known about who uses the role. */
  ecsRead: boolean;
  tasks: TaskUse[];
  services: ServiceUse[];
  capacityProviders: CapacityProviderUse[];
  expressServices: ExpressServiceUse[];
  /** What could not be read (a cluster listing, one cluster's services or tasks, a roleless attachment): use there is unknown. */
  unread: { resource: string; error: FactError }[];
}

/** Task states after which ECS needs the role no more. */
const FINISHED = new Set(["STOPPED", "DELETED"]);

type Uses = Pick<RoleUsage, "tasks" | "services" | "capacityProviders" | "expressServices">;

interface UsageIndex {
  byRole: Map<string, Uses>;
  unread: RoleUsage["unread"];
  ecsRead: boolean;
}

/** One pass over every task and service, so looking up many roles costs no more than looking up one. */
const indexes = new WeakMap<Facts, UsageIndex>();

function usageIndex(facts: Facts): UsageIndex {
  const cached = indexes.get(facts);
  if (cached) return cached;
  const account = facts.caller.ok ? facts.caller.value.account : undefined;
  const byRole: UsageIndex["byRole"] = new Map();
  const entry = (roleArn: string) => {
    const key = roleKey(roleArn, account);
    const found = byRole.get(key);
    if (found) return found;
    const created: Uses = { tasks: [], services: [], capacityProviders: [], expressServices: [] };
    byRole.set(key, created);
    return created;
  };
  const unread: RoleUsage["unread"] = [];
  const clusters = facts.ecs?.clusters;
  if (clusters && !clusters.ok) unread.push({ resource: "ecs:clusters", error: clusters.error });
  for (const cluster of clusters?.ok ? clusters.value : []) {
    if (!cluster.services.ok) unread.push({ resource: cluster.arn, error: cluster.services.error });
    if (!cluster.tasks.ok) unread.push({ resource: cluster.arn, error: cluster.tasks.error });
    // A task ECS listed (or was named) but did not describe may hold any role: use there is not known.
    for (const m of cluster.missing ?? [])
      if (m.kind === "task")
        unread.push({
          resource: m.arn,
          error: {
            api: "ecs:DescribeTasks",
            code: m.reason || "MISSING",
            message: `task ${shortName(m.arn)} was not described${m.detail ? ` (${m.detail})` : ""}`,
          },
        });
    for (const s of cluster.services.ok ? cluster.services.value : []) {
      if (s.status !== "ACTIVE" && s.status !== "DRAINING") continue;
      const uses = new Map<string, ServiceUse>();
      for (const r of s.infrastructureRoles) {
        const key = `${roleKey(r.roleArn, account)} ${r.use}`;
        const use = uses.get(key);
        if (use) {
          if (r.deploymentId) use.deploymentIds.push(r.deploymentId);
        } else {
          const u: ServiceUse = {
            arn: s.arn,
            clusterArn: cluster.arn,
            name: s.name,
            status: s.status,
            use: r.use,
            deploymentIds: r.deploymentId ? [r.deploymentId] : [],
            ...(r.loadBalancerKinds ? { loadBalancerKinds: r.loadBalancerKinds } : {}),
            ...serviceCounts(s),
          };
          uses.set(key, u);
          entry(r.roleArn).services.push(u);
        }
      }
    }
    for (const t of cluster.tasks.ok ? cluster.tasks.value : []) {
      if (FINISHED.has(t.lastStatus)) continue;
      for (const a of t.ebsAttachments) {
        if (a.roleArn) entry(a.roleArn).tasks.push(taskUse(t, a));
        // Which role this volume needs cannot be told: it may be any role asked about, so no role is free here.
        else unread.push({ resource: cluster.arn, error: roleless(t, a) });
      }
    }
    indexClusterUses(cluster, entry, unread);
  }
  const index = { byRole, unread, ecsRead: facts.ecs !== undefined };
  indexes.set(facts, index);
  return index;
}

function serviceCounts(s: ServiceFacts): Pick<ServiceUse, "desiredCount" | "runningCount" | "pendingCount"> {
  return {
    ...(s.desiredCount !== undefined ? { desiredCount: s.desiredCount } : {}),
    ...(s.runningCount !== undefined ? { runningCount: s.runningCount } : {}),
    ...(s.pendingCount !== undefined ? { pendingCount: s.pendingCount } : {}),
  };
}

/**
 * A service scaled to zero with no task left: desiredCount, runningCount and pendingCount all 0 (each known).
 * Whether a task of it still holds the role is the usage's `tasks`, not this.
 */
export function scaledToZero(s: ServiceUse): boolean {
  return s.desiredCount === 0 && s.runningCount === 0 && s.pendingCount === 0;
}

/**
 * The use is only EBS services scaled to zero, with no task holding the role and nothing else naming it: a change
 * to the role strands no volume now, and breaks the services' next scale-up. Any other use (a task, a service
 * running or using the role for TLS, VPC Lattice or blue/green, a capacity provider, an Express service) is not idle.
 */
export function onlyIdleServices(usage: RoleUsage): boolean {
  return (
    usage.services.length > 0 &&
    usage.tasks.length === 0 &&
    usage.capacityProviders.length === 0 &&
    usage.expressServices.length === 0 &&
    usage.unread.length === 0 &&
    usage.services.every((s) => s.use === "ebs" && scaledToZero(s))
  );
}

/** What facts gathered before a use was read say of it: nothing. */
function notCollected(api: string, what: string): FactError {
  return { api, code: "NotCollected", message: `${what} were not read (facts gathered before they were)` };
}

/** The cluster's capacity providers and Express services: each live one that names a role uses it. */
function indexClusterUses(
  cluster: ClusterFacts,
  entry: (roleArn: string) => Uses,
  unread: RoleUsage["unread"],
): void {
  const providers =
    cluster.capacityProviders ??
    ({ ok: false, error: notCollected("ecs:DescribeCapacityProviders", "the capacity providers") } as const);
  if (!providers.ok) unread.push({ resource: cluster.arn, error: providers.error });
  for (const c of providers.ok ? providers.value : []) {
    if (c.status === "INACTIVE") continue;
    const base = { arn: c.arn, clusterArn: cluster.arn, name: c.name, status: c.status };
    if (c.infrastructureRoleArn)
      entry(c.infrastructureRoleArn).capacityProviders.push({ ...base, use: "managed-instances" });
    else if (c.type === "MANAGED_INSTANCES")
      unread.push({
        resource: cluster.arn,
        error: nameless("ecs:DescribeCapacityProviders", `capacity provider ${c.name}`),
      });
  }
  const express =
    cluster.expressServices ??
    ({
      ok: false,
      error: notCollected("ecs:DescribeExpressGatewayService", "the Express services"),
    } as const);
  // The services' own error, already counted: the Express services could not be told apart from them.
  if (!express.ok && cluster.services.ok) unread.push({ resource: cluster.arn, error: express.error });
  for (const e of express.ok ? express.value : []) {
    if (e.status === "INACTIVE") continue;
    const base = { arn: e.arn, clusterArn: cluster.arn, name: e.name, status: e.status };
    if (e.infrastructureRoleArn)
      entry(e.infrastructureRoleArn).expressServices.push({ ...base, use: "express" });
    else
      unread.push({
        resource: cluster.arn,
        error: nameless("ecs:DescribeExpressGatewayService", `Express service ${e.name}`),
      });
  }
}

/** A use that names no role may need any role asked about. */
function nameless(api: string, what: string): FactError {
  return { api, code: "UseWithoutRole", message: `${what} names no infrastructure role` };
}

function roleless(t: TaskFacts, a: TaskFacts["ebsAttachments"][number]): FactError {
  const volume = a.volumeId ? ` for ${a.volumeId}` : "";
  return {
    api: "ecs:DescribeTasks",
    code: "AttachmentWithoutRole",
    message: `task ${shortName(t.arn)} (${t.lastStatus}) has an EBS attachment${volume} that names no infrastructure role`,
  };
}

function taskUse(t: TaskFacts, a: TaskFacts["ebsAttachments"][number]): TaskUse {
  return {
    arn: t.arn,
    clusterArn: t.clusterArn,
    lastStatus: t.lastStatus,
    desiredStatus: t.desiredStatus,
    ...(t.group ? { group: t.group } : {}),
    ...(a.volumeId ? { volumeId: a.volumeId } : {}),
    attachmentStatus: a.status,
    ...(a.statusReason ? { statusReason: a.statusReason } : {}),
  };
}

/** Who uses the role (a name or ARN) in the facts' ECS scope. */
export function roleUsage(facts: Facts, role: string): RoleUsage {
  const index = usageIndex(facts);
  const account = facts.caller.ok ? facts.caller.value.account : undefined;
  const key = roleKey(role, account);
  // A bare name with no account to place it in (the caller unread): every role of that name counts, never none.
  const found = key.startsWith("/")
    ? [...index.byRole].filter(([k]) => k.endsWith(key)).map(([, v]) => v)
    : [index.byRole.get(key)].flatMap((v) => v ?? []);
  return {
    ecsRead: index.ecsRead,
    tasks: found.flatMap((f) => f.tasks),
    services: found.flatMap((f) => f.services),
    capacityProviders: found.flatMap((f) => f.capacityProviders),
    expressServices: found.flatMap((f) => f.expressServices),
    unread: index.unread,
  };
}

/** Whether anything at all still uses the role. */
function anyUse(usage: RoleUsage): boolean {
  return Boolean(
    usage.tasks.length ||
      usage.services.length ||
      usage.capacityProviders.length ||
      usage.expressServices.length,
  );
}

/** True when something still uses the role; undefined when that cannot be known from these facts. */
export function inUse(usage: RoleUsage): boolean | undefined {
  if (anyUse(usage)) return true;
  if (!usage.ecsRead || usage.unread.length) return undefined;
  return false;
}

const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const listed = (items: string[]) => `${items.slice(0, 3).join(", ")}${items.length > 3 ? ", …" : ""}`;
const where = (u: { clusterArn: string; name: string }) => `${shortName(u.clusterArn)}/${u.name}`;

/** "2 tasks (a1b2 RUNNING, …), 1 service (prod/web) and 1 Managed Instances capacity provider (prod/mi)" — for messages. */
export function usageSentence(usage: RoleUsage): string {
  const parts: string[] = [];
  if (usage.tasks.length)
    parts.push(
      `${count(usage.tasks.length, "task")} (${listed(usage.tasks.map((t) => `${shortName(t.arn)} ${t.lastStatus}`))})`,
    );
  // A service naming the role for two uses is one service.
  const services = [...new Map(usage.services.map((s) => [s.arn, s])).values()];
  if (services.length) parts.push(`${count(services.length, "service")} (${listed(services.map(where))})`);
  if (usage.capacityProviders.length)
    parts.push(
      `${count(usage.capacityProviders.length, "Managed Instances capacity provider")} (${listed(usage.capacityProviders.map(where))})`,
    );
  if (usage.expressServices.length)
    parts.push(
      `${count(usage.expressServices.length, "Express service")} (${listed(usage.expressServices.map(where))})`,
    );
  return parts.length > 1 ? `${parts.slice(0, -1).join(", ")} and ${parts.at(-1)}` : (parts[0] ?? "");
}

/** The uses the role is put to by what uses it, in table order. */
export function usesInUse(usage: RoleUsage): InfrastructureUse[] {
  const ids = new Set<string>([
    ...(usage.tasks.length ? ["ebs"] : []),
    ...usage.services.map((s) => s.use),
    ...usage.capacityProviders.map((c) => c.use),
    ...usage.expressServices.map((e) => e.use),
  ]);
  return INFRASTRUCTURE_USES.filter((u) => ids.has(u.id));
}

/**
 * The uses a finding's details name: `uses` (use ids, as planned-role-changes writes them), else the role usage they
 * list (role-in-use's tasks, services, capacity providers and Express services, each service with its use).
 */
export function usesOfDetails(details: Record<string, unknown> | undefined): InfrastructureUse[] {
  if (!details) return [];
  const ids = new Set<string>();
  if (Array.isArray(details.uses)) for (const id of details.uses) ids.add(String(id));
  else {
    const list = (key: string) => (Array.isArray(details[key]) ? (details[key] as unknown[]) : []);
    if (list("tasks").length) ids.add("ebs");
    for (const key of ["services", "capacityProviders", "expressServices"])
      for (const u of list(key)) {
        const use = (u as { use?: unknown } | null)?.use;
        if (typeof use === "string") ids.add(use);
      }
  }
  return INFRASTRUCTURE_USES.filter((u) => ids.has(u.id));
}

/**
 * What breaks, use by use, when the role stops working for what uses it: "EBS volumes: stopping tasks hang in
 * DEPROVISIONING …; Managed Instances: the capacity provider cannot launch instances …".
 */
export function consequenceSentence(usage: RoleUsage): string {
  return usesInUse(usage)
    .map((u) => `${u.label}: ${u.breaks}`)
    .join("; ");
}
