import { allClusters, type MissingDetails, missingFinding } from "../../src/analysis/scope-gaps.ts";
import { shortName } from "../../src/arn/arn.ts";
import type { UnknownDetails } from "../../src/engine/finding.ts";
import { defineRule, type RuleResult } from "../../src/engine/rule.ts";
import { unknownFinding } from "../../src/engine/unknown.ts";
import type { ClusterFacts, FactError } from "../../src/facts/types.ts";
import { messages } from "./messages.ts";
import { GRANT_ECS_READS } from "./snippets.ts";

/** A task still holds (or is giving back) its volume until it is STOPPED. */
const finished = (status: string) => status === "STOPPED" || status === "DELETED";

type Result = RuleResult<
  ScopeDetails | MissingDetails | UnknownDetails | (UnknownDetails & { also: FactError }),
  typeof messages
>;

/** How much was read of a cluster; an attachment without a role; a --task ECS did not answer for. */
type ScopeDetails =
  | { services: number; tasks: number; capacityProviders: number; expressServices: number }
  | {
      api: string;
      code: "AttachmentWithoutRole" | "NotAnswered" | "UseWithoutRole";
      attachmentId?: string;
      attachmentStatus?: string;
      volumeId?: string;
    };

/** What facts gathered before a use was read say of it: nothing; the fix is a fresh read. */
function notCollected(api: string, what: string): FactError {
  return {
    api,
    code: "NotCollected",
    message: `${what} were not read (these facts were gathered by a version that did not read them: take them again)`,
  };
}

/**
 * The cluster's other uses of a role that could not be seen: its capacity providers and Express services unread
 * (one finding for both), and a Managed Instances provider or Express service that names no role. Express services
 * hidden by the services' own error are that gap, already reported.
 */
function useGaps(cluster: ClusterFacts): Result[] {
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
  if (!express || (!express.ok && cluster.services.ok))
    unread.push({
      what: "Express services",
      error:
        express && !express.ok
          ? express.error
          : notCollected("ecs:DescribeExpressGatewayService", "the Express services"),
    });
  const gaps: Result[] = [];
  const [first, second] = unread;
  if (first) {
    const gap = unknownFinding(
      cluster.arn,
      `the ${unread.map((u) => u.what).join(" and ")} of cluster ${cluster.name} (and the roles they use)`,
      first.error,
    );
    gaps.push(second ? { ...gap, details: { ...gap.details, also: second.error } } : gap);
  }
  const nameless = [
    ...(providers?.ok ? providers.value : [])
      .filter((c) => c.type === "MANAGED_INSTANCES" && c.status !== "INACTIVE" && !c.infrastructureRoleArn)
      .map((c) => ({
        arn: c.arn,
        what: `Managed Instances capacity provider ${c.name}`,
        api: "ecs:DescribeCapacityProviders",
      })),
    ...(express?.ok ? express.value : [])
      .filter((e) => e.status !== "INACTIVE" && !e.infrastructureRoleArn)
      .map((e) => ({
        arn: e.arn,
        what: `Express service ${e.name}`,
        api: "ecs:DescribeExpressGatewayService",
      })),
  ];
  for (const n of nameless)
    gaps.push({
      status: "unknown",
      resource: n.arn,
      messageId: "useWithoutRole",
      data: { what: n.what, cluster: cluster.name },
      details: { api: n.api, code: "UseWithoutRole" },
    });
  return gaps;
}

/** What could not be seen in a cluster: its services or tasks unread, a named one missing, a live attachment without a role. */
function clusterGaps(cluster: ClusterFacts, servicesFound: ReadonlySet<string>): Result[] {
  const gaps: Result[] = [];
  if (!cluster.services.ok) {
    const what = `the services of cluster ${cluster.name} (and the roles they use)`;
    gaps.push(unknownFinding(cluster.arn, what, cluster.services.error));
  }
  if (!cluster.tasks.ok) {
    const what = `the tasks of cluster ${cluster.name} (and the roles their volumes use)`;
    gaps.push(unknownFinding(cluster.arn, what, cluster.tasks.error));
  }
  gaps.push(...useGaps(cluster));
  for (const m of cluster.missing ?? []) {
    // A service name given with several clusters need only exist in one of them.
    if (m.kind === "service" && servicesFound.has(shortName(m.arn))) continue;
    gaps.push(missingFinding(m, cluster));
  }
  for (const task of cluster.tasks.ok ? cluster.tasks.value : []) {
    if (finished(task.lastStatus)) continue;
    for (const a of task.ebsAttachments.filter((x) => !x.roleArn)) {
      gaps.push({
        status: "unknown",
        resource: task.arn,
        messageId: "attachmentWithoutRole",
        data: {
          task: task.arn,
          lastStatus: task.lastStatus,
          cluster: cluster.name,
          ...(a.volumeId ? { volumeId: a.volumeId } : {}),
        },
        details: {
          api: "ecs:DescribeTasks",
          code: "AttachmentWithoutRole",
          attachmentId: a.id,
          attachmentStatus: a.status,
          ...(a.volumeId ? { volumeId: a.volumeId } : {}),
        },
      });
    }
  }
  return gaps;
}

