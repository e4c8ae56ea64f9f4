import { allClusters, missingFinding } from "../../src/analysis/scope-gaps.ts";
import { shortName } from "../../src/arn/arn.ts";
import type { RuleFinding } from "../../src/engine/finding.ts";
import { defineRule } from "../../src/engine/rule.ts";
import { unknownFinding } from "../../src/engine/unknown.ts";
import { GRANT_ECS_READS } from "./snippets.ts";

/** A task still holds (or is giving back) its volume until it is STOPPED. */
const finished = (status: string) => status === "STOPPED" || status === "DELETED";

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
        "Every cluster, service and task in scope could be listed and described, and every live EBS attachment names " +
        "the infrastructure role that will clean it up.",
      rationale:
        "The other rules can only vouch for the roles and tasks they were shown. If ListClusters, ListServices, " +
        "ListTasks or DescribeTasks failed, or a task named with --task was not found, the roles those resources use " +
        "were never checked; and a task whose EBS attachment names no role cannot be matched to one. This rule reports " +
        "each such gap as unknown (exit 3) so that a smaller scope never passes as a whole one. It cannot be turned off " +
        "or capped in the config: it is the gate's own honesty. Passes say how much was read per cluster; a Region with " +
        "no cluster at all is a warning, since a gate that checked nothing (a wrong --region?) should say so.",
      remediation:
        "Grant the tool's credentials the ECS reads it lacks (ecs:ListClusters, ecs:ListServices, ecs:DescribeServices, " +
        "ecs:ListTasks, ecs:DescribeTasks), check the cluster and task names, and for an attachment without a role look " +
        "at the task with:\n\n" +
        "aws ecs describe-tasks --cluster CLUSTER --tasks TASK --query 'tasks[].attachments'",
    },
    snippets: GRANT_ECS_READS,
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
        findings.push({
          status: "pass",
          resource: cluster.arn,
          message: `Cluster ${cluster.name}: read ${services} service${services === 1 ? "" : "s"} and ${tasks} task${tasks === 1 ? "" : "s"}; every live EBS attachment names its role.`,
          details: { services, tasks },
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
