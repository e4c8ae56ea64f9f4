import { attachVolumesPolicyCommand, shellQuote } from "../../src/analysis/fix-commands.ts";
import { rolePolicies } from "../../src/analysis/role-policies.ts";
import { roleResource } from "../../src/analysis/role-subject.ts";
import {
  isDenial,
  linkFailuresToStuckTasks,
  roleSession,
  type StuckTaskLink,
  sessionNamesFor,
  undocumentedSessionUses,
} from "../../src/analysis/trail-links.ts";
import { volumeAccess } from "../../src/analysis/volume-access.ts";
import { parseArn } from "../../src/arn/arn.ts";
import { formatDuration } from "../../src/duration.ts";
import type { UnknownDetails } from "../../src/engine/finding.ts";
import { defineRule, type RuleResult } from "../../src/engine/rule.ts";
import { unknownFinding } from "../../src/engine/unknown.ts";
import type { FactError, Facts, RoleFacts, TrailEvent, TrailFacts } from "../../src/facts/types.ts";
import { compareText } from "../../src/order.ts";
import { type FailureGroup, messages, plural, type Recovered } from "./messages.ts";
import { READ_FAILED_CALLS } from "./snippets.ts";

/** What the role's sessions show in the window, merged over the session names it uses. */
interface RoleTrail {
  sessions: string[];
  /** Newest first. */
  events: TrailEvent[];
  unreadable: number;
  errors: { session: string; error: FactError }[];
}

const permissionOf = (e: TrailEvent) => `${e.eventSource.split(".")[0] || "unknown"}:${e.eventName}`;

function roleTrail(trail: TrailFacts, role: RoleFacts): RoleTrail {
  const out: RoleTrail = { sessions: sessionNamesFor(role), events: [], unreadable: 0, errors: [] };
  for (const session of out.sessions) {
    const fact = trail.sessions[session] ?? {
      ok: false as const,
      error: {
        api: "cloudtrail:LookupEvents",
        code: "NotCollected",
        message: `the ${session} sessions were not looked up`,
      },
    };
    if (!fact.ok) {
      out.errors.push({ session, error: fact.error });
      continue;
    }
    const seen = roleSession(fact.value, role, trail.startTime);
    out.events.push(...seen.events);
    out.unreadable += seen.unreadable;
  }
  out.events.sort((a, b) => Date.parse(b.eventTime) - Date.parse(a.eventTime));
  return out;
}

function groupFailures(failures: readonly TrailEvent[]): FailureGroup[] {
  const groups = new Map<string, FailureGroup>();
  for (const f of failures) {
    const errorCode = f.errorCode ?? "";
    const key = `${f.eventName}\u0000${errorCode}`;
    const group = groups.get(key) ?? {
      action: f.eventName,
      permission: permissionOf(f),
      errorCode,
      count: 0,
      volumes: [],
    };
    group.count += 1;
    if (f.volumeId && !group.volumes.includes(f.volumeId)) group.volumes.push(f.volumeId);
    groups.set(key, group);
  }
  return [...groups.values()].sort((a, b) => b.count - a.count || compareText(a.action, b.action));
}

/** Failed (action, volume) pairs whose latest call of that action on that volume succeeded. */
function recoveredCalls(events: readonly TrailEvent[]): Recovered[] {
  const latest = new Map<string, TrailEvent>();
  for (const e of events) {
    const key = `${e.eventName}\u0000${e.volumeId ?? ""}`;
    if (!latest.has(key)) latest.set(key, e); // events are newest first
  }
  const failed = new Set(
    events.filter((e) => e.errorCode).map((e) => `${e.eventName}\u0000${e.volumeId ?? ""}`),
  );
  return [...failed].flatMap((key) => {
    const last = latest.get(key);
    if (!last || last.errorCode) return [];
    return [
      {
        action: last.eventName,
        ...(last.volumeId ? { volumeId: last.volumeId } : {}),
        lastSuccess: last.eventTime,
      },
    ];
  });
}

