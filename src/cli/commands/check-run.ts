import { readFile } from "node:fs/promises";
import { parseDuration } from "../../duration.ts";
import { type Config, EMPTY_CONFIG, loadConfig } from "../../engine/config.ts";
import { DEFAULT_STUCK_AFTER_MS } from "../../engine/evaluate.ts";
import { InputError } from "../../errors.ts";
import type { Scope } from "../../facts/types.ts";
import type { Logger } from "../../log.ts";
import type { CheckOptions } from "../../pipeline/check.ts";
import type { Format, Formatter } from "../../report/formats.ts";
import { formatterFor } from "../../report/formatter.ts";
import type { Report } from "../../report/types.ts";
import { type TargetFlags, validateTargetFlags, wantsTargets } from "../../targets/account-regions.ts";
import { type AwsFlags, resolveAwsSettings } from "../aws-settings.ts";
import { colorEnabled, type Io } from "../io.ts";
import { terminalProgress } from "../progress.ts";
import { changeFileOf, checkDistinctFiles, type ReportFile, writeReportFiles } from "../report-files.ts";
import { outputName, writeReport } from "../report-output.ts";

/**
 * What `check` does once its flags are parsed (./check.ts defines the command): loaded only when a command that
 * checks runs. The pipeline, the rules and the report's formatter load from here when they are needed.
 */

export interface CheckFlags extends AwsFlags, TargetFlags {
  cluster?: string[];
  service?: string[];
  task?: string[];
  role?: string[];
  principal?: string[];
  since?: number;
  stuckAfter?: number;
  snapshot?: string;
  plan?: string;
  /** `--change-set NAME_OR_ARN`, with `--stack` when it is a name. */
  changeSet?: string;
  stack?: string;
  beforeStackDelete?: string;
  /** `--template FILE`: the template the change set's stack is deployed from (messages and SARIF name it). */
  template?: string;
  config?: string;
  format: Format;
  output?: string;
  failOn?: "fail" | "warn";
  color?: boolean;
  redact?: boolean;
  /** `--report FORMAT=FILE`, repeatable: further formats from the same run. */
  report?: ReportFile[];
  emf?: boolean;
  beforeRoleChange?: boolean;
}

export function scopeFrom(flags: CheckFlags, sinceMs: number | undefined): Scope {
  return {
    clusters: flags.cluster ?? [],
    services: flags.service ?? [],
    tasks: flags.task ?? [],
    roles: flags.role ?? [],
    ...(sinceMs ? { since: `${Math.round(sinceMs / 1000)}s` } : {}),
  };
}

function configDuration(
  value: string | undefined,
  key: string,
  file: string | undefined,
): number | undefined {
  if (value === undefined) return undefined;
  const ms = parseDuration(value);
  if (ms === undefined)
    throw new InputError(`${file}: ${key}: expected a duration such as 15m, got "${value}"`);
  return ms;
}

/**
 * The change flags' own rules, checked before any file or AWS call: one change at a time, --stack only with
 * --change-set, --template only with a change set.
 */
export function changeFlagsFrom(flags: CheckFlags): CheckOptionsChange {
  const given = (["plan", "changeSet", "beforeStackDelete"] as const).filter((k) => flags[k] !== undefined);
  const name = { plan: "--plan", changeSet: "--change-set", beforeStackDelete: "--before-stack-delete" };
  if (given.length > 1)
    throw new InputError(
      `${given.map((k) => name[k]).join(" and ")} cannot be combined: the check judges one change at a time`,
    );
  if (flags.stack !== undefined && flags.changeSet === undefined)
    throw new InputError("--stack names the stack of a --change-set given by name; it needs --change-set");
  if (flags.template !== undefined && flags.changeSet === undefined && flags.plan === undefined)
    throw new InputError("--template names the template of a change set; it needs --change-set or --plan");
  return {
    ...(flags.plan ? { plan: flags.plan } : {}),
    ...(flags.changeSet
      ? { changeSet: { name: flags.changeSet, ...(flags.stack ? { stack: flags.stack } : {}) } }
      : {}),
    ...(flags.beforeStackDelete ? { beforeStackDelete: flags.beforeStackDelete } : {}),
    ...(flags.template ? { template: flags.template } : {}),
  };
}

type CheckOptionsChange = Pick<CheckOptions, "plan" | "changeSet" | "beforeStackDelete" | "template">;

/**
 * The config a command runs with: the file's levels (validated: a bad file exits 2) over `defaultLevels`. The rules
 * load here only to validate a config file.
 */
