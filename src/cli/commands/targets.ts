import { Command } from "commander";
import type { Logger } from "../../log.ts";
import { type TargetFlags, validateTargetFlags } from "../../targets/account-regions.ts";
import { type AwsFlags, resolveAwsSettings } from "../aws-settings.ts";
import type { Io } from "../io.ts";
import { awsOptions } from "../options.ts";
import { writeReport } from "../report-output.ts";
import { targetOptions } from "../target-options.ts";

interface TargetsFlags extends AwsFlags, TargetFlags {
  output?: string;
}

/**
 * `ecs-preflight targets`: the account-Region list the target flags name, as a JSON array of {account, region,
 * roleArn?}: the items of a fan-out (a Step Functions Distributed Map reads it from S3, an Indexed Job from a file).
 */
export function targetsCommand(io: Io, logFor: (cmd: Command) => Promise<Logger>): Command {
  const cmd = new Command("targets")
    .summary("print the account-Regions a check over targets would cover, as JSON")
    .description(
      "Resolves --accounts/--all-accounts and --regions/--all-regions (asking Organizations and EC2 when told to)\n" +
        "and prints the targets as a JSON array, the input of a fan-out that runs one check per target.",
    );
  for (const o of [...targetOptions(), ...awsOptions()]) cmd.addOption(o);
  cmd.option("--output <file>", "write the list to a file or s3://bucket/key instead of stdout");
  cmd.action(async (flags: TargetsFlags, command: Command) => {
    const log = await logFor(command);
    validateTargetFlags(flags);
    const aws = await resolveAwsSettings(flags, io.env, io.aws);
    const { resolveTargets } = await import("../../pipeline/targets.ts");
    const targets = await resolveTargets(aws, flags);
    // Such an account's item carries regionsUnread: merge --expect makes it unknown, so the fan-out still runs.
    for (const t of targets.filter((t) => t.regionsUnread))
      log.warn(
        { account: t.account, error: t.regionsUnread },
        "cannot list the account's enabled Regions: only the caller's are listed for it (merge --expect reports it unknown)",
      );
    const text = `${JSON.stringify(targets, null, 2)}\n`;
    if (flags.output) {
      const file = await writeReport(flags.output, text, { account: null, region: null }, "json", flags, io);
      log.info({ file, targets: targets.length }, "targets written");
    } else io.stdout.write(text);
  });
  return cmd;
}
