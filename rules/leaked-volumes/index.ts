import { shellQuote } from "../../src/analysis/fix-commands.ts";
import { parseArn, shortName } from "../../src/arn/arn.ts";
import type { UnknownDetails } from "../../src/engine/finding.ts";
import { defineRule, type RuleOptionsSchema, type RuleResult } from "../../src/engine/rule.ts";
import { unknownFinding } from "../../src/engine/unknown.ts";
import type { FactError, Facts, VolumeFacts } from "../../src/facts/types.ts";
import { type Leak, list, messages, plural, type Tally } from "./messages.ts";
import { parseVolumePrices } from "./prices.ts";
import { DELETE_LEAKED_VOLUME } from "./snippets.ts";
import { type LeakCause, leakCause } from "./volume-cause.ts";
import { leakedVolumeTotal, monthlyCost, type VolumePriceTable } from "./volume-cost.ts";
import { isEcsManaged, type Placement, placeVolume, volumeFate } from "./volume-fate.ts";

type InScope = Extract<Placement, { inScope: true }>;

/**
 * The account and partition the volumes are in: from STS, else from an ARN ECS or EC2 gave (a cluster, or a
 * volume's task), so the resource stays the same when only GetCallerIdentity failed.
 */
const accounts = new WeakMap<Facts, { partition: string; account: string }>();

function account(facts: Facts): { partition: string; account: string } {
  // Once per facts: every volume's ARN needs it, and finding it reads every volume.
  const cached = accounts.get(facts);
  if (cached) return cached;
  const clusters = facts.ecs?.clusters.ok ? facts.ecs.clusters.value.map((c) => c.arn) : [];
  const tasks = facts.ec2?.volumes.ok
    ? facts.ec2.volumes.value.map((v) => v.tags.AmazonECSCreated ?? "")
    : [];
  const arns = [facts.caller.ok ? facts.caller.value.arn : "", ...clusters, ...tasks];
  const known = arns.map((arn) => parseArn(arn)).find((arn) => arn?.account);
  const found = { partition: known?.partition || "aws", account: known?.account ?? "*" };
  accounts.set(facts, found);
  return found;
}

function volumeArn(facts: Facts, volumeId: string): string {
  const { partition, account: id } = account(facts);
  return `arn:${partition}:ec2:${facts.region}:${id}:volume/${volumeId}`;
}

function clustersArn(facts: Facts): string {
  const { partition, account: id } = account(facts);
  return `arn:${partition}:ecs:${facts.region}:${id}:cluster/*`;
}

function remediationFor(facts: Facts, volume: VolumeFacts, cause: LeakCause): string {
  const id = shellQuote(volume.volumeId);
  const region = shellQuote(facts.region);
  const task = volume.tags.AmazonECSCreated ? ` of task ${shortName(volume.tags.AmazonECSCreated)}` : "";
  const steps = [
    ...(cause.fix
      ? [["fix the cause first, or the next task that stops leaves its volume behind too:", cause.fix]]
      : []),
    [
      `make sure nothing needs the data on ${volume.volumeId}; to keep it, snapshot the volume first:`,
      `aws ec2 create-snapshot --region ${region} --volume-id ${id} --description ${shellQuote(`copy of ECS volume ${volume.volumeId}${task} before deletion`)}`,
    ],
    [
      "delete it (it is attached to nothing, so EC2 allows it):",
      `aws ec2 delete-volume --region ${region} --volume-id ${id}`,
    ],
  ];
  return steps.map(([say, commands], i) => `# ${i + 1}. ${say}\n${commands}`).join("\n");
}

/** A leaked volume's details (docs: "Finding details"); `null` where unknown. */
export interface LeakDetails {
  volumeId: string;
  sizeGiB: number | null;
  volumeType: string | null;
  iops: number | null;
  throughputMiBps: number | null;
  /** The estimated monthly cost in USD; null, never 0, when it cannot be told. */
  monthlyCostUsd: number | null;
  cost:
    | { storageUsd: number; iopsUsd: number; throughputUsd: number; prices: "config" | "default us-east-1" }
    | { unknown: string };
  availabilityZone: string | null;
  createTime: string | null;
  taskArn: string | null;
  cluster: string | null;
  reason: Leak["reason"];
  taskStatus: string | null;
  deleteOnTermination: string | null;
  roleArn: string | null;
  roleFrom: string | null;
  likelyCause: { confirmedBy: readonly string[]; summary: string };
  trailFailure: { eventName: string; errorCode: string | undefined; eventTime: string } | null;
}

type Result = RuleResult<LeakDetails | Tally | UnknownDetails, typeof messages>;

