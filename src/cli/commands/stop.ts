import { Command, Option } from "commander";
import type { Logger } from "../../log.ts";
import type { Io } from "../io.ts";
import { awsOptions, collectList, reportOptions, ruleTuningOptions } from "../options.ts";
import type { StopFlags } from "./stop-run.ts";

/** The `stop` command: its flags and help. What it runs loads when it runs (./stop-run.ts). */
export function stopCommand(
  io: Io,
  logFor: (cmd: Command) => Promise<Logger>,
  setExit: (code: number) => void,
): Command {
  const cmd = new Command("stop")
    .summary("check, then stop tasks only when it is safe (the only command that changes AWS)")
    .description(
      "Runs the check for the named tasks and the infrastructure roles their EBS volumes use, prints the report, and\n" +
        "calls StopTask only when the verdict passes --fail-on, after a confirmation on a terminal or with --yes.\n" +
        "Exit codes: 0 stopped, 1 unsafe / declined / StopTask failed / stuck while waiting, 2 usage error, 3 undecided.",
    );
  cmd.addOption(
    new Option("--cluster <name>", "the tasks' ECS cluster, name or ARN (exactly one)")
      .argParser(collectList("a cluster name or ARN"))
      .makeOptionMandatory(),
  );
  cmd.addOption(
    new Option("--task <id>", "task id or ARN to stop (repeatable, or a comma list)")
      .argParser(collectList("a task id or ARN"))
      .makeOptionMandatory(),
  );
  cmd.option("--reason <text>", "reason recorded with StopTask (shown by DescribeTasks)");
  cmd.option("--yes", "stop without asking (required when stdin is not a terminal)");
  cmd.option(
    "--wait",
    "poll until every task is STOPPED; fail if one is still DEPROVISIONING after --stuck-after",
  );
  for (const o of [...awsOptions(), ...ruleTuningOptions(), ...reportOptions()]) cmd.addOption(o);
  cmd.action(async (flags: StopFlags, command: Command) => {
    const log = await logFor(command);
    const { stopAction } = await import("./stop-run.ts");
    await stopAction(flags, io, log, setExit);
  });
  return cmd;
}
