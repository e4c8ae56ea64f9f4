import { findRole } from "../../src/analysis/role-diagnosis.ts";
import { likelyCause } from "../../src/analysis/stuck-task-causes.ts";
import { isDenial } from "../../src/analysis/trail-links.ts";
import { roleNameOf } from "../../src/arn/arn.ts";
import type {
  ClusterFacts,
  EbsAttachment,
  Facts,
  TaskFacts,
  TrailEvent,
  VolumeFacts,
} from "../../src/facts/types.ts";
import { CAUSE_RULES } from "../cause-rules.ts";

/**
 * Why ECS left a volume behind: the infrastructure role that should have deleted it, judged again with the
 * analysis the stuck-task diagnosis uses, and the last failed call on the volume that CloudTrail shows.
 */

/** The role that managed a volume, and where that was read. */
export interface VolumeRole {
  roleArn: string;
  /** The task's EBS attachment; the role's own CloudTrail calls on the volume; or the role its service uses now. */
  from: "task-attachment" | "cloudtrail" | "service";
}

/** Each volume's readable CloudTrail events, newest first, indexed once per facts (volumes × events stays linear). */
const eventsByVolume = new WeakMap<Facts, Map<string, TrailEvent[]>>();

function trailEventsOn(facts: Facts, volumeId: string): readonly TrailEvent[] {
  let index = eventsByVolume.get(facts);
  if (!index) {
    index = new Map();
    for (const session of facts.trail ? Object.values(facts.trail.sessions) : []) {
      for (const e of session.ok ? session.value : []) {
        if (!e.volumeId || e.malformed) continue;
        const list = index.get(e.volumeId);
        if (list) list.push(e);
        else index.set(e.volumeId, [e]);
      }
    }
    for (const list of index.values()) list.sort((a, b) => Date.parse(b.eventTime) - Date.parse(a.eventTime));
    eventsByVolume.set(facts, index);
  }
  return index.get(volumeId) ?? [];
}

/** The latest failed call on the volume by a role in scope (e.g. DeleteVolume refused), if CloudTrail shows one. */
export function lastFailedCallOn(facts: Facts, volumeId: string): TrailEvent | undefined {
  return trailEventsOn(facts, volumeId).find((e) => e.errorCode);
}

export function roleOfVolume(
  facts: Facts,
  volume: VolumeFacts,
  task: TaskFacts | undefined,
  cluster: ClusterFacts | undefined,
): VolumeRole | undefined {
  const attachment =
    task?.ebsAttachments.find((a) => a.volumeId === volume.volumeId && a.roleArn) ??
    task?.ebsAttachments.find((a) => a.roleArn);
  if (attachment?.roleArn) return { roleArn: attachment.roleArn, from: "task-attachment" };
  const called = trailEventsOn(facts, volume.volumeId).find((e) => e.roleArn);
  if (called?.roleArn) return { roleArn: called.roleArn, from: "cloudtrail" };
  // A guess, said as one: the service may have changed roles since the task ran. Only when it has exactly one.
  const service = task?.group?.startsWith("service:") ? task.group.slice("service:".length) : undefined;
  const found =
    service && cluster?.services.ok ? cluster.services.value.find((s) => s.name === service) : undefined;
  const roles = new Set(found?.infrastructureRoles.filter((r) => r.use === "ebs").map((r) => r.roleArn));
  const [only] = roles;
  return roles.size === 1 && only ? { roleArn: only, from: "service" } : undefined;
}

export interface LeakCause {
  role?: VolumeRole;
  /** Rule ids whose checks confirm a broken role. */
  confirmedBy: string[];
  /** Sentences for the message. */
  summary: string;
  /** Commands that fix the cause; empty when nothing points at one. */
  fix: string;
  trailFailure?: TrailEvent;
}

const FROM: Record<VolumeRole["from"], string> = {
  "task-attachment": "Its task's EBS attachment names",
  cloudtrail: "CloudTrail shows it handled by",
  service: "Its service now uses",
};

function trailSentence(failure: TrailEvent | undefined): string {
  if (!failure) return "";
  const outcome = isDenial(failure.errorCode ?? "") ? "was denied" : "failed";
  return ` CloudTrail shows ${failure.eventName} on it ${outcome} (${failure.errorCode}) at ${failure.eventTime}.`;
}

/** The likely cause of a leak, from the role (if one can be tied to the volume) and CloudTrail. */
export function leakCause(
  facts: Facts,
  volume: VolumeFacts,
  task: TaskFacts | undefined,
  cluster: ClusterFacts | undefined,
  attachment: EbsAttachment | undefined,
): LeakCause {
  const role = roleOfVolume(facts, volume, task, cluster);
  const trailFailure = lastFailedCallOn(facts, volume.volumeId);
  const trail = trailSentence(trailFailure);
  const base = { ...(trailFailure ? { trailFailure } : {}) };
  if (!role) {
    return {
      ...base,
      confirmedBy: [],
      summary: `No infrastructure role could be tied to it (its task is not known, and no call on it by a role in scope is in CloudTrail).${trail}`,
      fix: "",
    };
  }
  const name = roleNameOf(role.roleArn);
  const where = `${FROM[role.from]} role ${name}`;
  if (!findRole(facts, role.roleArn)) {
    // Roles used only by stopped tasks are not in scope: deleting them is their normal end. Say how to look.
    return {
      ...base,
      role,
      confirmedBy: [],
      summary: `${where}, which is not in this check's scope (only roles that services and unfinished tasks use are).${trail}`,
      fix: `# check the role that should have deleted it:\necs-preflight check --role ${name}`,
    };
  }
  // The same analysis as a stuck task's: status reason (if the task still has one) and the role judged again.
  const cause = likelyCause(
    facts,
    { ...(attachment ?? { id: "", status: "" }), roleArn: role.roleArn },
    CAUSE_RULES,
  );
  const healthy = !cause.confirmedBy.length && !cause.unchecked.length;
  // AWS documents ECS retrying while the task is DEPROVISIONING, and nothing after it is STOPPED.
  const later = healthy
    ? " If the role was fixed after the task stopped, nothing AWS documents will delete the volume now."
    : "";
  return {
    ...base,
    role,
    confirmedBy: cause.confirmedBy,
    summary: `${where}. ${cause.summary}${later}${trail}`,
    fix: cause.fix,
  };
}
