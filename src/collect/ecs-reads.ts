import { parseArn, shortName } from "../arn/arn.ts";
import { InputError } from "../errors.ts";
import type { Scope } from "../facts/types.ts";

/**
 * Which ECS calls a scope needs, decided before any AWS call so a scope that cannot work is a usage error.
 *
 * - Nothing named and no --role: every cluster in the region, each whole.
 * - Only --role: ECS is not looked at (a role-only check stays role-only).
 * - --cluster alone: those clusters, each whole (all services, every task RUNNING and STOPPED).
 * - --service / --task: they narrow every cluster in scope to the named services (and their tasks) and the named
 *   tasks. A task or service ARN names its cluster; a bare id or name needs --cluster.
 */
export type EcsReads =
  | { kind: "none" }
  | { kind: "discover" }
  | { kind: "clusters"; clusters: ClusterReads[] };

export interface ClusterReads {
  /** The cluster as named (--cluster, or taken from a task or service ARN): a name or an ARN. */
  ref: string;
  /** "all": ListServices; a list: DescribeServices on exactly these; "none": services are not in scope. */
  services: "all" | "none" | string[];
  /** "cluster": ListTasks for the cluster; "services": ListTasks per service in scope; "none": named tasks only. */
  listTasks: "cluster" | "services" | "none";
  /** Tasks named with --task that belong to this cluster (ids or ARNs). */
  tasks: string[];
}

/** A whole cluster: what discovery and a bare --cluster mean. */
export function wholeCluster(ref: string): ClusterReads {
  return { ref, services: "all", listTasks: "cluster", tasks: [] };
}

/** The cluster an ECS task or service ARN names (`task/<cluster>/<id>`); undefined for ids and old-style ARNs. */
export function clusterOfArn(ref: string, kind: "task" | "service"): string | undefined {
  const arn = parseArn(ref);
  if (arn?.service !== "ecs") return undefined;
  const parts = arn.resource.split("/");
  return parts[0] === kind && parts.length === 3 ? parts[1] : undefined;
}

export function ecsReadsFor(scope: Scope): EcsReads {
  const { clusters, services, tasks, roles } = scope;
  if (!clusters.length && !services.length && !tasks.length)
    return roles.length ? { kind: "none" } : { kind: "discover" };

  const plans = new Map<string, ClusterReads>();
  const explicit = new Set<string>();
  for (const ref of clusters) {
    const name = shortName(ref);
    if (!plans.has(name)) plans.set(name, { ref, services: [], listTasks: "none", tasks: [] });
    explicit.add(name);
  }
  /** The cluster a named task or service belongs to, or the usage error that says why it cannot be known. */
  const clusterFor = (ref: string, kind: "task" | "service"): string[] => {
    const flag = `--${kind} ${ref}`;
    const fromArn = clusterOfArn(ref, kind);
    if (fromArn) {
      if (explicit.size && !explicit.has(fromArn)) {
        throw new InputError(
          `${flag} is in cluster ${fromArn}, which is not among --cluster ${clusters.join(",")}`,
        );
      }
      if (!plans.has(fromArn))
        plans.set(fromArn, { ref: fromArn, services: [], listTasks: "none", tasks: [] });
      return [fromArn];
    }
    if (!explicit.size) {
      throw new InputError(
        `${flag}: a ${kind} ${kind === "task" ? "id" : "name"} does not say which cluster it is in; pass --cluster or the ${kind} ARN`,
      );
    }
    // A service name may exist in several clusters; a task id is unique to one, so several clusters are ambiguous.
    if (kind === "task" && explicit.size > 1) {
      throw new InputError(
        `${flag}: several clusters are in scope (--cluster ${clusters.join(",")}); pass the task ARN, which names its cluster`,
      );
    }
    return [...explicit];
  };
  for (const task of tasks) for (const name of clusterFor(task, "task")) plans.get(name)?.tasks.push(task);
  for (const service of services) {
    for (const name of clusterFor(service, "service")) {
      const plan = plans.get(name);
      if (plan && Array.isArray(plan.services)) plan.services.push(service);
    }
  }

  const whole = !services.length && !tasks.length;
  for (const plan of plans.values()) {
    if (whole) Object.assign(plan, wholeCluster(plan.ref));
    else if (!services.length) plan.services = "none";
    else if (Array.isArray(plan.services) && plan.services.length) plan.listTasks = "services";
  }
  return { kind: "clusters", clusters: [...plans.values()] };
}