/** AWS's message without the encoded authorization blob, short enough for one line. */
function sampleMessage(message: string | undefined): string | undefined {
  if (!message) return undefined;
  const plain = message.replace(/\s*Encoded authorization failure message:.*$/s, "").trim();
  return plain.length > 500 ? `${plain.slice(0, 499)}…` : plain;
}

/** IAM fixes for what was refused, then how to read the failed events. */
function remediationFor(
  facts: Facts,
  role: RoleFacts,
  arn: string,
  groups: FailureGroup[],
  trail: RoleTrail,
  firstFailure: string,
): string {
  const lines: string[] = [];
  const denied = groups.filter((g) => isDenial(g.errorCode));
  const ec2 = [...new Set(denied.filter((g) => g.permission.startsWith("ec2:")).map((g) => g.permission))];
  const other = [...new Set(denied.filter((g) => !g.permission.startsWith("ec2:")).map((g) => g.permission))];
  // What the role's own policies allow was refused by something outside them: attaching a policy would not help.
  const policies = rolePolicies(facts, role);
  const allowed = new Set<string>(
    policies.ok
      ? volumeAccess(facts, policies.value).flatMap((v) =>
          v.decision.decision === "allow" ? [v.action] : [],
        )
      : [],
  );
  const missing = ec2.filter((p) => !allowed.has(p));
  const outside = ec2.filter((p) => allowed.has(p));
  if (missing.length) {
    lines.push(
      `# ${role.name} was refused ${missing.join(", ")}: attach the managed policy and remove any Deny or boundary gap (volume-permissions names the statement)`,
    );
    lines.push(attachVolumesPolicyCommand(role.name, parseArn(arn)?.partition ?? "aws"));
  }
  if (outside.length) {
    lines.push(
      `# ${role.name}'s own policies allow ${outside.join(", ")}, yet the calls were refused: look outside them (an organization SCP or RCP, or a condition the call did not meet; the error message says which)`,
    );
    lines.push(
      `aws organizations list-policies-for-target --target-id ${parseArn(arn)?.account || "ACCOUNT_ID"} --filter SERVICE_CONTROL_POLICY`,
    );
  }
  if (other.length) {
    lines.push(
      `# ${role.name} was refused ${other.join(", ")}: allow them for the role (for kms:*, in the KMS key policy too)`,
    );
  }
  for (const g of groups.filter((x) => !isDenial(x.errorCode))) {
    lines.push(
      `# ${g.action} failed with ${g.errorCode}: not a permissions problem; read the error message of the events below`,
    );
  }
  const failedSessions = trail.sessions.filter((s) => trail.errors.every((e) => e.session !== s));
  lines.push("# the role's failed calls:");
  for (const session of failedSessions) {
    const filter = `.Events[].CloudTrailEvent | fromjson | select(.userIdentity.sessionContext.sessionIssuer.arn == "${arn}" and .errorCode != null) | [.eventTime, .eventName, .errorCode, (.requestParameters.volumeId // "")] | @tsv`;
    lines.push(
      `aws cloudtrail lookup-events --region ${shellQuote(facts.region)} --lookup-attributes AttributeKey=Username,AttributeValue=${session} --start-time ${firstFailure} --output json | jq -r ${shellQuote(filter)}`,
    );
  }
  return lines.join("\n");
}

