import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { rules } from "../../rules/index.ts";
import reportSchema from "../../schema/report.schema.json" with { type: "json" };
import { parseConfig } from "../../src/engine/config.ts";
import type { Facts, VolumeFacts } from "../../src/facts/types.ts";
import { evaluate } from "../../src/pipeline/evaluate.ts";
import { formatReport } from "../../src/report/index.ts";
import { readSnapshot } from "../../src/snapshot/index.ts";
import { ACCOUNT, facts, ok, REGION, role } from "../support/facts.ts";

/** The leaked volumes' estimated monthly cost: per finding, and the total in every report format. */

const demo = await readSnapshot("fixtures/demo/account.json");
const LEAKED = `arn:aws:ec2:us-east-1:${ACCOUNT}:volume/vol-0a1b2c3d4e5f60008`;
const formats = (report: ReturnType<typeof evaluate>) => ({
  json: JSON.parse(formatReport(report, "json", { color: false, rules })),
  text: formatReport(report, "text", { color: false, rules }),
  markdown: formatReport(report, "markdown", { color: false, rules }),
  junit: formatReport(report, "junit", { color: false, rules }),
  sarif: JSON.parse(formatReport(report, "sarif", { color: false, rules })),
});

/** Two volumes left by a stopped task that ECS has forgotten: one gp3 at baseline, one of unknown type. */
function twoLeaks(): Facts {
  const volume = (volumeId: string, extra: Partial<VolumeFacts>): VolumeFacts => ({
    volumeId,
    state: "available",
    createTime: "2026-11-20T00:00:00.000Z",
    size: 100,
    tags: { AmazonECSManaged: "true", AmazonECSCreated: `arn:aws:ecs:${REGION}:${ACCOUNT}:task/prod/gone` },
    attachments: [],
    ...extra,
  });
  return {
    ...facts([role("ecsInfrastructureRole", { referencedBy: [] })], {
      ecs: { clusters: ok([]) },
      ec2: {
        volumes: ok([
          volume("vol-1", { volumeType: "gp3", iops: 3000, throughput: 125 }),
          volume("vol-2", {}),
        ]),
      },
    }),
    scope: { clusters: [], services: [], tasks: [], roles: [] },
  };
}

describe("leaked volumes' cost in the reports", () => {
  it("every format shows the total: the demo's one leak, gp3 500 GiB at 6,000 IOPS and 250 MiB/s = $60.00", () => {
    // 500 × $0.08 = $40.00; 3,000 × $0.005 = $15.00; 125 × $0.04 = $5.00.
    const report = evaluate(demo, { source: "snapshot" });
    expect(report.leakedVolumes).toEqual({ volumes: 1, estimatedMonthlyCostUsd: 60, unpricedVolumes: 0 });
    const out = formats(report);
    const validate = new Ajv2020({ strict: false, allErrors: true }).compile(reportSchema);
    expect(validate(out.json), JSON.stringify(validate.errors)).toBe(true);
    expect(out.json.leakedVolumes).toEqual(report.leakedVolumes);
    const finding = out.json.findings.find((f: { resource: string }) => f.resource === LEAKED);
    expect(finding.details.monthlyCostUsd).toBe(60);
    expect(finding.message).toMatch(/still costs an estimated \$60\.00 a month/);
    expect(out.text).toMatch(/\nLeaked volumes {2}1 leaked volume, an estimated \$60\.00 a month\nSummary /);
    expect(out.markdown).toContain("**Leaked volumes:** 1 leaked volume, an estimated $60.00 a month");
    expect(out.junit).toMatch(
      /<testsuite name="leaked-volumes"[^>]*>\n {4}<properties>\n {6}<property name="leakedVolumes" value="1"\/>\n {6}<property name="leakedVolumes.estimatedMonthlyCostUsd" value="60.00"\/>/,
    );
    expect(out.junit).toContain('value="1 leaked volume, an estimated $60.00 a month"');
    expect(out.sarif.runs[0].properties.leakedVolumes).toEqual(report.leakedVolumes);
  });

  it("a volume of unknown cost makes the total a lower bound, said so in every format", () => {
    const f = twoLeaks();
    const report = evaluate(f);
    expect(report.leakedVolumes).toEqual({ volumes: 2, estimatedMonthlyCostUsd: 8, unpricedVolumes: 1 });
    const out = formats(report);
    const words = "2 leaked volumes, an estimated $8.00 a month or more (1 of unknown cost)";
    expect(out.text).toContain(`Leaked volumes  ${words}`);
    expect(out.markdown).toContain(`**Leaked volumes:** ${words}`);
    expect(out.junit).toContain('<property name="leakedVolumes.unpricedVolumes" value="1"/>');
    expect(out.junit).toContain(`value="${words}"`);
    expect(out.sarif.runs[0].properties.leakedVolumes.unpricedVolumes).toBe(1);
    expect(
      out.json.findings.find((x: { resource: string }) => x.resource.endsWith("vol-2")).details
        .monthlyCostUsd,
    ).toBeNull();
  });

  it("config prices reach the rule through the engine", () => {
    // 500 × $0.10 = $50.00 + $15.00 + $5.00.
    const config = parseConfig(
      { prices: { gp3: { gibMonth: 0.1 } } },
      "c.json",
      rules.map((r) => r.id),
      [],
      rules,
    );
    const report = evaluate(demo, { config });
    expect(report.leakedVolumes?.estimatedMonthlyCostUsd).toBe(70);
  });

  it("nothing leaked: no total, and no line for it", () => {
    const f = { ...twoLeaks(), ec2: { volumes: ok([]) } };
    const report = evaluate(f);
    expect(report.leakedVolumes).toBeUndefined();
    const out = formats(report);
    expect("leakedVolumes" in out.json).toBe(false);
    expect(out.text).not.toMatch(/Leaked volumes/);
    expect(out.markdown).not.toMatch(/Leaked volumes/);
    expect(out.sarif.runs[0].properties.leakedVolumes).toBeUndefined();
  });
});
