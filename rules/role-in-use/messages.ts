import { consequenceSentence, type RoleUsage, usageSentence } from "../../src/analysis/role-usage.ts";
import { shortName } from "../../src/arn/arn.ts";

/** "cluster prod's tasks (ecs:ListTasks AccessDeniedException)" — what was not read. */
function unreadSentence(usage: RoleUsage): string {
  const items = usage.unread.map(
    (u) =>
      `${u.resource === "ecs:clusters" ? "the cluster list" : `cluster ${shortName(u.resource)}`} (${u.error.api} ${u.error.code})`,
  );
  return `${items.slice(0, 3).join(", ")}${items.length > 3 ? ", …" : ""}`;
}

const gaps = (usage: RoleUsage) =>
  usage.unread.length ? ` (and ${unreadSentence(usage)} could not be read)` : "";

interface Used {
  role: string;
  usage: RoleUsage;
}

/** role-in-use's wording, by message id. */
export const messages = {
  /** A normal check lists who uses the role: a pass, with the order of a safe change. */
  listed: ({ role, usage }: Used) =>
    `Role ${role} is in use by ${usageSentence(usage)}${gaps(usage)}: change or delete it only after ${usage.services.length || usage.capacityProviders.length || usage.expressServices.length ? "what names it is gone and " : ""}\`ecs-preflight wait --role ${role}\` exits 0.`,
  stillInUse: ({ role, usage }: Used) =>
    `Role ${role} is still in use by ${usageSentence(usage)}${gaps(usage)}: changing or deleting it now breaks them (${consequenceSentence(usage)}).`,
  /** Before a change, only services scaled to zero with no task left name the role: nothing strands now. */
  idleServices: ({ role, usage }: Used) =>
    `Role ${role} is named only by ${usage.services.length === 1 ? "a service" : "services"} scaled to 0 with no task left (${usage.services
      .slice(0, 3)
      .map((s) => `${shortName(s.clusterArn)}/${s.name}`)
      .join(
        ", ",
      )}${usage.services.length > 3 ? ", …" : ""}): no volume is stranded now, but after the change ${usage.services.length === 1 ? "its" : "their"} next scale-up starts tasks whose EBS volumes ECS cannot manage (create, attach, detach or delete) without the role. Move ${usage.services.length === 1 ? "it" : "them"} to another role or delete ${usage.services.length === 1 ? "it" : "them"} first.`,
  /** --service/--task narrow the clusters to those tasks: the others a cluster runs were never read. */
  narrowed: (d: { role: string; flags: readonly string[] }) =>
    `Whether role ${d.role} is still in use cannot be told: only the tasks of ${d.flags.slice(0, 3).join(", ")}${d.flags.length > 3 ? ", …" : ""} were read, and another task in the cluster may still need it (check with --role and --cluster, or --role alone, before a change).`,
  /** With --cluster, only those clusters were read: said so, since the role is global and may be used elsewhere. */
  unused: (d: {
    role: string;
    clusters: number;
    beforeRoleChange: boolean;
    region: string;
    scoped: readonly string[];
  }) => {
    const read = d.scoped.length
      ? `in ${d.scoped.length === 1 ? "cluster" : "clusters"} ${d.scoped.map(shortName).join(", ")} of ${d.region} (only the --cluster scope was read)`
      : `(${d.clusters} cluster${d.clusters === 1 ? "" : "s"} read)`;
    const verdict = !d.beforeRoleChange
      ? ""
      : d.scoped.length
        ? ": as far as those clusters go it may be changed or deleted, but the role is global and a cluster outside the scope, or another Region, may still use it (check with --role alone, and --regions, before deleting it)"
        : ": it may be changed or deleted";
    return `No task that is not STOPPED, no ACTIVE or DRAINING service and no live capacity provider or Express service uses role ${d.role} ${read}${verdict}.`;
  },
  unreadUse: ({ role, usage }: Used) =>
    `Whether role ${role} is still in use cannot be told: ${usage.unread.length ? `${unreadSentence(usage)} could not be read` : "ECS was not read (a snapshot taken with only --role; take it with --role and --cluster for every cluster that may use the role)"}, and a task there may still need it.`,
};