function failFinding(
  facts: Facts,
  role: RoleFacts,
  resource: string,
  trail: RoleTrail,
  window: string,
): Result {
  const failures = trail.events.filter((e) => e.errorCode);
  const groups = groupFailures(failures);
  const last = failures[0] as TrailEvent;
  const first = failures[failures.length - 1] as TrailEvent;
  const volumes = [...new Set(failures.flatMap((f) => (f.volumeId ? [f.volumeId] : [])))].sort();
  const recovered = recoveredCalls(trail.events);
  const stuckTasks: StuckTaskLink[] = linkFailuresToStuckTasks(facts, failures);
  const sample = sampleMessage(failures.find((f) => f.errorMessage)?.errorMessage);
  return {
    status: "fail",
    resource,
    messageId: "failed",
    data: {
      role: role.name,
      sessions: trail.sessions,
      window,
      failures: failures.length,
      groups,
      first: first.eventTime,
      last: last.eventTime,
      ...(sample ? { sample } : {}),
      stuckTasks,
      recovered,
      unread: trail.errors.map((e) => e.session),
    },
    details: {
      sessions: trail.sessions,
      window,
      calls: trail.events.length,
      failures: failures.length,
      byAction: Object.fromEntries(
        [...new Set(groups.map((g) => g.action))].map((action) => [
          action,
          Object.fromEntries(groups.filter((g) => g.action === action).map((g) => [g.errorCode, g.count])),
        ]),
      ),
      firstFailure: first.eventTime,
      lastFailure: last.eventTime,
      ...(sample ? { errorMessage: sample } : {}),
      volumes,
      recovered,
      stuckTasks,
      ...(trail.unreadable ? { unreadable: trail.unreadable } : {}),
      ...(trail.errors.length
        ? { unknownSessions: trail.errors.map(({ session, error }) => ({ session, ...error })) }
        : {}),
    },
    remediation: remediationFor(facts, role, resource, groups, trail, first.eventTime),
  };
}

/** The failed calls (by action and code, first and last, volumes, links to stuck tasks), or the calls counted. */
type TrailDetails =
  | {
      sessions: string[];
      window: string;
      calls: number;
      failures: number;
      byAction: Record<string, Record<string, number>>;
      firstFailure: string;
      lastFailure: string;
      errorMessage?: string;
      volumes: string[];
      recovered: Recovered[];
      stuckTasks: StuckTaskLink[];
      unreadable?: number;
      unknownSessions?: ({ session: string } & FactError)[];
      notLookedAt?: string[];
    }
  | { sessions: string[]; window: string; calls: number; failures: 0; notLookedAt?: string[] };

type Result = RuleResult<TrailDetails | UnknownDetails, typeof messages>;

/**
 * The role's uses CloudTrail cannot show (AWS documents no session name to look them up by): said in the message and
 * listed in the details, on the fail and the pass alike.
 */
function withUnlooked(result: Result, role: RoleFacts): Result {
  const uses = undocumentedSessionUses(role);
  if (!uses.length || !("messageId" in result) || !result.details) return result;
  return {
    ...result,
    data: { ...result.data, unlooked: uses.map((u) => u.label) },
    details: { ...result.details, notLookedAt: uses.map((u) => u.id) },
  } as Result;
}