export async function loadCheckConfig(
  flags: Pick<CheckFlags, "config">,
  defaultLevels: Config["rules"] = {},
): Promise<Config> {
  let loaded = EMPTY_CONFIG;
  if (flags.config) {
    const { rules } = await import("../../../rules/index.ts");
    const ruleIds = rules.map((r) => r.id);
    const requiredIds = rules.filter((r) => r.required).map((r) => r.id);
    loaded = await loadConfig(flags.config, ruleIds, requiredIds, rules);
  }
  return { ...loaded, rules: { ...defaultLevels, ...loaded.rules } };
}

/** The CloudTrail look-back in ms: --since, else the config's `since`, else undefined (the collector's 24h). */
export function sinceFrom(flags: Pick<CheckFlags, "since" | "config">, config: Config): number | undefined {
  return flags.since ?? configDuration(config.since, "since", flags.config);
}

/**
 * Runs a check from CLI flags: the shared core of `check` and `stop`. `defaultLevels` are rule levels a command
 * starts from; the config file's own levels win over them.
 */
export async function runCheck(
  flags: CheckFlags,
  io: Io,
  log: Logger,
  defaultLevels: Config["rules"] = {},
  /** For `stop`: a config may turn rules off, but not cap a failure at warn or suppress it. */
  strict = false,
): Promise<Report> {
  // The one-account pipeline loads while the config is read and the AWS settings are resolved.
  const pipeline = wantsTargets(flags) ? undefined : import("../../pipeline/check.ts");
  // Awaited once the flags are checked; a bad flag found first must not leave a failed load unhandled.
  pipeline?.catch(() => undefined);
  const loaded = await loadCheckConfig(flags, defaultLevels);
  const config: Config = strict
    ? {
        ...loaded,
        rules: Object.fromEntries(Object.entries(loaded.rules).filter(([, level]) => level !== "warn")),
        suppressions: [],
      }
    : loaded;
  const stuckAfterMs =
    flags.stuckAfter ??
    configDuration(config.stuckAfter, "stuckAfter", flags.config) ??
    DEFAULT_STUCK_AFTER_MS;
  const sinceMs = sinceFrom(flags, config);
  const scope = scopeFrom(flags, sinceMs);
  const failOn = flags.failOn ?? config.failOn ?? "fail";
  const change = changeFlagsFrom(flags);
  // What every check of this command line judges, from a snapshot, live or over targets.
  const judged = {
    scope,
    config,
    failOn,
    stuckAfterMs,
    log,
    ...(flags.beforeRoleChange ? { beforeRoleChange: true } : {}),
    ...change,
  };
  if (wantsTargets(flags)) {
    if (flags.snapshot)
      throw new InputError(
        "the target flags cannot be combined with --snapshot: a snapshot is one account-Region",
      );
    // A Terraform plan describes one account's changes: it is not applied across an organisation. Across the
    // caller's own Regions it is: IAM roles are global, and a role unused in one Region may hold tasks in another.
    if (flags.plan && (flags.accounts?.length || flags.allAccounts || flags.assumeRole || flags.externalId))
      throw new InputError(
        "--plan cannot be combined with --accounts, --all-accounts, --assume-role or --external-id: a plan is one account's change (--regions and --all-regions are fine: IAM roles are global)",
      );
    // A change set or a stack lives in one account and Region: it is described there, once.
    const live =
      flags.changeSet !== undefined
        ? "--change-set"
        : flags.beforeStackDelete !== undefined
          ? "--before-stack-delete"
          : undefined;
    if (live)
      throw new InputError(
        `${live} cannot be combined with the target flags: the stack is in one account and Region (check other Regions with --region, or save the change set as JSON and pass it with --plan and --regions)`,
      );
    validateTargetFlags(flags);
    const { checkTargets } = await import("../../pipeline/targets.ts");
    const aws = await resolveAwsSettings(flags, io.env, io.aws);
    return checkTargets({
      ...judged,
      aws,
      targets: flags,
      ...(flags.principal ? { collect: { principals: flags.principal } } : {}),
    });
  }
  if (flags.snapshot) {
    const scoped = (["cluster", "service", "task", "role", "principal", "region", "profile"] as const).find(
      (k) => flags[k] !== undefined,
    );
    if (scoped)
      throw new InputError(
        `--${scoped} cannot be combined with --snapshot: a snapshot is evaluated for the scope it was taken with`,
      );
    // --stuck-after is measured by the rules on replay; --since only says what CloudTrail the collector reads.
    if (flags.since !== undefined)
      throw new InputError(
        "--since cannot be combined with --snapshot: the snapshot's CloudTrail window was fixed when it was taken (pass --since to the snapshot command)",
      );
    const { check } = await (pipeline as Promise<typeof import("../../pipeline/check.ts")>);
    return check({ ...judged, snapshot: flags.snapshot });
  }
  const aws = await resolveAwsSettings(flags, io.env, io.aws);
  // A status line for a person at a terminal; never when logs are verbose enough to say the same on stderr.
  const progress =
    io.stderr.isTTY && ["warn", "error", "fatal", "silent"].includes(log.level)
      ? terminalProgress(io.stderr)
      : undefined;
  try {
    const { check } = await (pipeline as Promise<typeof import("../../pipeline/check.ts")>);
    return await check({
      ...judged,
      aws,
      collect: {
        ...(flags.principal ? { principals: flags.principal } : {}),
        ...(progress ? { onProgress: progress.listener } : {}),
      },
    });
  } finally {
    progress?.stop();
  }
}

