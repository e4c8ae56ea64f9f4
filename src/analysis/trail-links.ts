import { parseArn, roleNameOf, shortName } from "../arn/arn.ts";
import type { Facts, RoleFacts, TaskFacts, TrailEvent } from "../facts/types.ts";
import { compareText } from "../order.ts";
import { EBS_SESSION_NAME, type InfrastructureUse, TLS_SESSION_NAME, usesOf } from "./infrastructure-uses.ts";
import { existingRole } from "./role-policies.ts";

/**
 * Links CloudTrail events to what is in scope: which role's session made a call, and which stuck task a failed
 * call explains (through the volume id), so a reader sees "this task is stuck because DeleteVolume is denied".
 */

/** The session names ECS uses when it assumes an infrastructure role (CloudTrail shows them as User name). */
export { EBS_SESSION_NAME, TLS_SESSION_NAME };

/**
 * The sessions to look at for a role: EBS always (any role in scope may manage volumes), and those AWS documents for
 * each other use the role was seen in (Express Mode has none: see undocumentedSessionUses).
 */
export function sessionNamesFor(role: Pick<RoleFacts, "referencedBy">): string[] {
  return [...new Set([EBS_SESSION_NAME, ...usesOf(role).flatMap((u) => u.sessionNames)])];
}

/** The role's uses whose CloudTrail sessions cannot be looked up: AWS documents no session name for them. */
export function undocumentedSessionUses(role: Pick<RoleFacts, "referencedBy">): InfrastructureUse[] {
  return usesOf(role).filter((u) => u.sessionNames.length === 0);
}

/** The role's account when it is known (from IAM, or the ARN it was referenced by). */
function accountOf(role: RoleFacts): string | undefined {
  const arn = existingRole(role)?.arn ?? (role.ref.startsWith("arn:") ? role.ref : undefined);
  return arn ? parseArn(arn)?.account : undefined;
}

/**
 * Whether CloudTrail's `sessionIssuer.arn` is this role: the same name (IAM role names ignore case, and the path
 * does not identify a role) in the same account when the role's account is known.
 */
export function issuedBy(issuerArn: string | undefined, role: RoleFacts): boolean {
  if (!issuerArn) return false;
  const issuer = parseArn(issuerArn);
  if (!issuer || roleNameOf(issuerArn).toLowerCase() !== role.name.toLowerCase()) return false;
  const account = accountOf(role);
  return account === undefined || issuer.account === account;
}

const timeOf = (event: TrailEvent) => Date.parse(event.eventTime);

/** What one session tells about one role inside the window. */
export interface RoleSession {
  /** The role's own calls, newest first. */
  events: TrailEvent[];
  /** Records of the session that could not be read: any of them may be a failed call of this role. */
  unreadable: number;
}

/** The role's events in one session's list, from `startTime` on. */
export function roleSession(events: readonly TrailEvent[], role: RoleFacts, startTime: string): RoleSession {
  const from = Date.parse(startTime);
  const inWindow = events.filter((e) => !(timeOf(e) < from));
  return {
    events: inWindow
      .filter((e) => !e.malformed && issuedBy(e.roleArn, role))
      .sort((a, b) => timeOf(b) - timeOf(a)),
    unreadable: inWindow.filter((e) => e.malformed).length,
  };
}

const DENIED = /AccessDenied|UnauthorizedOperation|NotAuthorized|Forbidden/i;

/** Whether an error code says the caller lacked permission (rather than, say, a volume in the wrong state). */
export function isDenial(errorCode: string): boolean {
  return DENIED.test(errorCode);
}

/** A failed call on a volume that belongs to a task stuck in DEPROVISIONING. */
export interface StuckTaskLink {
  taskArn: string;
  clusterArn: string;
  volumeId: string;
  /** The failed action, e.g. "DeleteVolume". */
  action: string;
  errorCode: string;
  /** When that action last failed on the volume. */
  lastFailure: string;
}

/** Tasks DEPROVISIONING with an EBS attachment, by volume id (empty when ECS was not looked at). */
export function deprovisioningTasksByVolume(facts: Facts): Map<string, TaskFacts[]> {
  const byVolume = new Map<string, TaskFacts[]>();
  if (!facts.ecs?.clusters.ok) return byVolume;
  for (const cluster of facts.ecs.clusters.value) {
    if (!cluster.tasks.ok) continue;
    for (const task of cluster.tasks.value) {
      if (task.lastStatus !== "DEPROVISIONING") continue;
      for (const attachment of task.ebsAttachments) {
        if (!attachment.volumeId) continue;
        byVolume.set(attachment.volumeId, [...(byVolume.get(attachment.volumeId) ?? []), task]);
      }
    }
  }
  return byVolume;
}

/** For each stuck task, the latest failed call on its volume: the likely reason it cannot finish stopping. */
export function linkFailuresToStuckTasks(facts: Facts, failures: readonly TrailEvent[]): StuckTaskLink[] {
  const tasks = deprovisioningTasksByVolume(facts);
  const latest = new Map<string, TrailEvent>();
  for (const failure of failures) {
    if (!failure.volumeId || !failure.errorCode || !tasks.has(failure.volumeId)) continue;
    const seen = latest.get(failure.volumeId);
    if (!seen || timeOf(failure) > timeOf(seen)) latest.set(failure.volumeId, failure);
  }
  const links: StuckTaskLink[] = [];
  for (const [volumeId, failure] of [...latest].sort(([a], [b]) => compareText(a, b))) {
    for (const task of tasks.get(volumeId) ?? []) {
      links.push({
        taskArn: task.arn,
        clusterArn: task.clusterArn,
        volumeId,
        action: failure.eventName,
        errorCode: failure.errorCode ?? "",
        lastFailure: failure.eventTime,
      });
    }
  }
  return links;
}

/** "task 0123abcd is stuck because DeleteVolume on vol-0ab… is denied (Client.UnauthorizedOperation)". */
export function describeLink(link: StuckTaskLink): string {
  return `task ${shortName(link.taskArn)} ${stuckBecause(link)}`;
}

/** "is stuck because DeleteVolume on vol-1 is denied (AccessDenied)": the link, after the task that names it. */
export function stuckBecause(link: StuckTaskLink): string {
  const outcome = isDenial(link.errorCode) ? "is denied" : "fails";
  return `is stuck because ${link.action} on ${link.volumeId} ${outcome} (${link.errorCode})`;
}
