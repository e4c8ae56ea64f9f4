import { describe, expect, it } from "vitest";
import { rules } from "../../rules/index.ts";
import { evaluate } from "../../src/pipeline/evaluate.ts";
import { EMF_METRICS, emfLines } from "../../src/report/emf.ts";
import type { Report } from "../../src/report/types.ts";
import { readSnapshot } from "../../src/snapshot/index.ts";

/** CloudWatch Embedded Metric Format lines, checked against the structure the EMF specification requires. */

const demo = await readSnapshot("fixtures/demo/account.json");
const startedAt = new Date("2026-11-30T08:00:00.000Z");
// A fixed set of rules, so that the known run stays known when rules are added.
const RULE_IDS = [
  "role-exists",
  "trust-policy",
  "volume-permissions",
  "tasks-deprovisioning",
  "leaked-volumes",
  "cloudtrail-errors",
];
const report: Report = {
  ...evaluate(demo, {
    source: "snapshot",
    snapshot: "demo.json",
    startedAt,
    rules: rules.filter((r) => RULE_IDS.includes(r.id)),
  }),
  durationMs: 1234,
};

/** The specification's MUSTs: a JSON object line; _aws.Timestamp and CloudWatchMetrics; every target member. */
function specProblems(line: string): string[] {
  const problems: string[] = [];
  if (line.includes("\n")) problems.push("a log event is one line");
  const doc = JSON.parse(line) as Record<string, unknown> & {
    _aws?: { Timestamp?: unknown; CloudWatchMetrics?: unknown };
  };
  const meta = doc._aws;
  if (!meta || typeof meta !== "object") return ["_aws must be an object"];
  if (typeof meta.Timestamp !== "number" || !Number.isInteger(meta.Timestamp))
    problems.push("_aws.Timestamp must be milliseconds since the epoch");
  if (!Array.isArray(meta.CloudWatchMetrics) || !meta.CloudWatchMetrics.length)
    return [...problems, "_aws.CloudWatchMetrics must be a non-empty array"];
  const units = new Set(["Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes"]);
  for (const u of [
    "Gigabytes",
    "Terabytes",
    "Bits",
    "Kilobits",
    "Megabits",
    "Gigabits",
    "Terabits",
    "Percent",
  ])
    units.add(u);
  for (const u of ["Count", "Bytes/Second", "Count/Second", "None"]) units.add(u);
  for (const directive of meta.CloudWatchMetrics as Record<string, unknown>[]) {
    const { Namespace, Dimensions, Metrics } = directive as {
      Namespace: unknown;
      Dimensions: unknown;
      Metrics: unknown;
    };
    if (typeof Namespace !== "string" || !Namespace || Namespace.length > 255) problems.push("Namespace");
    if (!Array.isArray(Dimensions)) problems.push("Dimensions must be an array of dimension sets");
    for (const set of (Dimensions as unknown[]) ?? []) {
      if (!Array.isArray(set) || set.length > 30) problems.push("a dimension set is an array of at most 30");
      for (const name of set as unknown[])
        if (typeof name !== "string" || typeof doc[name] !== "string")
          problems.push(`dimension ${String(name)} must be a string member of the root`);
    }
    if (!Array.isArray(Metrics) || Metrics.length > 100) problems.push("Metrics: an array of at most 100");
    for (const m of (Metrics as { Name?: unknown; Unit?: unknown }[]) ?? []) {
      if (typeof m.Name !== "string" || m.Name.length > 1024) problems.push("metric Name");
      if (m.Unit !== undefined && !units.has(String(m.Unit))) problems.push(`unit ${String(m.Unit)}`);
      if (typeof doc[String(m.Name)] !== "number") problems.push(`metric ${String(m.Name)} must be a number`);
    }
  }
  return problems;
}

const METRICS =
  '[{"Name":"FindingsPass","Unit":"Count"},{"Name":"FindingsWarn","Unit":"Count"},{"Name":"FindingsFail","Unit":"Count"},' +
  '{"Name":"FindingsUnknown","Unit":"Count"},{"Name":"FindingsSkipped","Unit":"Count"},{"Name":"Suppressed","Unit":"Count"},{"Name":"StuckTasks","Unit":"Count"},' +
  '{"Name":"LeakedVolumes","Unit":"Count"},{"Name":"LeakedVolumeGiB","Unit":"Gigabytes"},' +
  '{"Name":"FailedTrailCalls","Unit":"Count"},{"Name":"DurationMs","Unit":"Milliseconds"},' +
  '{"Name":"AwsCalls","Unit":"Count"},{"Name":"AwsRetries","Unit":"Count"},{"Name":"AwsThrottled","Unit":"Count"}]';