export async function emitReport(
  report: Report,
  flags: Pick<
    CheckFlags,
    "format" | "output" | "color" | "redact" | "report" | "emf" | "config" | "plan" | "template"
  > &
    AwsFlags,
  io: Io,
  log: Logger,
): Promise<void> {
  // The rules name the findings in every format; the run that made the report has loaded them already.
  const { rules } = await import("../../../rules/index.ts");
  const shown = flags.redact ? (await import("../../report/redact.ts")).redactReport(report) : report;
  const changeFile = changeFileOf(flags, io.env);
  const sarif = flags.format === "sarif" || (flags.report ?? []).some((r) => r.format === "sarif");
  // SARIF points each planned change at its line in the template or change file; an unreadable one is line 1.
  const changeSource = flags.template ?? flags.plan;
  const changeText =
    changeFile && sarif && changeSource
      ? await readFile(changeSource, "utf8").catch(() => undefined)
      : undefined;
  // Only the formats this run writes are loaded.
  const formatters = new Map<Format, Formatter>();
  for (const format of new Set([flags.format, ...(flags.report ?? []).map((r) => r.format)]))
    formatters.set(format, await formatterFor(format, shown));
  const render = (format: Format, color: boolean) =>
    (formatters.get(format) as Formatter)(shown, {
      color,
      rules,
      ...(changeFile ? { changeFile } : {}),
      ...(changeText ? { changeText } : {}),
    });
  const color = !flags.output && flags.format === "text" && colorEnabled(io, "stdout", flags.color);
  const files = (flags.report ?? []).map((r) => ({
    flag: `--report ${r.format}=${r.file}`,
    file: outputName(r.file, report),
    text: render(r.format, false),
  }));
  // <account>/<region> in the name are the report's; an s3:// output is a PutObject (./report-output.ts).
  const output = flags.output ? outputName(flags.output, report) : undefined;
  if (output && !output.startsWith("s3://"))
    files.unshift({ flag: `--output ${flags.output}`, file: output, text: render(flags.format, false) });
  else if (!output) io.stdout.write(render(flags.format, color));
  // Metrics are of the run, whatever happens to the files: emitted before a write error can stop the command.
  // Not redacted: the Account dimension is what an alarm selects on, and the line stays in the account's own logs.
  if (flags.emf) {
    const { emfLines } = await import("../../report/emf.ts");
    for (const line of emfLines(report, rules)) io.stderr.write(`${line}\n`);
  }
  const { written, failures } = await writeReportFiles(files);
  if (output?.startsWith("s3://"))
    written.push(await writeReport(output, render(flags.format, false), report, flags.format, flags, io));
  for (const file of written)
    log.info({ file, verdict: report.verdict, exitCode: report.exitCode }, "report written");
  // Every file that could be written was; the ones that could not make the run a usage error (exit 2).
  if (failures.length) throw new InputError(failures.join("; "));
}

/** `check`'s action: check, write the report, and say how it ended. */
export async function checkAction(
  flags: CheckFlags,
  io: Io,
  log: Logger,
  setExit: (code: number) => void,
): Promise<void> {
  checkDistinctFiles(flags.output, flags.report ?? []);
  const report = await runCheck(flags, io, log);
  await emitReport(report, flags, io, log);
  log.info(
    {
      verdict: report.verdict,
      exitCode: report.exitCode,
      summary: report.summary,
      durationMs: report.durationMs,
    },
    "check finished",
  );
  setExit(report.exitCode);
}
