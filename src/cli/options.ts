import { InvalidArgumentError, Option } from "commander";
import { PRINCIPAL_ARN_EXPECTED, parsePrincipalArn } from "../arn/principal-arn.ts";
import { parseDuration } from "../duration.ts";
import { LOG_LEVELS } from "../log.ts";
import { FORMATS } from "../report/formats.ts";
import { reportFileArg } from "./report-files.ts";

/** Repeatable flag that also takes comma lists: --role a --role b,c. Empty items are usage errors. */
export function collectList(what: string) {
  return (value: string, previous: string[] = []): string[] => {
    const items = value.split(",").map((s) => s.trim());
    if (items.some((s) => !s)) throw new InvalidArgumentError(`expected ${what}, got an empty value`);
    return [...previous, ...items];
  };
}

export function durationArg(max?: { ms: number; label: string }) {
  return (value: string): number => {
    const ms = parseDuration(value);
    if (ms === undefined)
      throw new InvalidArgumentError(`expected a duration such as 90s, 15m, 2h or 1d, got "${value}"`);
    if (max && ms > max.ms) throw new InvalidArgumentError(`at most ${max.label}, got "${value}"`);
    return ms;
  };
}

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 20)
    throw new InvalidArgumentError(`expected a whole number from 1 to 20, got "${value}"`);
  return n;
}

export const NINETY_DAYS = { ms: 90 * 86_400_000, label: "90d (CloudTrail event history keeps 90 days)" };

/** Scope flags shared by check, snapshot and stop. */
export function scopeOptions(): Option[] {
  return [
    new Option(
      "--cluster <name>",
      "ECS cluster name or ARN (repeatable, or a comma list); default: every cluster in the region",
    ).argParser(collectList("a cluster name or ARN")),
    new Option("--service <name>", "ECS service name or ARN (repeatable)").argParser(
      collectList("a service name or ARN"),
    ),
    new Option("--task <id>", "ECS task id or ARN (repeatable)").argParser(collectList("a task id or ARN")),
    new Option(
      "--role <name>",
      "infrastructure role name or ARN to check (repeatable, or a comma list)",
    ).argParser(collectList("a role name or ARN")),
  ];
}

/**
 * --principal, for check and snapshot: whose iam:PassRole the pass-role rule judges (repeatable: IAM names may hold
 * commas, so no comma lists). Refused before any AWS call.
 */
export function principalOption(): Option {
  return new Option(
    "--principal <arn>",
    "an IAM role or user that deploys (role or user ARN, or an STS assumed-role ARN), judged by pass-role; repeatable. Replaces the default: the createdBy of the services that name the role (the caller is judged only when named)",
  ).argParser((value: string, previous: string[] = []) => {
    if (!parsePrincipalArn(value))
      throw new InvalidArgumentError(`expected ${PRINCIPAL_ARN_EXPECTED}, got "${value}"`);
    return [...previous, value];
  });
}

/** AWS connection flags, named as the AWS CLI names them. */
export function awsOptions(): Option[] {
  return [
    new Option(
      "--region <region>",
      "AWS Region (default: AWS_REGION, AWS_DEFAULT_REGION, or the profile's region)",
    ),
    new Option("--profile <name>", "named profile from the AWS config files (default: AWS_PROFILE)"),
    new Option(
      "--max-attempts <n>",
      "attempts per AWS call, with the SDK's retry strategy, jittered back-off and no wait past --timeout (default: AWS_MAX_ATTEMPTS, the profile's max_attempts, or 9; AWS_RETRY_MODE or retry_mode = adaptive for adaptive mode)",
    ).argParser(positiveInt),
    new Option(
      "--timeout <duration>",
      "deadline for the whole run; what is not gathered by then is unknown (exit 3)",
    ).argParser(durationArg()),
    new Option("--read-timeout <duration>", "socket timeout for one AWS answer (default: 20s)").argParser(
      durationArg(),
    ),
    new Option("--connect-timeout <duration>", "timeout to open a connection to AWS (default: 5s)").argParser(
      durationArg(),
    ),
  ];
}

export function reportOptions(): Option[] {
  return [
    new Option("--format <format>", "report format").choices(FORMATS).default("text"),
    new Option(
      "--output <file>",
      "write the report to a file, or to s3://bucket/key (<account> and <region> in the name are filled in), instead of stdout",
    ),
    new Option(
      "--report <format=file>",
      `also write the report as FORMAT to FILE, from the same run (repeatable; FORMAT: ${FORMATS.join(", ")})`,
    ).argParser(reportFileArg),
    new Option(
      "--emf",
      "write one CloudWatch Embedded Metric Format line per run (per target) to stderr, beside the logs",
    ),
    new Option(
      "--fail-on <status>",
      "lowest status that fails the run: fail (warnings pass) or warn",
    ).choices(["fail", "warn"]),
    new Option("--config <file>", "JSON config: rule levels, suppressions, defaults (see docs/config.md)"),
    new Option(
      "--redact",
      "mask account ids and replace resource names with stable pseudonyms in the report",
    ),
  ];
}

export function ruleTuningOptions(): Option[] {
  return [
    new Option("--since <duration>", "CloudTrail look-back window, at most 90d (default: 24h)").argParser(
      durationArg(NINETY_DAYS),
    ),
    new Option(
      "--stuck-after <duration>",
      "a task DEPROVISIONING longer than this is stuck (default: 15m)",
    ).argParser(durationArg()),
  ];
}

export function globalOptions(): Option[] {
  return [
    new Option(
      "--log-level <level>",
      "log level on stderr (default: ECS_PREFLIGHT_LOG_LEVEL, else warn on a terminal and info otherwise)",
    ).choices(LOG_LEVELS),
    new Option("--no-color", "never colour the output (NO_COLOR is honoured too)"),
  ];
}
