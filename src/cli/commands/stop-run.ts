import { rules } from "../../../rules/index.ts";
import { shortName } from "../../arn/arn.ts";
import type { StopOutcome, WaitOutcome } from "../../collect/ecs-stop.ts";
import { formatDuration, parseDuration } from "../../duration.ts";
import { DEFAULT_STUCK_AFTER_MS } from "../../engine/evaluate.ts";
import { InputError } from "../../errors.ts";
import type { Logger } from "../../log.ts";
import { levelsForStop, type StopEvent, stopAfterCheck } from "../../pipeline/stop.ts";
import { resolveAwsSettings } from "../aws-settings.ts";
import type { Io } from "../io.ts";
import { pollInterval } from "../poll-interval.ts";
import { checkDistinctFiles } from "../report-files.ts";
import { type CheckFlags, emitReport, loadCheckConfig, runCheck } from "./check-run.ts";

export interface StopFlags extends CheckFlags {
  cluster: string[];
  task: string[];
  reason?: string;
  yes?: boolean;
  wait?: boolean;
}

const DEFAULT_REASON = "Stopped by ecs-preflight after a passing pre-flight check";
/** --stuck-after as the check reads it: the flag, else the config's stuckAfter, else 15m. */
async function stuckAfterMs(flags: StopFlags): Promise<number> {
  if (flags.stuckAfter) return flags.stuckAfter;
  if (!flags.config) return DEFAULT_STUCK_AFTER_MS;
  const configured = (await loadCheckConfig(flags)).stuckAfter;
  return (configured && parseDuration(configured)) || DEFAULT_STUCK_AFTER_MS;
}

/** Asks the person at the terminal before the one write. */
async function confirmStop(io: Io, cluster: string, tasks: readonly string[]): Promise<boolean> {
  if (!io.confirm) throw new InputError("stop: cannot ask for confirmation here: pass --yes");
  const n = tasks.length;
  return io.confirm(
    `Stop ${n} task${n === 1 ? "" : "s"} in cluster ${shortName(cluster)} (${tasks.map(shortName).join(", ")})? [y/N] `,
  );
}

/** Says each step of the stop on stderr (the report itself goes where --format and --output say). */
async function sayStopEvent(
  event: StopEvent,
  at: { io: Io; flags: StopFlags; log: Logger; stuckAfter: number; cluster: string },
): Promise<void> {
  const { io } = at;
  switch (event.kind) {
    case "checked":
      return emitReport(event.report, at.flags, io, at.log);
    case "not-safe":
      return say(
        io,
        `not stopping: the check's verdict is ${event.report.verdict} (exit ${event.report.exitCode}); no StopTask call was made.`,
      );
    case "declined":
      return say(io, "not confirmed; no task was stopped.");
    case "no-longer-safe":
      for (const f of event.report.findings.filter((x) => x.status !== "pass" && !x.suppressed))
        say(io, `${f.status.toUpperCase()} ${f.rule} ${f.resource}: ${f.message}`);
      return say(
        io,
        `not stopping: the check no longer passes (verdict ${event.report.verdict}); no StopTask call was made.`,
      );
    case "timeout-spent":
      return say(io, "--timeout passed during the check; no task was stopped.");
    case "stopped":
      return reportStops(io, event.outcomes);
    case "waited":
      return reportWait(io, event.outcome, at.stuckAfter, shortName(at.cluster));
  }
}

function say(io: Io, line: string): void {
  io.stderr.write(`ecs-preflight stop: ${line}\n`);
}

function reportStops(io: Io, outcomes: StopOutcome[]): void {
  for (const o of outcomes) {
    if (o.ok)
      say(io, `StopTask accepted for task ${shortName(o.task)} (lastStatus ${o.lastStatus || "unknown"}).`);
    else say(io, `StopTask failed for task ${shortName(o.task)}: ${o.error.code}: ${o.error.message}`);
  }
}

/** The end of --wait, in words (the pipeline gives the exit code). */
function reportWait(io: Io, waited: WaitOutcome, stuckAfter: number, cluster: string): void {
  switch (waited.kind) {
    case "stopped":
      say(io, `every task reached STOPPED (${waited.tasks.map((t) => shortName(t.arn)).join(", ")}).`);
      return;
    case "stuck": {
      const { task } = waited;
      const volumes = task.ebsAttachments.map(
        (a) =>
          `EBS volume ${a.volumeId ?? a.volumeName ?? a.id} attachment ${a.status}${a.statusReason ? ` ("${a.statusReason}")` : ""}`,
      );
      say(
        io,
        `task ${shortName(task.arn)} is still ${task.lastStatus} after ${formatDuration(waited.stuckForMs)}, longer than --stuck-after ${formatDuration(stuckAfter)}` +
          `${volumes.length ? `: ${volumes.join("; ")}` : ""}. See why with: ecs-preflight check --cluster ${cluster} --task ${task.arn}`,
      );
      return;
    }
    default:
      say(
        io,
        `could not follow the tasks to STOPPED: ${waited.error.api} failed with ${waited.error.code}: ${waited.error.message}`,
      );
  }
}

/** `stop`'s action (./stop.ts defines the command): check, then stop the tasks only when it is safe. */
export async function stopAction(
  flags: StopFlags,
  io: Io,
  log: Logger,
  setExit: (code: number) => void,
): Promise<void> {
  // Every usage problem is found before the first AWS call.
  if (flags.cluster.length !== 1)
    throw new InputError(`--cluster: stop takes exactly one cluster, got ${flags.cluster.join(",")}`);
  if (!flags.yes && !io.stdinIsTTY) {
    throw new InputError("stop: no terminal to confirm on: pass --yes to stop the tasks without asking");
  }
  checkDistinctFiles(flags.output, flags.report ?? []);
  const cluster = flags.cluster[0] as string;
  const stuckAfter = await stuckAfterMs(flags);
  const { service: _service, role: _role, ...rest } = flags;
  setExit(
    await stopAfterCheck({
      cluster,
      tasks: flags.task,
      reason: flags.reason ?? DEFAULT_REASON,
      wait: Boolean(flags.wait),
      stuckAfterMs: stuckAfter,
      pollMs: pollInterval(io.env),
      ...(flags.timeout ? { timeoutMs: flags.timeout } : {}),
      // Strict: the one command that changes AWS ignores config caps and suppressions (fail and unknown block).
      check: () =>
        runCheck({ ...rest, cluster: [cluster], task: flags.task }, io, log, levelsForStop(rules), true),
      ...(flags.yes ? {} : { confirm: () => confirmStop(io, cluster, flags.task) }),
      aws: (left) => resolveAwsSettings({ ...flags, timeout: left }, io.env, io.aws),
      on: (event) => sayStopEvent(event, { io, flags, log, stuckAfter, cluster }),
      log,
    }),
  );
}
