import { stoppingSince } from "../../src/analysis/task-timing.ts";
import { shortName } from "../../src/arn/arn.ts";
import type { TaskFacts, VolumeFacts } from "../../src/facts/types.ts";
import { usd } from "../../src/money.ts";
import type { VolumeCost } from "./volume-cost.ts";
import type { Placement, VolumeFate } from "./volume-fate.ts";

type InScope = Extract<Placement, { inScope: true }>;
export type Leak = Extract<VolumeFate, { kind: "leaked" }>;

export const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
export const list = (items: readonly string[], max = 3) =>
  items.slice(0, max).join(", ") + (items.length > max ? `, … (${items.length} in all)` : "");

/** Why a volume counts as leaked, by what became of its task, when ECS still knows the task. */
const WITH_TASK: Partial<Record<Leak["reason"], (task: TaskFacts) => string>> = {
  "task-stopped": (task) => {
    const since = stoppingSince(task);
    const reason = task.stoppedReason ? `, stopped reason "${task.stoppedReason}"` : "";
    return `Its task is ${task.lastStatus}${since ? ` (began stopping ${since.at})` : ""}${reason}.`;
  },
  "not-attached-to-its-task": (task) => {
    const others = task.ebsAttachments.flatMap((a) => (a.volumeId ? [a.volumeId] : []));
    const has = others.length ? `its EBS attachment names ${list(others)}` : "it has no EBS attachment";
    return `Its task is ${task.lastStatus} but ${has}: this volume is a spare ECS did not clean up.`;
  },
};

function whyLeaked(leak: Leak, placement: InScope): string {
  const said = leak.task && WITH_TASK[leak.reason]?.(leak.task);
  if (said) return said;
  const gone =
    placement.owner.cluster && !placement.cluster
      ? ` Its cluster ${placement.owner.cluster} is not among the Region's clusters either.`
      : "";
  return `ECS no longer knows its task (ECS forgets stopped tasks about an hour after they stop), so whether it was a standalone task run with deleteOnTermination=false, which keeps the volume on purpose, cannot be told.${gone}`;
}

function costSentence(cost: VolumeCost): string {
  return cost.known
    ? `still costs an estimated ${usd(cost.monthlyUsd)} a month`
    : `still costs money (how much is unknown: ${cost.reason})`;
}

function created({ owner }: InScope): string {
  return owner.taskArn
    ? `created for task ${shortName(owner.taskArn)} in cluster ${owner.cluster ?? "(not named by the task ARN)"}`
    : "no AmazonECSCreated tag names its task";
}

/** What the volumes that were not leaked are, for the pass finding. */
export interface Tally {
  examined: number;
  inUse: number;
  deprovisioning: { volumeId: string; taskArn: string }[];
  retained: string[];
  notYetJudged: string[];
  otherStates: Record<string, number>;
  outOfScope: number;
}

function tallyParts(t: Tally): string[] {
  return [
    t.inUse ? `${t.inUse} in use` : "",
    t.deprovisioning.length
      ? `${plural(t.deprovisioning.length, "volume")} of tasks still DEPROVISIONING, which ECS keeps retrying to delete (tasks-deprovisioning reports the tasks): ${list(t.deprovisioning.map((d) => d.volumeId))}`
      : "",
    t.retained.length ? `${t.retained.length} kept on purpose (deleteOnTermination=false)` : "",
    t.notYetJudged.length
      ? `${t.notYetJudged.length} too new, or of tasks starting or stopping, to judge yet`
      : "",
    ...Object.entries(t.otherStates).map(([state, n]) => `${n} ${state || "(no state)"}`),
  ].filter(Boolean);
}

/** leaked-volumes' wording, by message id. */
export const messages = {
  leaked: (d: { volume: VolumeFacts; placement: InScope; leak: Leak; cost: VolumeCost; cause: string }) => {
    const size = [d.volume.size !== undefined ? `${d.volume.size} GiB` : "", d.volume.volumeType ?? ""]
      .filter(Boolean)
      .join(" ");
    return (
      `Volume ${d.volume.volumeId} (${size ? `${size}, ` : ""}${created(d.placement)}) was not deleted: it is attached to nothing and ${costSentence(d.cost)}. ` +
      `${whyLeaked(d.leak, d.placement)} ${d.cause}`
    );
  },
  noneLeaked: (d: { region: string; tally: Tally }) => {
    const parts = tallyParts(d.tally);
    const ignored = d.tally.outOfScope
      ? ` ${plural(d.tally.outOfScope, "volume")} of tasks out of scope ignored.`
      : "";
    return `${plural(d.tally.examined, "ECS-managed volume")} examined in ${d.region}, none leaked${parts.length ? ` (${parts.join("; ")})` : ""}.${ignored}`;
  },
};
