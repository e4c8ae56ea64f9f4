import { Command } from "commander";
import type { Io } from "../io.ts";

/** The `rules` and `explain` commands. The rules load when one of them runs (./rules-run.ts). */

export function rulesCommand(io: Io): Command {
  return new Command("rules").summary("list the rules and what each checks").action(async () => {
    const { rulesAction } = await import("./rules-run.ts");
    rulesAction(io);
  });
}

export function explainCommand(io: Io): Command {
  return new Command("explain")
    .summary("print a rule's documentation: what it checks, why, and how to fix it")
    .argument("<rule-id>", "a rule id, as listed by `ecs-preflight rules`")
    .action(async (id: string) => {
      const { explainText } = await import("./rules-run.ts");
      io.stdout.write(explainText(id));
    });
}
