import { Command } from "commander";
import type { Logger } from "../../log.ts";
import { EXIT_CODES_HELP } from "../exit-codes-help.ts";
import type { Io } from "../io.ts";
import { awsOptions, principalOption, reportOptions, ruleTuningOptions, scopeOptions } from "../options.ts";
import { targetOptions } from "../target-options.ts";
import type { CheckFlags } from "./check-run.ts";

/** The `check` command: its flags and help. What it runs loads when it runs (./check-run.ts). */
export function checkCommand(
  io: Io,
  logFor: (cmd: Command) => Promise<Logger>,
  setExit: (code: number) => void,
): Command {
  const cmd = new Command("check")
    .summary("check whether tasks with ECS-managed EBS volumes can be stopped safely")
    .description(
      "Checks the ECS infrastructure roles in scope (and, with ECS in scope, the tasks that use them) and reports\n" +
        "whether stopping tasks now is safe.",
    )
    .addHelpText("after", EXIT_CODES_HELP);
  for (const o of [...scopeOptions(), principalOption(), ...awsOptions(), ...ruleTuningOptions()])
    cmd.addOption(o);
  cmd.option(
    "--snapshot <file>",
    "evaluate a snapshot file instead of calling AWS (see the snapshot command); --stuck-after applies, --since is refused (the snapshot's CloudTrail window was fixed when it was taken)",
  );
  cmd.option(
    "--before-role-change",
    "the roles in scope are about to be changed or deleted: fail while a task not yet STOPPED or an ACTIVE/DRAINING service uses them (with only --role, every cluster is read)",
  );
  cmd.option(
    "--plan <file>",
    "judge the roles a change touches as they will be once it runs: a Terraform JSON plan (terraform show -json tfplan > plan.json) or a CloudFormation change set (aws cloudformation describe-change-set --include-property-values --output json), told apart by content; with no other scope flag, the change's roles, with ECS read in every cluster",
  );
  cmd.option(
    "--change-set <name-or-arn>",
    "like --plan, for a CloudFormation change set described live (every page, nested stacks' change sets too); by name it needs --stack (cdk deploy --method=prepare-change-set --change-set-name NAME makes one)",
  );
  cmd.option("--stack <stack>", "the stack of a --change-set given by name");
  cmd.option(
    "--before-stack-delete <stack>",
    "the stack is about to be deleted: fail while a role the deletion removes (ListStackResources, nested stacks too; DeletionPolicy: Retain keeps one) still has a user",
  );
  cmd.option(
    "--template <file>",
    "the template file the change set's stack is deployed from: messages and SARIF results point at it",
  );
  for (const o of reportOptions()) cmd.addOption(o);
  for (const o of targetOptions()) cmd.addOption(o);
  cmd.action(async (flags: CheckFlags, command: Command) => {
    // The logger and the check load side by side: a live check's first request waits on both.
    const [log, { checkAction }] = await Promise.all([logFor(command), import("./check-run.ts")]);
    await checkAction(flags, io, log, setExit);
  });
  return cmd;
}
