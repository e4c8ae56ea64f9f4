import { shortName } from "../../src/arn/arn.ts";
import { formatDuration } from "../../src/duration.ts";
import type { EbsAttachment } from "../../src/facts/types.ts";

/** The task as a message names it: its id, what started it (a service, or standalone) and its cluster. */
export interface TaskLabel {
  task: string;
  cluster: string;
  service?: string;
  group?: string;
}

function startedBy({ service, group }: TaskLabel): string {
  if (service) return `service ${service}`;
  return group ? `standalone, ${group}` : "standalone";
}

const who = (t: TaskLabel) => `Task ${shortName(t.task)} (${startedBy(t)}, cluster ${t.cluster})`;

function describeAttachment(a: EbsAttachment): string {
  const reason = a.statusReason ? `status reason "${a.statusReason}"` : "no status reason";
  return `EBS volume ${a.volumeId ?? `"${a.volumeName ?? a.id}" (no volume id yet)`} attachment ${a.status || "(no status)"}, ${reason}`;
}

const volumes = (attachments: readonly EbsAttachment[]) => attachments.map(describeAttachment).join("; ");

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

interface Stuck {
  label: TaskLabel;
  attachments: readonly EbsAttachment[];
  /** The likely cause's sentences. */
  cause: string;
}

/** tasks-deprovisioning's wording, by message id. */
export const messages = {
  /** DEPROVISIONING also covers network-interface clean-up: without a volume it is not this tool's failure mode. */
  noVolume: (d: { label: TaskLabel; stuckForMs: number }) =>
    `${who(d.label)} has been DEPROVISIONING for ${formatDuration(d.stuckForMs)} but has no EBS volume: no volume is at risk; ECS may be slow to release its network interface.`,
  untimed: (d: Stuck) =>
    `${who(d.label)} is DEPROVISIONING with ${volumes(d.attachments)}, but DescribeTasks gave neither stoppingAt nor executionStoppedAt, so how long it has been stuck cannot be told. ${d.cause}`,
  stuck: (d: Stuck & { stuckForMs: number; since: { at: string; from: string }; stuckAfterMs: number }) =>
    `${who(d.label)} has been DEPROVISIONING for ${formatDuration(d.stuckForMs)} (since ${d.since.at}, its ${d.since.from}), longer than ${formatDuration(d.stuckAfterMs)}: ${volumes(d.attachments)}. ${d.cause}`,
  clear: (d: { cluster: string; tasks: number; under: number; stuckAfterMs: number }) =>
    `No task with an EBS volume is stuck in DEPROVISIONING in cluster ${d.cluster} (${plural(d.tasks, "task")} examined${d.under ? `; ${d.under} DEPROVISIONING for ${formatDuration(d.stuckAfterMs)} or less` : ""}).`,
};