function leakFinding(
  facts: Facts,
  volume: VolumeFacts,
  placement: InScope,
  leak: Leak,
  prices: VolumePriceTable | undefined,
): Result {
  const { owner, cluster } = placement;
  const cause = leakCause(facts, volume, leak.task, cluster, leak.attachment);
  const cost = monthlyCost(volume, prices);
  return {
    status: "warn",
    resource: volumeArn(facts, volume.volumeId),
    messageId: "leaked",
    data: { volume, placement, leak, cost, cause: cause.summary },
    details: {
      volumeId: volume.volumeId,
      sizeGiB: volume.size ?? null,
      volumeType: volume.volumeType ?? null,
      iops: volume.iops ?? null,
      throughputMiBps: volume.throughput ?? null,
      // null, never 0, when the cost cannot be told.
      monthlyCostUsd: cost.known ? cost.monthlyUsd : null,
      cost: cost.known
        ? {
            storageUsd: cost.storageUsd,
            iopsUsd: cost.iopsUsd,
            throughputUsd: cost.throughputUsd,
            prices: prices ? "config" : "default us-east-1",
          }
        : { unknown: cost.reason },
      availabilityZone: volume.availabilityZone ?? null,
      createTime: volume.createTime ?? null,
      taskArn: owner.taskArn ?? null,
      cluster: cluster?.arn ?? owner.cluster ?? null,
      reason: leak.reason,
      taskStatus: leak.task?.lastStatus ?? null,
      deleteOnTermination: leak.attachment?.deleteOnTermination ?? null,
      roleArn: cause.role?.roleArn ?? null,
      roleFrom: cause.role?.from ?? null,
      likelyCause: { confirmedBy: cause.confirmedBy, summary: cause.summary },
      trailFailure: cause.trailFailure
        ? {
            eventName: cause.trailFailure.eventName,
            errorCode: cause.trailFailure.errorCode,
            eventTime: cause.trailFailure.eventTime,
          }
        : null,
    },
    remediation: remediationFor(facts, volume, cause),
  };
}

function passFinding(facts: Facts, tally: Tally): Result {
  return {
    status: "pass",
    resource: volumeArn(facts, "*"),
    messageId: "noneLeaked",
    data: { region: facts.region, tally },
    details: { ...tally },
  };
}

/** Available volumes whose tasks' state could not be read, one finding per cluster (or for every cluster). */
function undecidedFindings(facts: Facts, undecided: Map<string, { error: FactError; volumes: string[] }>) {
  return [...undecided].map(([on, { error, volumes }]) => {
    const where = on === "*" ? `in ${facts.region}` : `of cluster ${shortName(on)}`;
    const resource = on === "*" ? clustersArn(facts) : on;
    const what = `whether ${plural(volumes.length, "unattached ECS-managed volume")} ${where} (${list(volumes)}) ${volumes.length === 1 ? "was" : "were"} left behind`;
    return unknownFinding(resource, what, error);
  });
}

/** The rule's own options: the config's `prices`, laid over the default us-east-1 table. */
export interface LeakedVolumesOptions {
  prices?: VolumePriceTable;
}

const options: RuleOptionsSchema<LeakedVolumesOptions> = {
  configKeys: ["prices"],
  parse: (values, fail) =>
    values.prices === undefined ? {} : { prices: parseVolumePrices(values.prices, fail) },
  defaults: {},
};

const isProblem = (status: string) => status === "fail" || status === "warn";

