import type { FactError, Facts, ServiceRoleUse, TaskFacts } from "../facts/types.ts";
import { roleKey, shortName } from "./arn.ts";

/**
 * Who still uses an infrastructure role (DESIGN.md, "The change gate"): a task that is not STOPPED and references
 * the role through an EBS attachment, or an ACTIVE or DRAINING service whose live deployment names it. Fail closed:
 * a cluster whose services or tasks could not be read, or an unfinished task whose EBS attachment names no role,
 * leaves the answer open (`unread`), and with ECS out of scope
 * (a --role-only check) nothing is known about use at all.
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
}

export interface RoleUsage {
  /** False for a check that did not read ECS: nothing is known about who uses the role. */
  ecsRead: boolean;
  tasks: TaskUse[];
  services: ServiceUse[];
  /** What could not be read (a cluster listing, one cluster's services or tasks, a roleless attachment): use there is unknown. */
  unread: { resource: string; error: FactError }[];
}

/** Task states after which ECS needs the role no more. */
const FINISHED = new Set(["STOPPED", "DELETED"]);

interface UsageIndex {
  byRole: Map<string, { tasks: TaskUse[]; services: ServiceUse[] }>;
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
    const created = { tasks: [], services: [] };
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
  }
  const index = { byRole, unread, ecsRead: facts.ecs !== undefined };
  indexes.set(facts, index);
  return index;
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
    unread: index.unread,
  };
}

/** True when some task or service still uses the role; undefined when that cannot be known from these facts. */
export function inUse(usage: RoleUsage): boolean | undefined {
  if (usage.tasks.length || usage.services.length) return true;
  if (!usage.ecsRead || usage.unread.length) return undefined;
  return false;
}

/** "2 tasks (a1b2, c3d4) and 1 service (prod/web)" — for messages. */
export function usageSentence(usage: RoleUsage): string {
  const list = (items: string[]) => `${items.slice(0, 3).join(", ")}${items.length > 3 ? ", …" : ""}`;
  const parts: string[] = [];
  if (usage.tasks.length)
    parts.push(
      `${usage.tasks.length} task${usage.tasks.length === 1 ? "" : "s"} (${list(usage.tasks.map((t) => `${shortName(t.arn)} ${t.lastStatus}`))})`,
    );
  if (usage.services.length)
    parts.push(
      `${usage.services.length} service${usage.services.length === 1 ? "" : "s"} (${list(usage.services.map((s) => `${shortName(s.clusterArn)}/${s.name}`))})`,
    );
  return parts.join(" and ");
}
