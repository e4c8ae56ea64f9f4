import { roleKey, shortName } from "../../src/arn/arn.ts";
import type { DeployingPrincipal, FactError, Facts, RoleFacts } from "../../src/facts/types.ts";

/**
 * Who deploys with a role (DESIGN.md, "Who deploys"): every --principal, else the creators of the services in scope
 * whose configuration names the role. Facts of an older version may hold the caller it judged when none was named:
 * the checker is never judged by default, so that principal is no deployer (see whyNobody).
 */
export function deployersOf(
  facts: Facts,
  role: RoleFacts,
  principals: readonly DeployingPrincipal[],
): DeployingPrincipal[] {
  const named = principals.filter((p) => p.origin.kind === "flag");
  if (named.length) return named;
  const naming = servicesNaming(facts, role);
  return principals.filter(
    (p) => p.origin.kind === "created-by" && p.origin.services.some((s) => naming.has(s)),
  );
}

/** The ARNs of the services in scope that name the role (any use). */
export function servicesNaming(facts: Facts, role: RoleFacts): Set<string> {
  const account = facts.caller.ok ? facts.caller.value.account : undefined;
  const key = roleKey(role.ref, account);
  const out = new Set<string>();
  for (const cluster of facts.ecs?.clusters.ok ? facts.ecs.clusters.value : [])
    for (const s of cluster.services.ok ? cluster.services.value : [])
      if (s.infrastructureRoles.some((r) => roleKey(r.roleArn, account) === key)) out.add(s.arn);
  return out;
}

/** Why nobody is known to deploy with the role: what names it, when nothing that records its creator does. */
export function whyNobody(
  facts: Facts,
  role: RoleFacts,
  principals: readonly DeployingPrincipal[] = [],
): string {
  if (principals.some((p) => p.origin.kind === "caller"))
    return "these facts were gathered by an earlier version of ecs-preflight, which read the checker's own policies (the caller) instead of who deploys, and the checker is not judged unless named (take the snapshot again, with --principal to name who deploys)";
  if (!facts.ecs)
    return "ECS was not read (only --role was given), so no service that deploys with it is known";
  const kinds = new Set(role.referencedBy.map((r) => r.kind));
  const services = role.referencedBy.filter((r) => r.kind === "service");
  if (services.length)
    return `the services that name it (${[...new Set(services.map((s) => s.service))].slice(0, 3).join(", ")}) do not say who created them (no createdBy)`;
  const users = [
    kinds.has("task") ? "standalone tasks" : "",
    kinds.has("capacity-provider") ? "capacity providers" : "",
    kinds.has("express-service") ? "Express services" : "",
  ].filter(Boolean);
  return users.length
    ? `no service in scope names it, only ${users.join(" and ")}, which do not record who deploys`
    : "no service in scope names it";
}

/** "service web (cluster prod)" for the services a created-by principal made that name the role (`naming`). */
export function serviceList(p: DeployingPrincipal, naming: ReadonlySet<string>): string {
  if (p.origin.kind !== "created-by") return "";
  const names = p.origin.services.filter((s) => naming.has(s)).map((s) => shortName(s));
  return `${names.slice(0, 3).join(", ")}${names.length > 3 ? ", …" : ""}`;
}

/** The first listing of services that could not be read (the cluster list, or one cluster's services): their creators are not known. */
export function unreadServices(facts: Facts): FactError | undefined {
  const clusters = facts.ecs?.clusters;
  if (clusters && !clusters.ok) return clusters.error;
  for (const cluster of clusters?.ok ? clusters.value : [])
    if (!cluster.services.ok) return cluster.services.error;
  return undefined;
}
