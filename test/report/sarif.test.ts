import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Ajv2020 } from "ajv/dist/2020.js";
import ajvDraft04 from "ajv-draft-04";
import ajvFormats from "ajv-formats";
import { Validator } from "jsonschema";
import { describe, expect, it } from "vitest";
import pkg from "../../package.json" with { type: "json" };
import { rules } from "../../rules/index.ts";
import { evaluate } from "../../src/pipeline/evaluate.ts";
import { formatReport } from "../../src/report/index.ts";
import { REPOSITORY_URL } from "../../src/report/rule-doc.ts";
import { FINGERPRINT_KEY } from "../../src/report/sarif.ts";
import type { Report } from "../../src/report/types.ts";
import { readSnapshot } from "../../src/snapshot/index.ts";
import githubSchema from "./schemas/github-code-scanning-sarif-schema-2.1.0.json" with { type: "json" };
import oasisSchema from "./schemas/sarif-schema-2.1.0.json" with { type: "json" };

/** SARIF that GitHub code scanning takes: both published schemas, the SARIF Multitool's GitHub rules, stable alerts. */

interface SarifResult {
  ruleId: string;
  message: { text: string };
  locations: {
    physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } };
    logicalLocations: { fullyQualifiedName: string }[];
  }[];
  partialFingerprints: Record<string, string>;
}
interface SarifRule {
  id: string;
  help: { text: string; markdown: string };
  helpUri: string;
}

const demo = await readSnapshot("fixtures/demo/account.json");
const report: Report = evaluate(demo, { source: "snapshot", snapshot: "demo.json" });
const sarifOf = (r: Report, changeFile?: string) =>
  JSON.parse(formatReport(r, "sarif", { color: false, rules, ...(changeFile ? { changeFile } : {}) }));
const resultsOf = (r: Report, changeFile?: string): SarifResult[] => sarifOf(r, changeFile).runs[0].results;

// CommonJS packages: their default export is the module's `default` property.
const addFormats = ajvFormats.default;
const AjvDraft04 = ajvDraft04.default;

/**
 * GitHub's schema, checked twice: with the validator GitHub's upload-sarif runs on it (jsonschema 1.5.0), and with
 * Ajv. Ajv refuses the schema as a schema (an `anyOf` sits inside `region.properties`), so it compiles it without
 * checking it first. Stricter than upload-sarif, which downgrades bad URIs to warnings: here they are errors.
 */
const githubAjv = addFormats(new Ajv2020({ strict: false, validateSchema: false, allErrors: true })).compile(
  githubSchema,
);
function github(data: unknown): string {
  const { errors } = new Validator().validate(data, githubSchema as never);
  const ajv = githubAjv(data)
    ? []
    : (githubAjv.errors ?? []).map((e) => `ajv: ${e.instancePath} ${e.message}`);
  return [...errors.map((e) => e.stack), ...ajv].join("\n");
}

const oasisValidate = addFormats(new AjvDraft04({ strict: false, allErrors: true })).compile(oasisSchema);
function oasis(data: unknown): string {
  return oasisValidate(data) ? "" : JSON.stringify(oasisValidate.errors, null, 2);
}

