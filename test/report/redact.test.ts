import { describe, expect, it } from "vitest";
import { rules } from "../../rules/index.ts";
import { evaluate } from "../../src/pipeline/evaluate.ts";
import { FORMATS, formatReport } from "../../src/report/index.ts";
import { redactReport } from "../../src/report/redact.ts";
import { readSnapshot } from "../../src/snapshot/index.ts";

const demo = await readSnapshot("fixtures/demo/account.json");
const report = evaluate(demo, { source: "snapshot" });
const redacted = redactReport(report);

describe("--redact", () => {
  it.each(FORMATS)("%s output names no account id and no role", (format) => {
    const out = formatReport(redacted, format, { color: false, rules });
    expect(out).not.toMatch(/111122223333/);
    for (const role of demo.roles) expect(out, role.name).not.toContain(role.name);
    expect(out).toContain("************");
  });

  it("keeps findings apart and consistent: the same role gets the same pseudonym in ARN and fix", () => {
    const f = redacted.findings.find((x) => x.rule === "trust-policy" && x.status === "fail");
    const pseudo = /role\/(role-[0-9a-f]{6})/.exec(f?.resource ?? "")?.[1];
    expect(pseudo).toBeTruthy();
    expect(f?.remediation).toContain(`--role-name ${pseudo}`);
    expect(new Set(redacted.findings.map((x) => x.resource)).size).toBe(
      new Set(report.findings.map((x) => x.resource)).size,
    );
  });

  it("keeps AWS-owned ARNs, which are public", () => {
    expect(JSON.stringify(redacted)).toContain(
      "arn:aws:iam::aws:policy/service-role/AmazonECSInfrastructureRolePolicyForVolumes",
    );
    expect(redacted.verdict).toBe(report.verdict);
    expect(redacted.summary).toEqual(report.summary);
  });
});
