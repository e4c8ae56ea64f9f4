import type { RuleFinding, UnknownDetails } from "../engine/finding.ts";
import { unknownFinding } from "../engine/unknown.ts";
import type { ClusterFacts, FactError, Facts, InfrastructureUseId } from "../facts/types.ts";
import type { InfrastructureUse } from "./infrastructure-uses.ts";
import { allClusters } from "./scope-gaps.ts";

/**
 * The reads a per-use permission rule depends on to know which roles a use names, and those that failed: a use
 * whose names could not be read may name a role the rule never judged, so the rule is `unknown` for that
 * cluster (or every cluster), naming the call and its error, never silent. ecs-scope reports the same gaps for the
 * scope as a whole; this is the use's own consequence. Shared by tls-permissions and the rules of Managed
 * Instances, Express Mode, VPC Lattice and blue/green load balancers.
 */

/** What names the role for each use, read per cluster (EBS volumes: volume-permissions has its own reads). */
const READS: Record<InfrastructureUseId, (cluster: ClusterFacts) => { what: string; error: FactError }[]> = {
  ebs: () => [],
  "service-connect-tls": (c) => servicesGap(c),
  "vpc-lattice": (c) => servicesGap(c),
  "load-balancer": (c) => servicesGap(c),
  "managed-instances": (c) =>
    c.capacityProviders?.ok
      ? []
      : [
          {
            what: "capacity providers",
            error:
              c.capacityProviders?.error ??
              notCollected("ecs:DescribeCapacityProviders", "the capacity providers"),
          },
        ],
  // Express services are found among the services (resourceManagementType ECS): the services unread hide them.
  express: (c) => {
    if (!c.services.ok) return [{ what: "Express services", error: c.services.error }];
    if (c.expressServices?.ok) return [];
    return [
      {
        what: "Express services",
        error:
          c.expressServices?.error ??
          notCollected("ecs:DescribeExpressGatewayService", "the Express services"),
      },
    ];
  },
};

function servicesGap(c: ClusterFacts): { what: string; error: FactError }[] {
  return c.services.ok ? [] : [{ what: "services", error: c.services.error }];
}

/** Facts gathered by a version that did not read a use: nothing is known of it. */
function notCollected(api: string, what: string): FactError {
  return {
    api,
    code: "NotCollected",
    message: `${what} were not read (these facts were gathered by a version that did not read them: take them again)`,
  };
}

/** One read the use depends on that failed: where (a cluster, or every cluster), what, and the error. */
export interface UseReadGap {
  resource: string;
  what: string;
  error: FactError;
}

/** Every read that could hide a role of the use: the cluster listing, or per cluster the use's own reads. */
export function useReadGaps(facts: Facts, use: InfrastructureUse): UseReadGap[] {
  const clusters = facts.ecs?.clusters;
  if (!clusters) return []; // ECS not read (a --role-only check): the rule judges the named roles only.
  if (use.id === "ebs") return [];
  if (!clusters.ok)
    return [
      {
        resource: allClusters(facts),
        what: `which clusters are in scope (and the roles they name for ${use.label})`,
        error: clusters.error,
      },
    ];
  return clusters.value.flatMap((cluster) =>
    READS[use.id](cluster).map(({ what, error }) => ({
      resource: cluster.arn,
      what: `the ${what} of cluster ${cluster.name} (and the roles they name for ${use.label})`,
      error,
    })),
  );
}

/** The rule's unknown finding for each gap. */
export function useReadGapFindings(
  facts: Facts,
  use: InfrastructureUse,
): (RuleFinding<UnknownDetails> & { details: UnknownDetails })[] {
  return useReadGaps(facts, use).map((g) => unknownFinding(g.resource, g.what, g.error));
}
