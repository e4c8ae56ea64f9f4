import { shortName } from "../arn/arn.ts";
import type { Facts, RoleFacts, RoleReference } from "../facts/types.ts";
import { infrastructureUse, usePolicyArn, usesOf } from "./infrastructure-uses.ts";
import { usedForServiceConnectTls, usedForVolumes } from "./role-policies.ts";

/** The role ARN when IAM told us, else the ARN it was referenced by, else one built from the caller's account. */
export function roleResource(facts: Facts, role: RoleFacts): string {
  if (role.role.ok && role.role.value.exists) return role.role.value.arn;
  if (role.ref.startsWith("arn:")) return role.ref;
  if (facts.caller.ok) return `arn:aws:iam::${facts.caller.value.account}:role/${role.name}`;
  return role.ref;
}

/** What depends on a role: what would break if it did. Empty for --role only. */
export interface Dependents {
  services: string[];
  tasks: string[];
  /** Present when a Managed Instances capacity provider names the role ("cluster/provider"). */
  capacityProviders?: string[];
  /** Present when an Express service names the role ("cluster/service"). */
  expressServices?: string[];
}

export function dependentsOf(role: RoleFacts): Dependents {
  const services = new Set<string>();
  const tasks = new Set<string>();
  const providers = new Set<string>();
  const express = new Set<string>();
  for (const ref of role.referencedBy as RoleReference[]) {
    if (ref.kind === "service") services.add(`${shortName(ref.cluster)}/${ref.service}`);
    if (ref.kind === "task" && ref.status !== "STOPPED") tasks.add(ref.task);
    if (ref.kind === "capacity-provider") providers.add(`${shortName(ref.cluster)}/${ref.capacityProvider}`);
    if (ref.kind === "express-service") express.add(`${shortName(ref.cluster)}/${ref.service}`);
  }
  return {
    services: [...services].sort(),
    tasks: [...tasks].sort(),
    ...(providers.size ? { capacityProviders: [...providers].sort() } : {}),
    ...(express.size ? { expressServices: [...express].sort() } : {}),
  };
}

/** "; 2 services and 5 tasks depend on it" — or nothing when nothing in scope referenced the role. */
export function dependentsSentence(d: Dependents): string {
  const list = (items: string[]) => `${items.slice(0, 3).join(", ")}${items.length > 3 ? ", …" : ""}`;
  const counted = (items: string[] | undefined, one: string, many: string) =>
    items?.length ? [`${items.length} ${items.length === 1 ? one : many}`] : [];
  const parts: string[] = [];
  if (d.services.length)
    parts.push(`${d.services.length} service${d.services.length === 1 ? "" : "s"} (${list(d.services)})`);
  // Task ids, not ARNs: the cluster is in the services or the finding's details.
  if (d.tasks.length)
    parts.push(`${d.tasks.length} task${d.tasks.length === 1 ? "" : "s"} (${list(d.tasks.map(shortName))})`);
  for (const [items, one, many] of [
    [d.capacityProviders, "capacity provider", "capacity providers"],
    [d.expressServices, "Express service", "Express services"],
  ] as const)
    for (const c of counted(items as string[] | undefined, one, many))
      parts.push(`${c} (${list(items ?? [])})`);
  if (!parts.length) return "";
  const total =
    d.services.length +
    d.tasks.length +
    (d.capacityProviders?.length ?? 0) +
    (d.expressServices?.length ?? 0);
  return ` ${parts.join(" and ")} ${total === 1 ? "depends" : "depend"} on it.`;
}

/** What breaks when ECS cannot use the role, by what the role is used for (uses beyond EBS and TLS from the table). */
export function roleConsequence(role: RoleFacts): string {
  const tls = usedForServiceConnectTls(role);
  const others = usesOf(role).filter((u) => u.id !== "ebs" && u.id !== "service-connect-tls");
  const parts = [
    ...(usedForVolumes(role) || (!tls && !others.length)
      ? ["stopping tasks will hang in DEPROVISIONING"]
      : []),
    ...(tls
      ? ["ECS cannot issue or rotate the Service Connect TLS certificates of the services that use it"]
      : []),
    ...others.map((u) => u.breaks),
  ];
  return parts.length > 2 ? `${parts.slice(0, -1).join(", ")}, and ${parts.at(-1)}` : parts.join(", and ");
}

/** The AWS managed policies for the uses a role is judged for: the volumes one for --role and task references too. */
export function policiesForUses(role: RoleFacts, partition: string): string[] {
  const uses = usesOf(role);
  const ebs = usedForVolumes(role) ? [infrastructureUse("ebs")] : [];
  return [...new Set([...ebs, ...uses].map((u) => usePolicyArn(u, partition)))];
}