function clusterRead(cluster: ClusterFacts): Result {
  const services = cluster.services.ok ? cluster.services.value.length : 0;
  const tasks = cluster.tasks.ok ? cluster.tasks.value.length : 0;
  const capacityProviders = cluster.capacityProviders?.ok ? cluster.capacityProviders.value.length : 0;
  const expressServices = cluster.expressServices?.ok ? cluster.expressServices.value.length : 0;
  return {
    status: "pass",
    resource: cluster.arn,
    messageId: "read",
    data: { cluster: cluster.name, services, tasks, capacityProviders, expressServices },
    details: { services, tasks, capacityProviders, expressServices },
  };
}

/** A task named with --task must come back as a task or as a failure: silence is not an answer. */
function unansweredTasks(named: readonly string[], clusters: readonly ClusterFacts[]): Result[] {
  // A cluster whose tasks could not be listed is unknown already: its tasks may be there.
  if (clusters.some((c) => !c.tasks.ok)) return [];
  const seen = new Set(
    clusters.flatMap((c) => [
      ...(c.tasks.ok ? c.tasks.value.map((t) => shortName(t.arn)) : []),
      ...(c.missing ?? []).filter((m) => m.kind === "task").map((m) => shortName(m.arn)),
    ]),
  );
  return named
    .filter((task) => !seen.has(shortName(task)))
    .map((task) => ({
      status: "unknown" as const,
      resource: task,
      messageId: "notAnswered" as const,
      data: { task },
      details: { api: "ecs:DescribeTasks", code: "NotAnswered" as const },
    }));
}

export default defineRule({
  meta: {
    id: "ecs-scope",
    title: "Everything in scope could be read",
    severity: "fail",
    concern: "stopping-tasks",
    required: true,
    needs: ["ecs"],
    docs: {
      summary:
        "Every cluster, service, task, capacity provider and Express service in scope could be listed and described, " +
        "and every live EBS attachment names the infrastructure role that will clean it up.",
      rationale:
        "The other rules can only vouch for the roles and tasks they were shown. If ListClusters, ListServices, " +
        "ListTasks or DescribeTasks failed, or a task named with --task was not found, the roles those resources use " +
        "were never checked; and a task whose EBS attachment names no role cannot be matched to one. The same holds for " +
        "the other uses of a role: a cluster's capacity providers (DescribeCapacityProviders: a Managed Instances " +
        "provider names a role) and its Express services (DescribeExpressGatewayService), unread or, in facts gathered " +
        "by a version that did not read them, not read at all; and a Managed Instances provider or Express service that " +
        "names no role. This rule reports " +
        "each such gap as unknown (exit 3) so that a smaller scope never passes as a whole one. It cannot be turned off " +
        "or capped in the config: it is the gate's own honesty. Passes say how much was read per cluster; a Region with " +
        "no cluster at all is a warning, since a gate that checked nothing (a wrong --region?) should say so.",
      remediation:
        "Grant the tool's credentials the ECS reads it lacks (ecs:ListClusters, ecs:ListServices, ecs:DescribeServices, " +
        "ecs:ListTasks, ecs:DescribeTasks, ecs:DescribeCapacityProviders, ecs:DescribeExpressGatewayService), take a " +
        "snapshot again with this version when it lacks capacity providers or Express services, check the cluster and task names, and for an attachment without a role look " +
        "at the task with:\n\n" +
        "aws ecs describe-tasks --cluster CLUSTER --tasks TASK --query 'tasks[].attachments'",
    },
    snippets: GRANT_ECS_READS,
    messages,
  },
  check(facts) {
    const ecs = facts.ecs;
    if (!ecs) return [];
    if (!ecs.clusters.ok)
      return [unknownFinding(allClusters(facts), "which clusters are in scope", ecs.clusters.error)];
    if (ecs.clusters.value.length === 0) {
      return [
        {
          status: "warn",
          resource: allClusters(facts),
          messageId: "noClusters",
          data: { region: facts.region },
          remediation: `aws ecs list-clusters --region ${facts.region}`,
        },
      ];
    }
    const clusters = ecs.clusters.value;
    const servicesFound = new Set(
      clusters.flatMap((c) => (c.services.ok ? c.services.value.map((s) => s.name) : [])),
    );
    return [
      ...clusters.flatMap((cluster) => {
        const gaps = clusterGaps(cluster, servicesFound);
        return gaps.length ? gaps : [clusterRead(cluster)];
      }),
      ...unansweredTasks(facts.scope.tasks, clusters),
    ];
  },
});
