import { allClusters, type MissingDetails, missingFinding } from "../../src/analysis/scope-gaps.ts";
import { type LikelyCause, likelyCause } from "../../src/analysis/stuck-task-causes.ts";
import { type StoppingSince, stoppingSince } from "../../src/analysis/task-timing.ts";
import { shortName } from "../../src/arn/arn.ts";
import type { UnknownDetails } from "../../src/engine/finding.ts";
import { defineRule, type RuleContext, type RuleResult } from "../../src/engine/rule.ts";
import { unknownFinding } from "../../src/engine/unknown.ts";
import type { ClusterFacts, EbsAttachment, Facts, TaskFacts } from "../../src/facts/types.ts";
import { CAUSE_RULES } from "../cause-rules.ts";
import { messages, type TaskLabel } from "./messages.ts";
import { WATCH_STUCK_TASK } from "./snippets.ts";

/** `service:web` → "web"; standalone tasks have `family:NAME` and no service. */
function serviceOf(task: TaskFacts): string | undefined {
  return task.group?.startsWith("service:") ? task.group.slice("service:".length) : undefined;
}

/** A stuck task (with its volume, how long, and the likely cause), one without a volume, or a clear cluster. */
type TaskDetails =
  | {
      taskArn: string;
      cluster: string;
      service?: string;
      volumeId: string | null;
      attachmentStatus: string;
      statusReason: string | null;
      stuckForMs: number | null;
      stuckSince: string | null;
      measuredFrom: string | null;
      roleArn: string | null;
      likelyCause: Pick<LikelyCause, "statusReason" | "confirmedBy" | "unchecked" | "summary">;
      attachments?: EbsAttachment[];
    }
  | { taskArn: string; cluster: string; service?: string; stuckForMs: number; stuckSince: string | undefined }
  | { cluster: string; tasksExamined: number; deprovisioningUnderThreshold: number; stuckAfterMs: number };

type Result = RuleResult<TaskDetails | MissingDetails | UnknownDetails, typeof messages>;

function watchCommand(cluster: string, task: string): string {
  return `# ECS retries while the task is DEPROVISIONING; after the fix, check it moves on to STOPPED:\naws ecs describe-tasks --cluster ${shortName(cluster)} --tasks ${shortName(task)} --query 'tasks[].[lastStatus,attachments[?type==\`AmazonElasticBlockStorage\`].[status,details]]'`;
}

/** A task DEPROVISIONING for how long (undefined: ECS gave neither time), as the rule measures it. */
interface Deprovisioning {
  task: TaskFacts;
  cluster: ClusterFacts;
  label: TaskLabel;
  service: string | undefined;
  since: StoppingSince | undefined;
  stuckForMs: number | undefined;
  watch: string;
}

/** DEPROVISIONING also covers network-interface clean-up: without a volume it is not this tool's failure mode. */
function withoutVolume(d: Deprovisioning, stuckForMs: number): Result {
  return {
    status: "warn",
    resource: d.task.arn,
    messageId: "noVolume",
    data: { label: d.label, stuckForMs },
    details: {
      taskArn: d.task.arn,
      cluster: d.cluster.arn,
      ...(d.service ? { service: d.service } : {}),
      stuckForMs,
      stuckSince: d.since?.at,
    },
    remediation: d.watch,
  };
}

/** A task stuck with its volume (or for how long unknown): the likely cause, confirmed by judging the role again. */
function withVolume(facts: Facts, d: Deprovisioning, primary: EbsAttachment, context: RuleContext): Result {
  const { task, since, stuckForMs } = d;
  const cause = likelyCause(facts, primary, CAUSE_RULES);
  const remediation = [cause.fix, d.watch].filter(Boolean).join("\n");
  const stuck = { label: d.label, attachments: task.ebsAttachments, cause: cause.summary };
  const details = {
    taskArn: task.arn,
    cluster: d.cluster.arn,
    ...(d.service ? { service: d.service } : {}),
    volumeId: primary.volumeId ?? null,
    attachmentStatus: primary.status,
    statusReason: primary.statusReason ?? null,
    stuckForMs: stuckForMs ?? null,
    stuckSince: since?.at ?? null,
    measuredFrom: since?.from ?? null,
    roleArn: primary.roleArn ?? null,
    likelyCause: {
      statusReason: cause.statusReason,
      confirmedBy: cause.confirmedBy,
      unchecked: cause.unchecked,
      summary: cause.summary,
    },
    ...(task.ebsAttachments.length > 1 ? { attachments: task.ebsAttachments } : {}),
  };
  if (stuckForMs === undefined || !since)
    return { status: "unknown", resource: task.arn, messageId: "untimed", data: stuck, details, remediation };
  return {
    status: "fail",
    resource: task.arn,
    messageId: "stuck",
    data: { ...stuck, stuckForMs, since, stuckAfterMs: context.stuckAfterMs },
    details,
    remediation,
  };
}

