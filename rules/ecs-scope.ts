import { shortName } from "../src/analysis/arn.ts";
import { GRANT_ECS_READS } from "../src/analysis/remediation-snippets.ts";
import { allClusters, missingFinding } from "../src/analysis/scope-gaps.ts";
import { defineRule, type RuleFinding } from "../src/engine/types.ts";
import { unknownFinding } from "../src/engine/unknown.ts";
import type { ClusterFacts, FactError } from "../src/facts/types.ts";

/** A task still holds (or is giving back) its volume until it is STOPPED. */
const finished = (status: string) => status === "STOPPED" || status === "DELETED";

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
function useGaps(cluster: ClusterFacts): RuleFinding[] {
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
  const gaps: RuleFinding[] = [];
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
      message: `${n.what} (cluster ${cluster.name}) names no infrastructure role: the role it needs could not be checked.`,
      details: { api: n.api, code: "UseWithoutRole" },
    });
  return gaps;
}

export default defineRule({
  id: "ecs-scope",
  title: "Everything in scope could be read",
  severity: "fail",
  required: true,
  docs: {
    snippets: GRANT_ECS_READS,
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
  check(facts) {
    const ecs = facts.ecs;
    if (!ecs) return [];
    if (!ecs.clusters.ok)
      return [unknownFinding(allClusters(facts), "which clusters are in scope", ecs.clusters.error)];
    if (ecs.clusters.value.length === 0) {
      // Nothing to stop is not unsafe, but a gate that checked nothing should say so (a wrong --region, say).
      return [
        {
          status: "warn",
          resource: allClusters(facts),
          message: `No ECS cluster in scope in ${facts.region}: nothing was checked for tasks. If you expected clusters, check --region and the credentials' account.`,
          remediation: `aws ecs list-clusters --region ${facts.region}`,
        },
      ];
    }
    const servicesFound = new Set(
      ecs.clusters.value.flatMap((c) => (c.services.ok ? c.services.value.map((s) => s.name) : [])),
    );
    const findings: RuleFinding[] = [];
    for (const cluster of ecs.clusters.value) {
      const gaps: RuleFinding[] = [];
      if (!cluster.services.ok) {
        gaps.push(
          unknownFinding(
            cluster.arn,
            `the services of cluster ${cluster.name} (and the roles they use)`,
            cluster.services.error,
          ),
        );
      }
      if (!cluster.tasks.ok) {
        gaps.push(
          unknownFinding(
            cluster.arn,
            `the tasks of cluster ${cluster.name} (and the roles their volumes use)`,
            cluster.tasks.error,
          ),
        );
      }
      gaps.push(...useGaps(cluster));
      for (const m of cluster.missing ?? []) {
        if (m.kind === "service" && servicesFound.has(shortName(m.arn))) continue;
        gaps.push(missingFinding(m, cluster));
      }
      for (const task of cluster.tasks.ok ? cluster.tasks.value : []) {
        if (finished(task.lastStatus)) continue;
        for (const a of task.ebsAttachments.filter((x) => !x.roleArn)) {
          gaps.push({
            status: "unknown",
            resource: task.arn,
            message: `Task ${shortName(task.arn)} (${task.lastStatus}, cluster ${cluster.name}) has an EBS attachment${a.volumeId ? ` for ${a.volumeId}` : ""} that names no infrastructure role: the role that must detach and delete its volume could not be checked.`,
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
      if (gaps.length) findings.push(...gaps);
      else {
        const services = cluster.services.ok ? cluster.services.value.length : 0;
        const tasks = cluster.tasks.ok ? cluster.tasks.value.length : 0;
        const providers = cluster.capacityProviders?.ok ? cluster.capacityProviders.value.length : 0;
        const express = cluster.expressServices?.ok ? cluster.expressServices.value.length : 0;
        const more = `${providers ? `, ${providers} capacity provider${providers === 1 ? "" : "s"}` : ""}${express ? `, ${express} Express service${express === 1 ? "" : "s"}` : ""}`;
        findings.push({
          status: "pass",
          resource: cluster.arn,
          message: `Cluster ${cluster.name}: read ${services} service${services === 1 ? "" : "s"}${more} and ${tasks} task${tasks === 1 ? "" : "s"}; every live EBS attachment names its role.`,
          details: { services, tasks, capacityProviders: providers, expressServices: express },
        });
      }
    }
    // A task named with --task must come back as a task or as a failure: silence is not an answer.
    const seen = new Set(
      ecs.clusters.value.flatMap((c) => [
        ...(c.tasks.ok ? c.tasks.value.map((t) => shortName(t.arn)) : []),
        ...(c.missing ?? []).filter((m) => m.kind === "task").map((m) => shortName(m.arn)),
      ]),
    );
    const unlisted = ecs.clusters.value.some((c) => !c.tasks.ok);
    for (const named of unlisted ? [] : facts.scope.tasks) {
      if (seen.has(shortName(named))) continue;
      findings.push({
        status: "unknown",
        resource: named,
        message: `Task ${shortName(named)} was named with --task, but ECS answered neither the task nor a failure for it: nothing about it was verified.`,
        details: { api: "ecs:DescribeTasks", code: "NotAnswered" },
      });
    }
    return findings;
  },
});
