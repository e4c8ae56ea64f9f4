import { Command, Option } from "commander";
import type { Logger } from "../../log.ts";
import type { Io } from "../io.ts";
import { awsOptions, collectList, durationArg } from "../options.ts";
import type { WaitFlags } from "./wait-run.ts";

/** Long enough for ECS to detach and delete volumes in a normal teardown; short enough that a stuck one ends the job. */
export const DEFAULT_WAIT_TIMEOUT_MS = 30 * 60_000;

/** The `wait` command: its flags and help. What it runs loads when it runs (./wait-run.ts). */
export function waitCommand(
  io: Io,
  logFor: (cmd: Command) => Promise<Logger>,
  setExit: (code: number) => void,
): Command {
  const cmd = new Command("wait")
    .summary("wait until no task uses an infrastructure role (before deleting or changing it)")
    .description(
      "Polls ECS until nothing needs the role: no task references it through an EBS attachment in any state but " +
        "STOPPED, and no capacity provider, Express service, or service's VPC Lattice or blue/green configuration " +
        "names it (those leave no trace on a task, so they are waited for until deleted). A teardown can then delete " +
        "the role without stranding volumes or resources. An ACTIVE service that names the role for EBS volumes or " +
        "Service Connect TLS is reported, not waited for. Anything that could not be read ends the wait at once " +
        "(exit 3). Reads only ECS (and STS once, for a role given by name).\n" +
        "Exit codes: 0 clear, 1 timed out (naming what still needs the role), 2 usage error, 3 could not read.",
    );
  cmd.addOption(
    new Option("--role <name>", "the infrastructure role, name or ARN")
      .argParser(collectList("a role name or ARN"))
      .makeOptionMandatory(),
  );
  cmd.addOption(
    new Option(
      "--cluster <name>",
      "ECS cluster name or ARN to watch (repeatable, or a comma list); default: every cluster in the region",
    ).argParser(collectList("a cluster name or ARN")),
  );
  cmd.addOption(
    new Option("--timeout <duration>", "give up after this long (exit 1)")
      .argParser(durationArg())
      .default(DEFAULT_WAIT_TIMEOUT_MS, "30m"),
  );
  cmd.addOption(
    new Option("--format <format>", "result format on stdout").choices(["text", "json"]).default("text"),
  );
  // --timeout here is the wait's own deadline, not the run deadline the other commands take.
  for (const o of awsOptions()) if (o.long !== "--timeout") cmd.addOption(o);
  cmd.action(async (flags: WaitFlags, command: Command) => {
    const log = await logFor(command);
    const { waitAction } = await import("./wait-run.ts");
    await waitAction(flags, io, log, setExit);
  });
  return cmd;
}