describe("SARIF for GitHub code scanning", () => {
  it.each([
    ["no change file", undefined],
    ["a change file", "deploy/ecs-preflight.json"],
  ])(
    "validates against GitHub's upload schema and the OASIS SARIF 2.1.0 schema (%s)",
    (_what, changeFile) => {
      const sarif = sarifOf(report, changeFile);
      expect(sarif.runs[0].results.length).toBeGreaterThan(3);
      expect(github(sarif)).toBe("");
      expect(oasis(sarif)).toBe("");
    },
  );

  it("the schemas do catch what code scanning rejects (a result with a bad level)", () => {
    const sarif = sarifOf(report);
    sarif.runs[0].results[0].level = "critical";
    expect(github(sarif)).toMatch(/^instance\.runs\[0\]\.results\[0\]\.level is not one of enum values/m);
    expect(github(sarif)).toMatch(
      /^ajv: \/runs\/0\/results\/0\/level must be equal to one of the allowed values/m,
    );
    expect(oasis(sarif)).not.toBe("");
  });

  it("passes @microsoft/sarif-multitool validate with its SARIF and GitHub (GH) rules, without an error", () => {
    const dir = mkdtempSync(join(tmpdir(), "sarif-"));
    const input = join(dir, "ecs-preflight.sarif");
    const control = join(dir, "no-locations.sarif");
    const output = join(dir, "validation.sarif");
    // The launcher package resolves the platform binary (a self-contained .NET build shipped in the npm package).
    const binary = createRequire(import.meta.url)("@microsoft/sarif-multitool") as string;
    writeFileSync(input, formatReport(report, "sarif", { color: false, rules }));
    // The control: the validator does apply GitHub's rules, so a result without locations is flagged (GH1015).
    const before = sarifOf(report);
    for (const r of before.runs[0].results) delete r.locations;
    writeFileSync(control, JSON.stringify(before));
    // Both files in one run of the validator (its .NET start-up is most of its time); results name their file.
    const res = spawnSync(
      binary,
      ["validate", input, control, "--rule-kind", "Sarif;Gh", "-o", output, "--log", "ForceOverwrite"],
      { encoding: "utf8" },
    );
    expect(res.status, `${res.stdout}${res.stderr}`).toBe(0);
    const results: {
      ruleId: string;
      level?: string;
      message: { text?: string };
      locations?: { physicalLocation?: { artifactLocation?: { uri?: string } } }[];
    }[] = JSON.parse(readFileSync(output, "utf8")).runs[0].results ?? [];
    const about = (file: string) =>
      results.filter(
        (r) => r.locations?.[0]?.physicalLocation?.artifactLocation?.uri === pathToFileURL(file).href,
      );
    expect(about(input).length + about(control).length).toBe(results.length);
    expect(about(input).filter((r) => r.level === "error" || r.ruleId.startsWith("GH"))).toEqual([]);
    expect(about(control).map((r) => r.ruleId)).toContain("GH1015");
  }, 60_000);

  it("gives every result a repository-relative location naming the account, Region and resource", () => {
    const results = resultsOf(report);
    for (const r of results) {
      const [where] = r.locations;
      const uri = where?.physicalLocation.artifactLocation.uri ?? "";
      expect(uri).not.toMatch(/^[a-z][a-z0-9+.-]*:|^\//i);
      expect(uri.startsWith(`aws/${report.account}/${report.region}/`), uri).toBe(true);
      expect(where?.physicalLocation.region).toEqual({ startLine: 1 });
    }
    const role = results.find((r) => r.ruleId === "role-exists");
    const arn = role?.locations[0]?.logicalLocations[0]?.fullyQualifiedName ?? "";
    expect(role?.locations[0]?.physicalLocation.artifactLocation.uri).toBe(
      `aws/${report.account}/${report.region}/iam/role/${arn.split("/").slice(1).join("/")}`,
    );
  });

  it("points every result at the change file when there is one", () => {
    const uris = resultsOf(report, "infra/plan.json").map(
      (r) => r.locations[0]?.physicalLocation.artifactLocation.uri,
    );
    expect(new Set(uris)).toEqual(new Set(["infra/plan.json"]));
    expect(
      resultsOf(report, "infra\\my plan.json")[0]?.locations[0]?.physicalLocation.artifactLocation.uri,
    ).toBe("infra/my%20plan.json");
  });

  it("points a planned change's result at its line in the template, naming the stack's logical id", () => {
    const template = [
      "Resources:",
      "  Queue:",
      "    Type: AWS::SQS::Queue",
      "  InfraRole:",
      "    Type: AWS::IAM::Role",
    ].join("\n");
    const location = {
      format: "cloudformation",
      stack: "prod-ecs",
      logicalId: "InfraRole",
      template: "infra/template.yaml",
    };
    const planned: Report = {
      ...report,
      findings: [
        {
          rule: "planned-role-changes",
          status: "fail",
          resource: "arn:aws:iam::111122223333:role/ecs-infra",
          message: "prod-ecs/InfraRole deletes the role",
          remediation: "Safe order: …",
          details: {
            changes: [
              {
                address: "prod-ecs/InfraRole",
                location,
                type: "AWS::IAM::Role",
                actions: ["Remove"],
                kind: "delete-role",
                summary: "deletes the role",
              },
            ],
          },
        },
      ],
    };
    const sarif = JSON.parse(
      formatReport(planned, "sarif", {
        color: false,
        rules,
        changeFile: "infra/template.yaml",
        changeText: template,
      }),
    );
    const [result] = sarif.runs[0].results as SarifResult[];
    expect(result?.locations[0]?.physicalLocation).toEqual({
      artifactLocation: { uri: "infra/template.yaml" },
      region: { startLine: 4 },
    });
    expect(result?.locations[0]?.logicalLocations.map((l) => l.fullyQualifiedName)).toContain(
      "prod-ecs/InfraRole",
    );
    expect(github(sarif)).toBe("");
    expect(oasis(sarif)).toBe("");
    // A Terraform plan: the line of the resource's address.
    const plan = ["{", '  "resource_changes": [', "    {", '      "address": "aws_iam_role.infra",'].join(
      "\n",
    );
    const terraform = structuredClone(planned);
    const change = (terraform.findings[0]?.details?.changes as { location: unknown }[] | undefined)?.[0];
    if (change) change.location = { format: "terraform", address: "aws_iam_role.infra" };
    const lines = JSON.parse(
      formatReport(terraform, "sarif", { color: false, rules, changeFile: "plan.json", changeText: plan }),
    );
    expect(lines.runs[0].results[0].locations[0].physicalLocation.region).toEqual({ startLine: 4 });
  });

  it("keeps one fingerprint per rule and resource across runs whose messages differ", () => {
    const later = evaluate(
      { ...demo, collectedAt: new Date(Date.parse(demo.collectedAt) + 3_600_000).toISOString() },
      { source: "snapshot", snapshot: "demo.json" },
    );
    const byKey = (rs: SarifResult[]) =>
      Object.fromEntries(
        rs.map((r) => [`${r.ruleId} ${r.locations[0]?.logicalLocations[0]?.fullyQualifiedName}`, r]),
      );
    const first = byKey(resultsOf(report));
    const second = byKey(resultsOf(later));
    expect(Object.keys(second).sort()).toEqual(Object.keys(first).sort());
    let differentMessages = 0;
    for (const [key, r] of Object.entries(first)) {
      expect(second[key]?.partialFingerprints, key).toEqual(r.partialFingerprints);
      if (second[key]?.message.text !== r.message.text) differentMessages++;
    }
    // The stuck task's message says for how long: the hour later changes it, and not its fingerprint.
    expect(differentMessages).toBeGreaterThan(0);
    const prints = Object.values(first).map((r) => r.partialFingerprints[FINGERPRINT_KEY]);
    expect(new Set(prints).size).toBe(prints.length);
    for (const p of prints) expect(p).toMatch(/^[0-9a-f]{32}$/);
  });

  it("describes each rule with help (text and Markdown) and a helpUri to its doc in the repository", () => {
    const driverRules: SarifRule[] = sarifOf(report).runs[0].tool.driver.rules;
    for (const r of driverRules) {
      expect(r.helpUri).toBe(`${REPOSITORY_URL}/blob/main/docs/rules/${r.id}.md`);
      expect(r.help.markdown).toBe(readFileSync(`docs/rules/${r.id}.md`, "utf8"));
      expect(r.help.text).toContain(rules.find((x) => x.id === r.id)?.docs.remediation);
    }
  });

  it("names the repository package.json names", () => {
    expect(pkg.homepage.replace(/#.*$/, "")).toBe(REPOSITORY_URL);
    expect(pkg.repository.url).toBe(`git+${REPOSITORY_URL}.git`);
  });
});

describe("SARIF: every result's rule is described", () => {
  it("a target the fan-out could not reach (target-access, not a rule of rules/) gets a descriptor too", () => {
    const unreachable = {
      ...report,
      findings: [
        ...report.findings,
        {
          rule: "target-access",
          status: "unknown" as const,
          resource: "arn:aws:iam::444455556666:role/EcsPreflightAudit",
          message: "Could not check account 444455556666 in us-east-1: AccessDenied",
          account: "444455556666",
          region: "us-east-1",
        },
      ],
    };
    for (const r of [report, unreachable]) {
      const sarif = JSON.parse(formatReport(r, "sarif", { color: false, rules }));
      const described = new Set(sarif.runs[0].tool.driver.rules.map((d: { id: string }) => d.id));
      const used = sarif.runs[0].results.map((x: { ruleId: string }) => x.ruleId);
      expect(used.filter((id: string) => !described.has(id))).toEqual([]);
      expect(described.has("target-access")).toBe(r === unreachable);
    }
  });
});
