import { CONCERN_TITLES } from "../engine/concerns.ts";
import type { RemediationSnippets, Rule } from "../engine/rule.ts";

/** The repository's web address; package.json `homepage` and `repository` name it too (a test keeps them equal). */
export const REPOSITORY_URL = "https://github.com/ecs-preflight/ecs-preflight";

/** Where a rule's documentation lives on the web: its docs/rules page in the repository (SARIF `helpUri`). */
export function ruleDocUrl(id: string): string {
  return `${REPOSITORY_URL}/blob/main/docs/rules/${id}.md`;
}

const SNIPPETS: { key: keyof RemediationSnippets; title: string; fence: string }[] = [
  { key: "awsCli", title: "AWS CLI", fence: "sh" },
  { key: "cloudFormation", title: "CloudFormation", fence: "yaml" },
  { key: "terraform", title: "Terraform", fence: "hcl" },
];

/** The snippets section of a rule's doc: one fenced block per tool, or the sentence saying the fix is operational. */
export function snippetsMarkdown(snippets: RemediationSnippets | undefined): string[] {
  if (!snippets) return [];
  const out: string[] = [];
  for (const { key, title, fence } of SNIPPETS) {
    const code = snippets[key];
    if (code) out.push(`### ${title}`, "", `\`\`\`${fence}`, code.trimEnd(), "```", "");
  }
  if (snippets.operational) out.push(snippets.operational, "");
  return out;
}

/** A rule's documentation as Markdown: `explain ID`, docs/rules/<id>.md and SARIF rule help are this text. */
export function ruleDocMarkdown(rule: Rule): string {
  return [
    `# ${rule.id}: ${rule.title}`,
    "",
    `Severity: ${rule.severity} · Concern: ${CONCERN_TITLES[rule.concern]} (\`${rule.concern}\`)`,
    "",
    rule.docs.summary,
    "",
    "## Why it matters",
    "",
    rule.docs.rationale,
    "",
    "## How to fix",
    "",
    rule.docs.remediation,
    "",
    "## Remediation snippets",
    "",
    ...snippetsMarkdown(rule.snippets),
  ].join("\n");
}
