import type { ServiceUse, TaskUse } from "../../analysis/role-usage.ts";
import { parseArn, roleNameOf, shortName } from "../../arn/arn.ts";
import type { RoleWaitOutcome, RoleWaitRead, WaitDependent } from "../../collect/role-wait.ts";
import { formatDuration } from "../../duration.ts";
import { EXIT } from "../../engine/verdict.ts";
import { InputError } from "../../errors.ts";
import type { Logger } from "../../log.ts";
import { type RoleWaitResult, waitUntilRoleIsFree } from "../../pipeline/wait.ts";
import { type AwsFlags, resolveAwsSettings } from "../aws-settings.ts";
import type { Io } from "../io.ts";
import { pollInterval } from "../poll-interval.ts";
import { terminalProgress } from "../progress.ts";

export interface WaitFlags extends AwsFlags {
  role: string[];
  cluster?: string[];
  format: "text" | "json";
}

function taskLine(t: TaskUse): string {
  const service = t.group?.startsWith("service:") ? `service ${t.group.slice(8)}, ` : "";
  const reason = t.statusReason ? `, status reason "${t.statusReason}"` : "";
  return `task ${shortName(t.arn)} (${service}cluster ${shortName(t.clusterArn)}) ${t.lastStatus}: EBS volume ${t.volumeId ?? "(no volume id yet)"} attachment ${t.attachmentStatus}${reason}`;
}

const DEPENDENT_KIND: Record<WaitDependent["kind"], string> = {
  "capacity-provider": "capacity provider",
  "express-service": "Express service",
  service: "service",
};

function dependentLine(d: WaitDependent): string {
  const use =
    d.use === "vpc-lattice"
      ? " (VPC Lattice)"
      : d.use === "load-balancer"
        ? " (blue/green load balancer)"
        : "";
  return `${DEPENDENT_KIND[d.kind]} ${shortName(d.clusterArn)}/${d.name}${use} ${d.status}: without the role ${d.breaks}`;
}

function serviceNote(services: ServiceUse[], role: string): string[] {
  return [...new Map(services.filter((s) => s.status === "ACTIVE").map((s) => [s.arn, s])).values()]
    .filter((s) => s.use === "ebs" || s.use === "service-connect-tls")
    .map(
      (s) =>
        `note: service ${shortName(s.clusterArn)}/${s.name} is ACTIVE and still names role ${role}: it starts new tasks that need it (delete it, or move it to another role, before deleting the role).`,
    );
}

/** What changed between two reads, one line each: a person watching sees the tasks move. */
function changes(before: Map<string, TaskUse>, read: RoleWaitRead): string[] {
  const lines: string[] = [];
  const now = new Map(read.tasks.map((t) => [t.arn, t]));
  for (const [arn, t] of now) {
    const was = before.get(arn);
    if (!was) lines.push(`holds the role: ${taskLine(t)}`);
    else if (was.lastStatus !== t.lastStatus || was.attachmentStatus !== t.attachmentStatus)
      lines.push(
        `task ${shortName(arn)}: ${was.lastStatus} → ${t.lastStatus}, attachment ${was.attachmentStatus} → ${t.attachmentStatus}`,
      );
  }
  for (const arn of before.keys())
    if (!now.has(arn)) lines.push(`task ${shortName(arn)}: STOPPED (no longer holds the role)`);
  return lines;
}

/** Uses other than tasks that appeared, changed status or went away between two reads. */
function dependentChanges(before: Map<string, WaitDependent>, read: RoleWaitRead): string[] {
  const key = (d: WaitDependent) => `${d.arn} ${d.use}`;
  const now = new Map(read.dependents.map((d) => [key(d), d]));
  const lines: string[] = [];
  for (const [k, d] of now) {
    const was = before.get(k);
    if (!was) lines.push(`needs the role: ${dependentLine(d)}`);
    else if (was.status !== d.status)
      lines.push(
        `${DEPENDENT_KIND[d.kind]} ${shortName(d.clusterArn)}/${d.name}: ${was.status} → ${d.status}`,
      );
  }
  for (const [k, d] of before)
    if (!now.has(k))
      lines.push(
        `${DEPENDENT_KIND[d.kind]} ${shortName(d.clusterArn)}/${d.name}: gone (no longer names the role)`,
      );
  return lines;
}

function result(outcome: RoleWaitOutcome, role: string, timeoutMs: number): { code: number; text: string } {
  const clusters = `${outcome.clusters.length} cluster${outcome.clusters.length === 1 ? "" : "s"}`;
  const reads = `${outcome.poll} read${outcome.poll === 1 ? "" : "s"}`;
  switch (outcome.kind) {
    case "clear":
      return {
        code: EXIT.safe,
        text: [
          `Role ${role} is clear: no task references it in any state but STOPPED (${clusters}, ${reads}).`,
          ...serviceNote(outcome.services, role),
        ].join("\n"),
      };
    case "timed-out": {
      const n = outcome.tasks.length;
      const m = outcome.dependents.length;
      const who = [
        ...(n ? [`${n} task${n === 1 ? "" : "s"}`] : []),
        ...(m ? [`${m} other use${m === 1 ? "" : "s"}`] : []),
      ].join(" and ");
      const clusterFlags = [
        ...new Set(
          [...outcome.tasks, ...outcome.dependents].map((u) => ` --cluster ${shortName(u.clusterArn)}`),
        ),
      ].join("");
      return {
        code: EXIT.unsafe,
        text: [
          `Timed out after ${formatDuration(outcome.waitedMs)} (--timeout ${formatDuration(timeoutMs)}): ${who} still ${m ? (n + m === 1 ? "needs" : "need") : n === 1 ? "holds" : "hold"} role ${role}:`,
          ...outcome.tasks.map((t) => `  ${taskLine(t)}`),
          ...outcome.dependents.map((d) => `  ${dependentLine(d)}`),
          ...(m
            ? ["Delete these (or move them to another role) first: they do not go away by themselves."]
            : []),
          `See why with: ecs-preflight check --role ${role}${clusterFlags}`,
        ].join("\n"),
      };
    }
    default:
      return {
        code: EXIT.undecided,
        text: [
          `Cannot tell whether role ${role} is still in use:`,
          ...outcome.unread.map(
            (u) =>
              `  ${u.resource === "ecs:clusters" ? "the cluster list" : `cluster ${shortName(u.resource)}`}: ${u.api} failed with ${u.code}: ${u.message}`,
          ),
        ].join("\n"),
      };
  }
}

