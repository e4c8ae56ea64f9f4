import { roleKey } from "../arn/arn.ts";
import { parsePrincipalArn } from "../arn/principal-arn.ts";
import type { DeployingPrincipal, EcsFacts, PrincipalOrigin } from "../facts/types.ts";
import { mapLimit } from "./concurrency.ts";
import type { PrincipalCollector } from "./principal.ts";

/**
 * Who deploys with the roles in scope (DESIGN.md, "Who deploys"): the distinct `createdBy` of the services that
 * name one of them, each with the services it created, in the order ECS listed them. DescribeServices already
 * answered it: no call here. A service that is INACTIVE (deleted) deploys nothing any more.
 */
export function serviceCreators(
  ecs: EcsFacts | undefined,
  roleKeys: ReadonlySet<string>,
  account: string | undefined,
): { ref: string; origin: PrincipalOrigin }[] {
  const byCreator = new Map<string, string[]>();
  for (const cluster of ecs?.clusters.ok ? ecs.clusters.value : [])
    for (const s of cluster.services.ok ? cluster.services.value : []) {
      if (!s.createdBy || s.status === "INACTIVE") continue;
      if (!s.infrastructureRoles.some((r) => roleKeys.has(roleKey(r.roleArn, account)))) continue;
      const services = byCreator.get(s.createdBy) ?? [];
      if (!services.includes(s.arn)) services.push(s.arn);
      byCreator.set(s.createdBy, services);
    }
  return [...byCreator].map(([ref, services]) => ({ ref, origin: { kind: "created-by", services } }));
}

/** The --principal ARNs, each once, in the order given. */
export function flaggedPrincipals(arns: readonly string[]): { ref: string; origin: PrincipalOrigin }[] {
  return [...new Set(arns)].map((ref) => ({ ref, origin: { kind: "flag" } }));
}

/**
 * Each principal's facts. A role ARN is read by name (GetRole takes RoleName only: a createdBy ARN without the
 * role's path names the same role); a createdBy that is no IAM role or user ARN cannot be evaluated, saying why.
 */
export function collectPrincipals(
  collector: PrincipalCollector,
  wanted: { ref: string; origin: PrincipalOrigin }[],
  concurrency: number,
): Promise<DeployingPrincipal[]> {
  return mapLimit(wanted, concurrency, async ({ ref, origin }) => {
    const source = origin.kind;
    const target = parsePrincipalArn(ref) ?? {
      kind: "unsupported" as const,
      reason:
        "it is not an IAM role, an IAM user or an assumed-role session, whose IAM policies could be read",
    };
    return { ref, origin, facts: await collector.collect(ref, source, target) };
  });
}
