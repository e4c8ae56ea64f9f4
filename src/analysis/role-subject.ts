import { shortName } from "../arn/arn.ts";
import type { Facts, RoleFacts, RoleReference } from "../facts/types.ts";
import { usedForServiceConnectTls, usedForVolumes } from "./role-policies.ts";

/** The role ARN when IAM told us, else the ARN it was referenced by, else one built from the caller's account. */
export function roleResource(facts: Facts, role: RoleFacts): string {
  if (role.role.ok && role.role.value.exists) return role.role.value.arn;
  if (role.ref.startsWith("arn:")) return role.ref;
  if (facts.caller.ok) return `arn:aws:iam::${facts.caller.value.account}:role/${role.name}`;
  return role.ref;
}

/** What depends on a role: the services and tasks that would hang if it broke. Empty for --role only. */
export interface Dependents {
  services: string[];
  tasks: string[];
}

export function dependentsOf(role: RoleFacts): Dependents {
  const services = new Set<string>();
  const tasks = new Set<string>();
  for (const ref of role.referencedBy as RoleReference[]) {
    if (ref.kind === "service") services.add(`${shortName(ref.cluster)}/${ref.service}`);
    if (ref.kind === "task" && ref.status !== "STOPPED") tasks.add(ref.task);
  }
  return { services: [...services].sort(), tasks: [...tasks].sort() };
}

/** "; 2 services and 5 tasks depend on it" — or nothing when nothing in scope referenced the role. */
export function dependentsSentence(d: Dependents): string {
  const list = (items: string[]) => `${items.slice(0, 3).join(", ")}${items.length > 3 ? ", …" : ""}`;
  const parts: string[] = [];
  if (d.services.length)
    parts.push(`${d.services.length} service${d.services.length === 1 ? "" : "s"} (${list(d.services)})`);
  // Task ids, not ARNs: the cluster is in the services or the finding's details.
  if (d.tasks.length)
    parts.push(`${d.tasks.length} task${d.tasks.length === 1 ? "" : "s"} (${list(d.tasks.map(shortName))})`);
  if (!parts.length) return "";
  const one = parts.length === 1 && (d.services.length === 1 || d.tasks.length === 1);
  return ` ${parts.join(" and ")} ${one ? "depends" : "depend"} on it.`;
}

/** What breaks when ECS cannot use the role, by what the role is used for (EBS volumes, Service Connect TLS). */
export function roleConsequence(role: RoleFacts): string {
  const tls = usedForServiceConnectTls(role);
  const tlsBreaks =
    "ECS cannot issue or rotate the Service Connect TLS certificates of the services that use it";
  if (!tls) return "stopping tasks will hang in DEPROVISIONING";
  return usedForVolumes(role) ? `stopping tasks will hang in DEPROVISIONING, and ${tlsBreaks}` : tlsBreaks;
}
