import { findRule, rules } from "../../../rules/index.ts";
import { InputError } from "../../errors.ts";
import { ruleDocMarkdown } from "../../report/rule-doc.ts";
import type { Io } from "../io.ts";

/** What `rules` and `explain` print (./rules.ts defines the commands): the rules load only for them. */

/** The same text as docs/rules/<id>.md (a test keeps them in step). */
export function explainText(id: string): string {
  const rule = findRule(id);
  if (!rule)
    throw new InputError(`explain: unknown rule "${id}"; known rules: ${rules.map((r) => r.id).join(", ")}`);
  return ruleDocMarkdown(rule);
}

/** `rules`: one line per rule, its id, severity and summary. */
export function rulesAction(io: Io): void {
  const width = Math.max(...rules.map((r) => r.id.length));
  for (const r of rules)
    io.stdout.write(`${r.id.padEnd(width)}  ${r.severity.padEnd(4)}  ${r.docs.summary}\n`);
}