export default defineRule({
  meta: {
    id: "cloudtrail-errors",
    title: "The role's ECS sessions made no failed calls",
    severity: "fail",
    concern: "stopping-tasks",
    needs: ["roles", "trail"],
    docs: {
      summary:
        "CloudTrail shows no failed call (AccessDenied, Client.UnauthorizedOperation or any other error code) by the role's " +
        "ECSTaskVolumesForEBS sessions (and, for each other use of the role, the sessions AWS documents for it: " +
        "ECSServiceConnectForTLS, ECSManagedInstancesForCompute, ECSNetworkingWithVPCLattice, ECSNetworkingWithELB and " +
        "ecs-service-scheduler) inside --since.",
      rationale:
        "The IAM rules say what should work; CloudTrail says what did. ECS calls EC2 as the infrastructure role with the " +
        "session name ECSTaskVolumesForEBS, and CloudTrail records each call with its error code. A DetachVolume or " +
        "DeleteVolume that failed is a task stuck in DEPROVISIONING or a volume left behind, whatever the policies seem to " +
        "allow (a KMS key policy, an SCP or a changed tag can refuse what the role's own policies permit). Each failure is " +
        "counted by action and error code, with the volumes affected, and linked to the stuck task that owns the volume. A " +
        "failure followed by a success is still reported (the message says the call may have recovered). AWS documents " +
        "no session name for Express Mode: the finding of a role an Express service uses says its Express calls were " +
        "not looked at (details.notLookedAt). The rule is " +
        "unknown when LookupEvents is denied or fails, or when a record of the session cannot be read.",
      remediation:
        "Fix what the calls were refused (usually the role's volume permissions; see volume-permissions), then read the " +
        "failed calls:\n\n" +
        "aws iam attach-role-policy --role-name NAME --policy-arn " +
        "arn:aws:iam::aws:policy/service-role/AmazonECSInfrastructureRolePolicyForVolumes\n" +
        "aws cloudtrail lookup-events --lookup-attributes AttributeKey=Username,AttributeValue=ECSTaskVolumesForEBS " +
        "--start-time 2026-01-01T00:00:00Z --output json | jq -r '.Events[].CloudTrailEvent | fromjson | " +
        "select(.errorCode != null) | [.eventTime, .eventName, .errorCode, .userIdentity.sessionContext.sessionIssuer.arn] | @tsv'",
    },
    snippets: READ_FAILED_CALLS,
    messages,
  },
  check(facts) {
    // CloudTrail not looked at (the rule was off when the facts were gathered): nothing was checked.
    if (!facts.trail) return [];
    const window = formatDuration(Date.parse(facts.collectedAt) - Date.parse(facts.trail.startTime));
    const findings: Result[] = [];
    for (const role of facts.roles) {
      if (role.role.ok && !role.role.value.exists) continue; // role-exists reports it
      const resource = roleResource(facts, role);
      const trail = roleTrail(facts.trail, role);
      const label = trail.sessions.join(" and ");
      const [firstError] = trail.errors;
      if (trail.events.some((e) => e.errorCode)) {
        findings.push(withUnlooked(failFinding(facts, role, resource, trail, window), role));
      } else if (!role.role.ok) {
        // The role may be gone (role-exists speaks then): finding no failed call proves nothing about it.
        findings.push(
          unknownFinding(
            resource,
            `the CloudTrail events of ${role.name}, a role that may not exist`,
            role.role.error,
          ),
        );
      } else if (firstError) {
        findings.push(
          unknownFinding(
            resource,
            `the CloudTrail events of ${role.name}'s ${firstError.session} sessions`,
            firstError.error,
          ),
        );
      } else if (trail.unreadable) {
        // Any of them may be a failed call of this role: never let them pass silently.
        findings.push(
          unknownFinding(resource, `the CloudTrail events of ${role.name}'s ${label} sessions`, {
            api: "cloudtrail:LookupEvents",
            code: "MalformedCloudTrailEvent",
            message: `${plural(trail.unreadable, "record")} in the last ${window} could not be read, so a failed call of ${role.name} cannot be ruled out`,
          }),
        );
      } else {
        const calls = trail.events.length;
        findings.push(
          withUnlooked(
            {
              status: "pass",
              resource,
              ...(calls
                ? {
                    messageId: "clean" as const,
                    data: { role: role.name, sessions: trail.sessions, window, calls },
                  }
                : {
                    messageId: "quiet" as const,
                    data: { role: role.name, sessions: trail.sessions, window },
                  }),
              details: { sessions: trail.sessions, window, calls: trail.events.length, failures: 0 },
            },
            role,
          ),
        );
      }
    }
    return findings;
  },
  summarize(findings) {
    const failed = findings.filter((f) => f.status === "fail" || f.status === "warn");
    return {
      metrics: {
        FailedTrailCalls: failed.reduce(
          (n, f) => n + (f.details && "failures" in f.details ? Number(f.details.failures) || 0 : 0),
          0,
        ),
      },
    };
  },
});
