import { parseArn, shortName } from "../arn/arn.ts";
import type { RuleFinding } from "../engine/finding.ts";
import type { ClusterFacts, Facts, MissingResource } from "../facts/types.ts";

/** What a rule says about parts of the scope it could not see: shared by ecs-scope and tasks-deprovisioning. */

/** The details of a named task or service ECS answered MISSING. */
export type MissingDetails = {
  api: string;
  kind: MissingResource["kind"];
  cluster: string;
  reason: string;
  detail?: string;
};

const MISSING_HINT: Record<MissingResource["kind"], string> = {
  task: " Check the id and --cluster; ECS forgets stopped tasks about an hour after they stop.",
  service: " Check the name and --cluster.",
};

/** A task or service named in scope that ECS answered in failures[] (MISSING): nothing about it was verified. */
export function missingFinding(m: MissingResource, cluster: ClusterFacts): RuleFinding<MissingDetails> {
  const api = m.kind === "task" ? "ecs:DescribeTasks" : "ecs:DescribeServices";
  const hint = MISSING_HINT[m.kind];
  return {
    status: "unknown",
    resource: m.arn,
    message: `Could not check ${m.kind} ${shortName(m.arn)}: ${api} in cluster ${cluster.name} answered ${m.reason}${m.detail ? ` (${m.detail})` : ""}.${hint}`,
    details: {
      api,
      kind: m.kind,
      cluster: cluster.arn,
      reason: m.reason,
      ...(m.detail ? { detail: m.detail } : {}),
    },
  };
}

/** The resource for "every cluster in the region", when ListClusters itself failed. */
export function allClusters(facts: Facts): string {
  const caller = facts.caller.ok ? facts.caller.value : undefined;
  const partition = (caller && parseArn(caller.arn)?.partition) ?? "aws";
  return `arn:${partition}:ecs:${facts.region}:${caller?.account ?? "*"}:cluster/*`;
}
