import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { rules } from "../../rules/index.ts";
import reportSchema from "../../schema/report.schema.json" with { type: "json" };
import { judgeFindings } from "../../src/engine/evaluate.ts";
import type { Finding } from "../../src/engine/finding.ts";
import { evaluate } from "../../src/pipeline/evaluate.ts";
import { emfLines } from "../../src/report/emf.ts";
import { formatReport } from "../../src/report/index.ts";
import type { Report } from "../../src/report/types.ts";
import { readSnapshot } from "../../src/snapshot/index.ts";

/** `skipped` (issue 15 item 2): counted, shown as "Not judged" in every format, exits like a pass. */

const demo = await readSnapshot("fixtures/demo/account.json");
const ROLE = "arn:aws:iam::111122223333:role/ecs-infra-orders";
const SKIP: Finding = {
  rule: "pass-role",
  status: "skipped",
  resource: ROLE,
  message: "No deploying principal is known for ecs-infra-orders: name one with --principal ARN.",
  remediation: "ecs-preflight check --principal arn:aws:iam::111122223333:role/deployer",
};

/** The demo's passes only, plus one skip: a run that is safe, with something it could not judge. */
function withSkip(): Report {
  const base = evaluate(demo, { source: "snapshot", snapshot: "demo.json" });
  const deploying = new Set(rules.filter((r) => r.concern === "deploying-services").map((r) => r.id));
  const findings = [...base.findings.filter((f) => f.status === "pass" && !deploying.has(f.rule)), SKIP];
  const { summary, verdict, exitCode, concerns } = judgeFindings(findings, rules, "fail");
  const { leakedVolumes: _none, ...rest } = base;
  return { ...rest, summary, verdict, exitCode, concerns, findings };
}
const report = withSkip();
const render = (format: "text" | "json" | "junit" | "sarif" | "markdown") =>
  formatReport(report, format, { color: false, rules });

describe("a skipped finding", () => {
  it("exits like a pass and is counted in the summary", () => {
    expect([report.verdict, report.exitCode]).toEqual(["pass", 0]);
    expect(report.summary.skipped).toBe(1);
  });

  it("json: validates against the schema, status skipped", () => {
    const json = JSON.parse(render("json"));
    const validate = new Ajv2020({ strict: false, allErrors: true }).compile(reportSchema);
    expect(validate(json), JSON.stringify(validate.errors)).toBe(true);
    expect(json.findings.at(-1).status).toBe("skipped");
    expect(json.concerns["deploying-services"]).toMatchObject({ status: "skipped", skipped: ["pass-role"] });
  });

  it("text: a Not judged section with why and how to get it judged, never under Verified", () => {
    const text = render("text");
    expect(text).toContain(`Not judged\n  – pass-role  ${ROLE}\n      ${SKIP.message}\n      To judge it:\n`);
    expect(text.indexOf("Not judged")).toBeLessThan(text.indexOf("Verified"));
    expect(text.slice(text.indexOf("Verified"))).not.toContain(SKIP.message);
    expect(text).toMatch(/Summary {2}0 fail · 0 unknown · 0 warn · \d+ pass · 1 skipped/);
  });

  it("markdown: a Not judged section, left out of the findings table", () => {
    const md = render("markdown");
    expect(md).toContain("### Not judged");
    expect(md).toContain(`- \`pass-role\` · \`${ROLE}\`: ${SKIP.message}`);
    expect(md).not.toMatch(/\| .*skipped \| `pass-role`/);
    expect(md).toMatch(/· 1 skipped/);
  });

  it("junit: a skipped test case saying it was not judged", () => {
    const xml = render("junit");
    expect(xml).toContain(`<skipped message="not judged: ${SKIP.message}"/>`);
    expect(xml).toMatch(/<testsuite name="pass-role" tests="\d+" failures="0" errors="0" skipped="1"/);
  });

  it("sarif: no result (like a pass), counted in the run's properties", () => {
    const sarif = JSON.parse(render("sarif"));
    expect(sarif.runs[0].results).toEqual([]);
    expect(sarif.runs[0].properties.summary.skipped).toBe(1);
  });

  it("emf: counted as FindingsSkipped", () => {
    const [line = "{}"] = emfLines(report, rules);
    expect(JSON.parse(line).FindingsSkipped).toBe(1);
  });
});
