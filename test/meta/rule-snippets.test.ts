import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { rules } from "../../rules/index.ts";
import { explainText } from "../../src/cli/commands/rules-run.ts";

/**
 * Remediation snippets (RuleDocs.snippets): every rule of severity fail has at least the AWS CLI one; a rule with
 * snippets has CloudFormation and Terraform too, or says why its fix is operational. `explain` shows them.
 */

describe("remediation snippets", () => {
  for (const rule of rules) {
    describe(rule.id, () => {
      const snippets = rule.snippets;
      if (rule.severity === "fail")
        it("has the AWS CLI snippet (severity fail)", () => {
          expect(snippets?.awsCli).toMatch(/^(# .*\n)*aws [a-z0-9-]+ [a-z-]+ /);
        });
      if (snippets)
        it("has CloudFormation and Terraform, or says the fix is operational", () => {
          if (snippets.operational) expect(snippets.operational.length).toBeGreaterThan(40);
          else {
            expect(snippets.cloudFormation).toMatch(/^[A-Za-z0-9]+:\n {2}Type: AWS::[A-Za-z]+::[A-Za-z]+\n/);
            expect(snippets.terraform).toMatch(/^(resource|data) "aws_[a-z_]+" "[a-z_]+" \{/m);
          }
          const text = explainText(rule.id);
          if (snippets.awsCli) expect(text).toContain(`### AWS CLI\n\n\`\`\`sh\n${snippets.awsCli}\n\`\`\``);
          if (snippets.cloudFormation)
            expect(text).toContain(`\`\`\`yaml\n${snippets.cloudFormation}\n\`\`\``);
          if (snippets.terraform) expect(text).toContain(`\`\`\`hcl\n${snippets.terraform}\n\`\`\``);
        });
    });
  }

  it("the rules that existed when snippets came all have them", () => {
    const ids = [
      "ecs-scope",
      "role-exists",
      "trust-policy",
      "volume-permissions",
      "managed-policy",
      "tasks-deprovisioning",
      "cloudtrail-errors",
      "leaked-volumes",
      "tls-permissions",
      "pass-role",
      "role-in-use",
      "planned-role-changes",
    ];
    expect(ids.filter((id) => !rules.find((r) => r.id === id)?.snippets)).toEqual([]);
  });

  it("CloudFormation snippets are YAML and AWS CLI policy documents are JSON", () => {
    const sub = { tag: "!Sub", resolve: (value: string) => ({ "Fn::Sub": value }) };
    const getAtt = { tag: "!GetAtt", resolve: (value: string) => ({ "Fn::GetAtt": value.split(".") }) };
    for (const rule of rules) {
      const snippets = rule.snippets;
      if (snippets?.cloudFormation) {
        const template = parse(snippets.cloudFormation, { customTags: [sub, getAtt] }) as Record<
          string,
          { Type?: string }
        >;
        for (const resource of Object.values(template)) expect(resource.Type, rule.id).toMatch(/^AWS::/);
      }
      for (const json of snippets?.awsCli?.match(/'(\{.*?\})'/g) ?? []) {
        if (json.includes("| @tsv")) continue;
        expect(() => JSON.parse(json.slice(1, -1)), `${rule.id}: ${json}`).not.toThrow();
      }
    }
  });
});