describe("--emf lines", () => {
  it("are exactly this for the demo account (seven failures, two stuck tasks, one 500 GiB leaked volume, four failed calls)", () => {
    expect(emfLines(report, rules)).toEqual([
      `{"_aws":{"Timestamp":1796025600000,"CloudWatchMetrics":[{"Namespace":"ECSPreflight","Dimensions":[["Account","Region"]],"Metrics":${METRICS}}]},` +
        '"Account":"111122223333","Region":"us-east-1","Verdict":"fail","FindingsPass":26,"FindingsWarn":1,"FindingsFail":7,' +
        '"FindingsUnknown":0,"FindingsSkipped":0,"Suppressed":0,"StuckTasks":2,"LeakedVolumes":1,"LeakedVolumeGiB":500,"FailedTrailCalls":4,"DurationMs":1234,' +
        '"AwsCalls":0,"AwsRetries":0,"AwsThrottled":0}',
    ]);
  });

  it("count the run's AWS calls, retries and throttled answers (a snapshot's are zero), per target too", () => {
    const [line] = emfLines({ ...report, aws: { calls: 40, retries: 7, throttled: 6 } }, rules).map((l) =>
      JSON.parse(l),
    );
    expect([line.AwsCalls, line.AwsRetries, line.AwsThrottled]).toEqual([40, 7, 6]);
    const target = (account: string, aws: { calls: number; retries: number; throttled: number }) => ({
      account,
      region: "us-east-1",
      verdict: "pass" as const,
      exitCode: 0,
      summary: report.summary,
      durationMs: 1,
      trail: {},
      aws,
    });
    const lines = emfLines(
      {
        ...report,
        targets: [
          target("111111111111", { calls: 5, retries: 1, throttled: 1 }),
          target("222222222222", { calls: 9, retries: 0, throttled: 0 }),
        ],
      },
      rules,
    ).map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.Account, l.AwsCalls, l.AwsRetries, l.AwsThrottled])).toEqual([
      ["111111111111", 5, 1, 1],
      ["222222222222", 9, 0, 0],
    ]);
  });

  it("agree with the report: counts by status, and failed calls as the trail summary counts them", () => {
    const [line] = emfLines(report, rules).map((l) => JSON.parse(l));
    expect([line.FindingsPass, line.FindingsWarn, line.FindingsFail, line.FindingsUnknown]).toEqual([
      report.summary.pass,
      report.summary.warn,
      report.summary.fail,
      report.summary.unknown,
    ]);
    const failedInTrail = Object.values(report.trail)
      .flat()
      .flatMap((role) => Object.values(role.counts))
      .flatMap((outcomes) => Object.entries(outcomes))
      .filter(([outcome]) => outcome !== "success")
      .reduce((n, [, count]) => n + count, 0);
    expect(line.FailedTrailCalls).toBe(failedInTrail);
    expect(line.Timestamp).toBeUndefined();
    expect(line._aws.Timestamp).toBe(startedAt.getTime());
  });

  it("meet the specification's required structure, and the check catches a broken line", () => {
    const [line = ""] = emfLines(report, rules);
    expect(specProblems(line)).toEqual([]);
    const broken = JSON.parse(line);
    delete broken.Region;
    broken.DurationMs = "1234";
    expect(specProblems(JSON.stringify(broken))).toEqual([
      "dimension Region must be a string member of the root",
      "metric DurationMs must be a number",
    ]);
  });

  it("name the account unknown when GetCallerIdentity failed (a dimension must have a value)", () => {
    const [line = ""] = emfLines({ ...report, account: null }, rules);
    expect(JSON.parse(line).Account).toBe("unknown");
    expect(specProblems(line)).toEqual([]);
  });

  it("are one per target when the report has targets, each with its own findings", () => {
    const [a, b] = report.findings;
    if (!a || !b) throw new Error("the demo has findings");
    const targeted = {
      ...report,
      targets: [
        { account: "111111111111", region: "eu-west-1", verdict: "fail" },
        { account: "222222222222", region: "us-east-1", verdict: "pass" },
      ],
      findings: [
        { ...a, status: "fail", account: "111111111111", region: "eu-west-1" },
        { ...b, status: "pass", account: "222222222222", region: "us-east-1" },
        { ...b, status: "pass", account: "222222222222", region: "us-east-1" },
      ],
    } as unknown as Report;
    const lines = emfLines(targeted, rules).map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.Account, l.Region, l.Verdict, l.FindingsFail, l.FindingsPass])).toEqual([
      ["111111111111", "eu-west-1", "fail", 1, 0],
      ["222222222222", "us-east-1", "pass", 0, 2],
    ]);
    for (const l of emfLines(targeted, rules)) expect(specProblems(l)).toEqual([]);
  });

  it("declare each metric once, with a unit", () => {
    const names = EMF_METRICS.map((m) => m.Name);
    expect(new Set(names).size).toBe(names.length);
    for (const m of EMF_METRICS) expect(m.Unit).toBeTruthy();
  });
});
