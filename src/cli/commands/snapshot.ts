import { Command, Option } from "commander";
import { rules } from "../../../rules/index.ts";
import { InputError } from "../../errors.ts";
import type { Logger } from "../../log.ts";
import { collectionFor } from "../../pipeline/facts-source.ts";
import { writeSnapshot } from "../../snapshot/index.ts";
import { resolveAwsSettings } from "../aws-settings.ts";
import type { Io } from "../io.ts";
import { awsOptions, principalOption, ruleTuningOptions, scopeOptions } from "../options.ts";
import { type CheckFlags, loadCheckConfig, scopeFrom, sinceFrom } from "./check.ts";

export function snapshotCommand(io: Io, logFor: (cmd: Command) => Logger): Command {
  const cmd = new Command("snapshot")
    .summary("write the facts a check would evaluate to a file, for offline checks and bug reports")
    .description(
      "Collects exactly the facts `check` would evaluate and writes them as JSON (schema/facts.schema.json),\n" +
        "readable by the owner only. `ecs-preflight check --snapshot FILE` evaluates it later without AWS.",
    );
  for (const o of [...scopeOptions(), principalOption(), ...awsOptions(), ...ruleTuningOptions()])
    cmd.addOption(o);
  cmd.addOption(new Option("--out <file>", "snapshot file to write").makeOptionMandatory());
  cmd.addOption(
    new Option(
      "--config <file>",
      "JSON config, as for check: its since is the default look-back, and a rule turned off is not collected for",
    ),
  );
  cmd.action(async (flags: CheckFlags & { out: string }, command: Command) => {
    const log = logFor(command);
    // The config check would run with: a rule it turns off is not collected for, exactly as check would not.
    const config = await loadCheckConfig(flags);
    const scope = scopeFrom(flags, sinceFrom(flags, config));
    const aws = await resolveAwsSettings(flags, io.env, io.aws);
    const { collect } = await import("../../collect/index.ts");
    const facts = await collect({
      ...collectionFor(rules, config),
      ...(flags.principal ? { principals: flags.principal } : {}),
      scope,
      aws,
      log,
    });
    try {
      await writeSnapshot(flags.out, facts);
    } catch (err) {
      throw new InputError(
        `--out ${flags.out}: cannot write the snapshot (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
      );
    }
    log.info({ file: flags.out, roles: facts.roles.length }, "snapshot written");
  });
  return cmd;
}
