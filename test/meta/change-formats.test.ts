import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * One change model, one adapter per format (DESIGN.md, "The change gate"): Terraform's resource types and words live
 * in src/changes/terraform/ only, the remediation text aside (the rules' snippets.ts, src/analysis/role-templates.ts,
 * rules/planned-role-changes/change-remediation.ts) and the rule's docs, which describe each format. Comments are left out: they may name what
 * they explain.
 */

const ROOT = join(import.meta.dirname, "../..");
const TERRAFORM_WORDS =
  /aws_iam_|aws_ecs_service|after_unknown|assume_role_policy|managed_policy_arns|terraform (apply|plan|show)|-target=/;

function files(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts") && !e.name.endsWith(".d.ts"))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)));
}

const code = (text: string) => text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");

/** The rule's code without its `docs: { … }` block (found by its braces). */
function withoutDocs(text: string): string {
  const start = text.indexOf("  docs: {");
  if (start < 0) return text;
  let depth = 0;
  for (let i = text.indexOf("{", start); i < text.length; i++) {
    if (text[i] === "{") depth++;
    if (text[i] === "}" && --depth === 0) return text.slice(0, start) + text.slice(i + 1);
  }
  return text;
}

describe("the change model knows no source format's words", () => {
  const checked = [
    ...["src/changes", "src/pipeline", "src/facts", "src/report", "src/analysis"].flatMap(files),
    "rules/planned-role-changes/index.ts",
  ].filter(
    (f) =>
      !f.startsWith("src/changes/terraform/") &&
      !f.endsWith("/snippets.ts") &&
      !f.endsWith("role-templates.ts") &&
      !f.endsWith("change-remediation.ts"),
  );

  it("checks the files it means to (the CloudFormation adapter, the apply, the rule)", () => {
    for (const f of [
      "src/changes/apply.ts",
      "src/changes/after-state.ts",
      "src/changes/cloudformation/role.ts",
    ])
      expect(checked).toContain(f);
    expect(
      TERRAFORM_WORDS.test(code(readFileSync(join(ROOT, "src/changes/terraform/touches.ts"), "utf8"))),
    ).toBe(true);
  });

  it.each(checked)("%s", (file) => {
    let text = code(readFileSync(join(ROOT, file), "utf8"));
    if (file.startsWith("rules/")) text = withoutDocs(text);
    const hits = text.split("\n").filter((line) => TERRAFORM_WORDS.test(line));
    expect(hits).toEqual([]);
  });
});
