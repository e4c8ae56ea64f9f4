import { Command, Option } from "commander";
import type { Logger } from "../../log.ts";
import type { Io } from "../io.ts";
import { awsOptions, principalOption, ruleTuningOptions, scopeOptions } from "../options.ts";
import type { CheckFlags } from "./check-run.ts";

/** The `snapshot` command: its flags and help. What it runs loads when it runs (./snapshot-run.ts). */
export function snapshotCommand(io: Io, logFor: (cmd: Command) => Promise<Logger>): Command {
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
    const log = await logFor(command);
    const { snapshotAction } = await import("./snapshot-run.ts");
    await snapshotAction(flags, io, log);
  });
  return cmd;
}