/** The one role the wait is for: a name or an IAM role ARN (exit 2 otherwise, before any AWS call). */
function roleOf(flags: WaitFlags): string {
  if (flags.role.length !== 1)
    throw new InputError(`--role: wait takes exactly one role, got ${flags.role.join(",")}`);
  const role = flags.role[0] as string;
  const arn = role.startsWith("arn:") ? parseArn(role) : undefined;
  if (role.startsWith("arn:") && !(arn?.service === "iam" && arn.resource.startsWith("role/")))
    throw new InputError(`--role ${role}: expected a role name or an IAM role ARN`);
  return role;
}

/**
 * What a person at a terminal sees while waiting: each change as a line, and the progress. Never when logs are
 * verbose enough to say the same on stderr; the changes are logged either way.
 */
function watcher(io: Io, log: Logger, role: string, name: string) {
  const tty = Boolean(io.stderr.isTTY) && ["warn", "error", "fatal", "silent"].includes(log.level);
  const progress = tty ? terminalProgress(io.stderr) : undefined;
  let seen = new Map<string, TaskUse>();
  let seenDependents = new Map<string, WaitDependent>();
  return {
    onRead(read: RoleWaitRead) {
      for (const line of [...changes(seen, read), ...dependentChanges(seenDependents, read)]) {
        if (tty) io.stderr.write(`\r\u001b[2K${line}\n`);
        log.info({ role, poll: read.poll }, line);
      }
      seen = new Map(read.tasks.map((t) => [t.arn, t]));
      seenDependents = new Map(read.dependents.map((d) => [`${d.arn} ${d.use}`, d]));
      const others = read.dependents.length
        ? `, ${read.dependents.length} other use${read.dependents.length === 1 ? "" : "s"} name it`
        : "";
      progress?.listener({
        stage: `Waiting for role ${name}: ${read.tasks.length} task${read.tasks.length === 1 ? "" : "s"} hold it${others} (read ${read.poll})`,
      });
    },
    stop: () => progress?.stop(),
  };
}

/** Says the outcome on stdout (text or JSON) and gives the exit code. */
function finish(
  io: Io,
  log: Logger,
  format: WaitFlags["format"],
  at: { role: string; name: string; timeoutMs: number },
  outcome: RoleWaitResult,
): number {
  const { role, name } = at;
  if (outcome.kind === "caller-unread") {
    const { api, code, message } = outcome.error;
    const text = `Cannot tell whether role ${name} is still in use: ${api} failed with ${code}: ${message}`;
    const json = {
      role,
      result: "unread",
      exitCode: EXIT.undecided,
      unread: [{ resource: "sts:caller", ...outcome.error }],
    };
    emit(io, format, json, text);
    return EXIT.undecided;
  }
  const { code, text } = result(outcome, name, at.timeoutMs);
  log.info(
    { role, result: outcome.kind, exitCode: code, reads: outcome.poll, waitedMs: outcome.waitedMs },
    "wait finished",
  );
  emit(
    io,
    format,
    {
      role,
      result: outcome.kind,
      exitCode: code,
      reads: outcome.poll,
      waitedMs: outcome.waitedMs,
      clusters: outcome.clusters,
      tasks: outcome.tasks,
      services: outcome.services,
      dependents: outcome.dependents,
      ...(outcome.kind === "unread" ? { unread: outcome.unread } : {}),
    },
    text,
  );
  return code;
}

/** `wait`'s action (./wait.ts defines the command): poll until nothing needs the role, then say so. */
export async function waitAction(
  flags: WaitFlags,
  io: Io,
  log: Logger,
  setExit: (code: number) => void,
): Promise<void> {
  const role = roleOf(flags);
  const pollMs = pollInterval(io.env);
  const timeoutMs = flags.timeout as number;
  const { timeout: _deadline, ...awsFlags } = flags;
  const aws = await resolveAwsSettings(awsFlags, io.env, io.aws);
  const name = roleNameOf(role);
  const watch = watcher(io, log, role, name);
  log.info({ role, clusters: flags.cluster ?? "all", timeoutMs, pollMs }, "waiting for the role to be free");
  try {
    const outcome = await waitUntilRoleIsFree({
      aws,
      role,
      clusters: flags.cluster ?? [],
      timeoutMs,
      pollMs,
      onRead: watch.onRead,
    });
    watch.stop();
    setExit(finish(io, log, flags.format, { role, name, timeoutMs }, outcome));
  } finally {
    watch.stop();
  }
}

function emit(io: Io, format: "text" | "json", json: object, text: string): void {
  io.stdout.write(format === "json" ? `${JSON.stringify(json, null, 2)}\n` : `${text}\n`);
}