export default defineRule({
  meta: {
    id: "leaked-volumes",
    title: "No ECS-managed EBS volume was left behind",
    severity: "warn",
    concern: "stopping-tasks",
    needs: ["ecs", "volumes"],
    offWhenStopping: true,
    options,
    docs: {
      summary:
        "No ECS-managed EBS volume (tag AmazonECSManaged=true) of a task in scope is left attached to nothing after its task stopped, vanished, or moved on to another volume.",
      rationale: [
        "When ECS cannot delete a task's volume (the infrastructure role was deleted, lost its trust in " +
          "ecs.amazonaws.com, or lost ec2:DeleteVolume), the volume stays in the account, attached to nothing, and is " +
          "billed until someone deletes it. This rule shows that damage. When ECS is in scope it reads the volumes ECS " +
          "created (EC2 DescribeVolumes filtered on the tag AmazonECSManaged=true, every page) and warns for each one in " +
          "state available whose task (the AmazonECSCreated tag) is STOPPED, no longer known to ECS, or live with no " +
          "attachment to it. The likely cause comes from judging the task's role again, as tasks-deprovisioning does, " +
          "and from a failed call on the volume in CloudTrail.",
        "Not leaked: volumes in use; volumes of tasks still DEPROVISIONING (ECS keeps retrying, and " +
          "tasks-deprovisioning reports a stuck task; the pass finding lists them); volumes a standalone task keeps with " +
          "deleteOnTermination=false; volumes of tasks starting or stopping, and volumes (or task stops) younger than " +
          "--stuck-after. With --cluster only the volumes of those clusters' tasks count (by the cluster in the " +
          "AmazonECSCreated task ARN); with --service or --task only the volumes of those tasks. One pass per Region " +
          "when nothing leaked; unknown when DescribeVolumes failed, or when the state of a volume's task could not be " +
          "read.",
        "Each warning carries the volume's estimated monthly cost: provisioned storage per GiB-month by volume type, " +
          "plus gp3 IOPS above 3,000 and throughput above 125 MiB/s, and io1/io2 provisioned IOPS (io2 in tiers). The " +
          "default prices are us-east-1's, in USD; other Regions differ, so set `prices` in the config " +
          "(docs/config.md). A volume whose type, size, IOPS or throughput is unknown has an unknown cost, never 0. " +
          "Every report format shows the total of the leaked volumes' costs.",
        "### Finding details\n\n" +
          "- warn: `volumeId`, `sizeGiB`, `volumeType`, `iops`, `throughputMiBps`, `monthlyCostUsd` (the estimated " +
          "monthly cost in USD; `null` when the type, size, IOPS or throughput it needs is unknown), `cost` " +
          "(`storageUsd`, `iopsUsd`, `throughputUsd`, `prices`: `default us-east-1` or `config`; or `unknown`: why), " +
          "`availabilityZone`, `createTime`, `taskArn`, `cluster`, `reason` " +
          "(`task-stopped`, `task-not-found`, `not-attached-to-its-task`), `taskStatus`, `deleteOnTermination`, " +
          "`roleArn`, `roleFrom` (`task-attachment`, `cloudtrail`, `service`: where the role was read), `likelyCause` " +
          "(`confirmedBy`: the role checks that confirm it, `summary`), `trailFailure` (`eventName`, `errorCode`, " +
          "`eventTime`); `null` where unknown.\n" +
          "- pass: `examined`, `inUse`, `deprovisioning` (`volumeId`, `taskArn`), `retained`, `notYetJudged` (volume " +
          "ids), `otherStates` (count by EC2 state), `outOfScope` (count).\n" +
          "- unknown: `api`, `code`, `error`, and `missingPermission` when the tool was denied.",
      ].join("\n\n"),
      remediation:
        "Fix the cause first (recreate the role, restore its trust policy or its volume permissions), or the next task " +
        "leaves its volume too. Then make sure nothing needs the data, snapshot the volume if in doubt, and delete it:\n\n" +
        "aws ec2 create-snapshot --volume-id vol-0123456789abcdef0 --description 'copy before deletion'\n" +
        "aws ec2 delete-volume --volume-id vol-0123456789abcdef0",
    },
    snippets: DELETE_LEAKED_VOLUME,
    messages,
  },
  check(facts, context) {
    // Not collected: ECS not in scope, or the rule was off when the facts were gathered.
    if (!facts.ec2) return [];
    const volumes = facts.ec2.volumes;
    if (!volumes.ok)
      return [
        unknownFinding(
          volumeArn(facts, "*"),
          `the ECS-managed EBS volumes in ${facts.region}`,
          volumes.error,
        ),
      ];
    const tally: Tally = {
      examined: 0,
      inUse: 0,
      deprovisioning: [],
      retained: [],
      notYetJudged: [],
      otherStates: {},
      outOfScope: 0,
    };
    const findings: Result[] = [];
    const undecided = new Map<string, { error: FactError; volumes: string[] }>();
    for (const volume of volumes.value.filter(isEcsManaged)) {
      const placement = placeVolume(facts, volume);
      if (!placement.inScope) {
        tally.outOfScope += 1;
        continue;
      }
      tally.examined += 1;
      const fate = volumeFate(volume, placement, context.now, context.stuckAfterMs);
      switch (fate.kind) {
        case "in-use":
          tally.inUse += 1;
          break;
        case "other-state":
          tally.otherStates[fate.state] = (tally.otherStates[fate.state] ?? 0) + 1;
          break;
        case "deprovisioning":
          tally.deprovisioning.push({ volumeId: volume.volumeId, taskArn: fate.task.arn });
          break;
        case "retained":
          tally.retained.push(volume.volumeId);
          break;
        case "in-transition":
          tally.notYetJudged.push(volume.volumeId);
          break;
        case "undecided": {
          const group = undecided.get(fate.on) ?? { error: fate.error, volumes: [] };
          group.volumes.push(volume.volumeId);
          undecided.set(fate.on, group);
          break;
        }
        case "leaked":
          findings.push(leakFinding(facts, volume, placement, fate, context.options.prices));
      }
    }
    findings.push(...undecidedFindings(facts, undecided));
    if (!findings.length) findings.push(passFinding(facts, tally));
    return findings;
  },
  summarize(findings) {
    const leaks = findings.flatMap((f) =>
      isProblem(f.status) && f.details && "volumeId" in f.details && typeof f.details.volumeId === "string"
        ? [f.details]
        : [],
    );
    // Every leak carries monthlyCostUsd (null when unknown); a suppressed leak still costs money.
    const costs = findings.flatMap((f) =>
      f.details && "monthlyCostUsd" in f.details ? [f.details.monthlyCostUsd ?? null] : [],
    );
    return {
      metrics: {
        LeakedVolumes: leaks.length,
        LeakedVolumeGiB: leaks.reduce((n, d) => n + (Number(d.sizeGiB) || 0), 0),
      },
      ...(costs.length ? { leakedVolumes: leakedVolumeTotal(costs) } : {}),
    };
  },
});