/** The finding for one DEPROVISIONING task, or undefined when it has not been there longer than stuckAfter. */
function deprovisioningFinding(
  facts: Facts,
  cluster: ClusterFacts,
  task: TaskFacts,
  context: RuleContext,
): Result | undefined {
  const service = serviceOf(task);
  const label: TaskLabel = {
    task: task.arn,
    cluster: cluster.name,
    ...(service ? { service } : {}),
    ...(task.group ? { group: task.group } : {}),
  };
  const since = stoppingSince(task);
  const stuckForMs = since ? context.now.getTime() - since.ms : undefined;
  const d = { task, cluster, label, service, since, stuckForMs, watch: watchCommand(cluster.arn, task.arn) };
  const notYet = stuckForMs !== undefined && stuckForMs <= context.stuckAfterMs;
  const [primary] = task.ebsAttachments;
  if (!primary) return stuckForMs === undefined || notYet ? undefined : withoutVolume(d, stuckForMs);
  return notYet ? undefined : withVolume(facts, d, primary, context);
}

function clusterFindings(
  facts: Facts,
  cluster: ClusterFacts,
  context: RuleContext,
  servicesFound: Set<string>,
): Result[] {
  const tasks = cluster.tasks.ok ? cluster.tasks.value : [];
  const findings: Result[] = tasks
    .filter((t) => t.lastStatus === "DEPROVISIONING")
    .flatMap((t) => deprovisioningFinding(facts, cluster, t, context) ?? []);
  for (const m of cluster.missing ?? []) {
    // A service name given with several clusters need only exist in one of them.
    if (m.kind === "service" && servicesFound.has(shortName(m.arn))) continue;
    findings.push(missingFinding(m, cluster));
  }
  if (!cluster.tasks.ok) {
    findings.push(unknownFinding(cluster.arn, `the tasks of cluster ${cluster.name}`, cluster.tasks.error));
  } else if (!cluster.services.ok) {
    findings.push(
      unknownFinding(
        cluster.arn,
        `the services of cluster ${cluster.name} (and the infrastructure roles they use)`,
        cluster.services.error,
      ),
    );
  } else if (!findings.some((f) => f.status === "fail" || f.status === "unknown")) {
    const under = tasks.filter((t) => {
      const since = t.lastStatus === "DEPROVISIONING" ? stoppingSince(t) : undefined;
      return since !== undefined && context.now.getTime() - since.ms <= context.stuckAfterMs;
    }).length;
    findings.push({
      status: "pass",
      resource: cluster.arn,
      messageId: "clear",
      data: { cluster: cluster.name, tasks: tasks.length, under, stuckAfterMs: context.stuckAfterMs },
      details: {
        cluster: cluster.arn,
        tasksExamined: tasks.length,
        deprovisioningUnderThreshold: under,
        stuckAfterMs: context.stuckAfterMs,
      },
    });
  }
  return findings;
}

export default defineRule({
  meta: {
    id: "tasks-deprovisioning",
    title: "No task with an EBS volume is stuck in DEPROVISIONING",
    severity: "fail",
    concern: "stopping-tasks",
    needs: ["ecs"],
    docs: {
      summary:
        "No task in scope has been DEPROVISIONING with an ECS-managed EBS volume for longer than --stuck-after (default 15m), measured from stoppingAt, else executionStoppedAt.",
      rationale:
        "A task that stops goes through DEPROVISIONING while ECS detaches and deletes its EBS volume with the infrastructure " +
        "role. When the role is gone, no longer trusts ecs.amazonaws.com, or lacks the EC2 permissions, the task stays there " +
        "and the volume is never deleted: the damage is already done, and stopping more tasks that use the same role adds to " +
        "it. Each finding names the task, its service, the volume, the attachment status and status reason, how long it has " +
        "been stuck, and the likely cause: the status reasons AWS documents are matched, and the role is judged again with " +
        "the role rules' analysis (role-exists, trust-policy, volume-permissions) to say which cause is confirmed. A task " +
        "DEPROVISIONING without an EBS volume is at most a warning. A cluster whose tasks could not be listed is unknown, and " +
        "a task named with --task that ECS does not know is unknown.",
      remediation:
        "Fix the cause the finding names (recreate the role, restore the trust policy, or restore the volume permissions); ECS " +
        "retries and the task then reaches STOPPED and its volume is deleted. Watch it with:\n\n" +
        "aws ecs describe-tasks --cluster CLUSTER --tasks TASK --query 'tasks[].[lastStatus,attachments]'",
    },
    snippets: WATCH_STUCK_TASK,
    messages,
  },
  check(facts, context) {
    const ecs = facts.ecs;
    if (!ecs) return [];
    if (!ecs.clusters.ok)
      return [unknownFinding(allClusters(facts), "the clusters in the region", ecs.clusters.error)];
    const servicesFound = new Set(
      ecs.clusters.value.flatMap((c) => (c.services.ok ? c.services.value.map((s) => s.name) : [])),
    );
    return ecs.clusters.value.flatMap((cluster) => clusterFindings(facts, cluster, context, servicesFound));
  },
  summarize(findings) {
    // A task stuck longer than --stuck-after is a fail (a config capping the rule at warn leaves it uncounted).
    return { metrics: { StuckTasks: findings.filter((f) => f.status === "fail").length } };
  },
});
