import { Command } from "commander";
import { findRule, rules } from "../../../rules/index.ts";
import { InputError } from "../../errors.ts";
import { ruleDocMarkdown } from "../../report/rule-doc.ts";
import type { Io } from "../io.ts";

export function rulesCommand(io: Io): Command {
  return new Command("rules").summary("list the rules and what each checks").action(() => {
    const width = Math.max(...rules.map((r) => r.id.length));
    for (const r of rules)
      io.stdout.write(`${r.id.padEnd(width)}  ${r.severity.padEnd(4)}  ${r.docs.summary}\n`);
  });
}

/** The same text as docs/rules/<id>.md (a test keeps them in step). */
export function explainText(id: string): string {
  const rule = findRule(id);
  if (!rule)
    throw new InputError(`explain: unknown rule "${id}"; known rules: ${rules.map((r) => r.id).join(", ")}`);
  return ruleDocMarkdown(rule);
}

export function explainCommand(io: Io): Command {
  return new Command("explain")
    .summary("print a rule's documentation: what it checks, why, and how to fix it")
    .argument("<rule-id>", "a rule id, as listed by `ecs-preflight rules`")
    .action((id: string) => {
      io.stdout.write(explainText(id));
    });
}
