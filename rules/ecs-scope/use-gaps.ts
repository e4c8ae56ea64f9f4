import type { UnknownDetails } from "../../src/engine/finding.ts";
import type { RuleResult } from "../../src/engine/rule.ts";
import { unknownFinding } from "../../src/engine/unknown.ts";
import type { ClusterFacts, FactError } from "../../src/facts/types.ts";
import type { messages } from "./messages.ts";

/** A cluster's capacity providers and Express services unread (the second error beside the first), or a use naming no role. */
export type UseGapDetails =
  | (UnknownDetails & { also?: FactError })
  | { api: "ecs:DescribeCapacityProviders" | "ecs:DescribeExpressGatewayService"; code: "UseWithoutRole" };

/** What facts gathered before a use was read say of it: nothing; the fix is a fresh read. */
function notCollected(api: string, what: string): FactError {
  return {
    api,
    code: "NotCollected",
    message: `${what} were not read (these facts were gathered by a version that did not read them: take them again)`,
  };
}

/** The capacity providers and Express services that could not be read: one finding for both. */
function unreadUses(cluster: ClusterFacts): RuleResult<UseGapDetails, typeof messages>[] {
  const providers = cluster.capacityProviders;
  const express = cluster.expressServices;
  const unread: { what: string; error: FactError }[] = [];
  if (!providers?.ok)
    unread.push({
      what: "capacity providers",
      error: providers
        ? providers.error
        : notCollected("ecs:DescribeCapacityProviders", "the capacity providers"),
    });
  // Express services hidden by the services' own error are that gap, already reported.
  if (!express || (!express.ok && cluster.services.ok))
    unread.push({
      what: "Express services",
      error:
        express && !express.ok
          ? express.error
          : notCollected("ecs:DescribeExpressGatewayService", "the Express services"),
    });
  const [first, second] = unread;
  if (!first) return [];
  const gap = unknownFinding(
    cluster.arn,
    `the ${unread.map((u) => u.what).join(" and ")} of cluster ${cluster.name} (and the roles they use)`,
    first.error,
  );
  return [second ? { ...gap, details: { ...gap.details, also: second.error } } : gap];
}

/** A Managed Instances provider or an Express service that is live and names no role: its role was never seen. */
function namelessUses(cluster: ClusterFacts): RuleResult<UseGapDetails, typeof messages>[] {
  const providers = cluster.capacityProviders;
  const express = cluster.expressServices;
  const nameless = [
    ...(providers?.ok ? providers.value : [])
      .filter((c) => c.type === "MANAGED_INSTANCES" && c.status !== "INACTIVE" && !c.infrastructureRoleArn)
      .map((c) => ({
        arn: c.arn,
        use: `Managed Instances capacity provider ${c.name}`,
        api: "ecs:DescribeCapacityProviders" as const,
      })),
    ...(express?.ok ? express.value : [])
      .filter((e) => e.status !== "INACTIVE" && !e.infrastructureRoleArn)
      .map((e) => ({
        arn: e.arn,
        use: `Express service ${e.name}`,
        api: "ecs:DescribeExpressGatewayService" as const,
      })),
  ];
  return nameless.map((n) => ({
    status: "unknown" as const,
    resource: n.arn,
    messageId: "useWithoutRole" as const,
    data: { use: n.use, cluster: cluster.name },
    details: { api: n.api, code: "UseWithoutRole" as const },
  }));
}

/**
 * The cluster's other uses of a role that could not be seen: its capacity providers and Express services unread
 * (one finding for both), and a Managed Instances provider or Express service that names no role.
 */
export function useGaps(cluster: ClusterFacts): RuleResult<UseGapDetails, typeof messages>[] {
  return [...unreadUses(cluster), ...namelessUses(cluster)];
}
