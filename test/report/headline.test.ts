import { describe, expect, it } from "vitest";
import { rules } from "../../rules/index.ts";
import { concernsOf } from "../../src/engine/concerns.ts";
import { concernIndex, judgeFindings } from "../../src/engine/evaluate.ts";
import type { Finding } from "../../src/engine/finding.ts";
import type { Status } from "../../src/engine/status.ts";
import { headlineOf } from "../../src/report/headline.ts";
import { formatReport } from "../../src/report/index.ts";
import type { Report } from "../../src/report/types.ts";

/** The headline names the concern that failed and says how stopping tasks stands (issue 15 item 3). */

const ROLE = "arn:aws:iam::111122223333:role/ecsInfrastructureRole";
const f = (rule: string, status: Status, extra: Partial<Finding> = {}): Finding => ({
  rule,
  status,
  resource: ROLE,
  message: `${rule} ${status}`,
  ...extra,
});

function headline(findings: Finding[]): string {
  const { concerns, verdict } = judgeFindings(findings, rules, "fail");
  return headlineOf(concerns, verdict, findings, rules);
}

function report(findings: Finding[]): Report {
  const judged = judgeFindings(findings, rules, "fail");
  return {
    schemaVersion: 1,
    tool: { name: "ecs-preflight", version: "0.0.0" },
    verdict: judged.verdict,
    exitCode: judged.exitCode,
    failOn: "fail",
    region: "us-east-1",
    account: "111122223333",
    scope: { clusters: [], services: [], tasks: [], roles: [], source: "aws" },
    startedAt: "2026-12-01T00:00:00.000Z",
    collectedAt: "2026-12-01T00:00:00.000Z",
    durationMs: 1,
    summary: judged.summary,
    concerns: judged.concerns,
    findings,
    trail: {},
  };
}

describe("the headline", () => {
  it.each<[string, Finding[], string]>([
    [
      "everything passes",
      [f("role-exists", "pass"), f("pass-role", "pass")],
      "safe to stop the tasks in scope",
    ],
    [
      "only a deploying rule fails: stopping tasks is still safe, said so",
      [f("role-exists", "pass"), f("volume-permissions", "pass"), f("pass-role", "fail")],
      "deploys that pass ecsInfrastructureRole to ECS would fail · stopping tasks: safe",
    ],
    [
      "a stopping-tasks rule fails: NOT safe to stop tasks, first",
      [f("pass-role", "fail"), f("trust-policy", "fail")],
      "NOT safe to stop tasks · deploys that pass ecsInfrastructureRole to ECS would fail",
    ],
    [
      "stopping tasks could not be decided",
      [f("ecs-scope", "unknown"), f("pass-role", "pass")],
      "could not decide whether stopping tasks is safe: some checks could not be made",
    ],
    [
      "a deploying rule could not judge anybody: not judged, and stopping tasks safe",
      [f("role-exists", "pass"), f("pass-role", "skipped")],
      "safe to stop the tasks in scope · deploying services: not judged",
    ],
    [
      "before a role change: the role is in use by tasks (their EBS volumes)",
      [
        f("role-exists", "pass"),
        f("role-in-use", "fail", { details: { tasks: [{ arn: "t" }], services: [] } }),
      ],
      "changing or deleting ecsInfrastructureRole now breaks what uses it (EBS volumes) · stopping tasks: safe",
    ],
    [
      "before a role change: a Managed Instances capacity provider and an Express service use it, no task",
      [
        f("role-in-use", "fail", {
          details: {
            tasks: [],
            services: [],
            capacityProviders: [{ arn: "cp", use: "managed-instances" }],
            expressServices: [{ arn: "x", use: "express" }],
          },
        }),
      ],
      "changing or deleting ecsInfrastructureRole now breaks what uses it (Managed Instances and Express Mode) · stopping tasks: safe",
    ],
    [
      "before a role change, with no details to say what uses it",
      [f("role-in-use", "fail")],
      "changing or deleting ecsInfrastructureRole now breaks what uses it · stopping tasks: safe",
    ],
    [
      "a planned change breaking a blue/green load balancer and VPC Lattice (never EBS volumes)",
      [
        f("planned-role-changes", "fail", {
          details: { tasks: ["arn:aws:ecs:us-east-1:1:task/c/t"], uses: ["vpc-lattice", "load-balancer"] },
        }),
      ],
      "the planned change to ecsInfrastructureRole would break what uses it (VPC Lattice and blue/green load balancer) · stopping tasks: safe",
    ],
    [
      "managed-policy warns about the TLS policy: a warning about deploying services, not about stopping tasks",
      [f("role-exists", "pass"), f("managed-policy", "warn", { concern: "deploying-services" })],
      "deploying services: warnings · stopping tasks: safe",
    ],
    [
      "managed-policy warns about the volumes policy: stopping tasks, with warnings",
      [f("role-exists", "pass"), f("managed-policy", "warn")],
      "safe to stop, with warnings",
    ],
    [
      "a suppressed failure is not what the headline says",
      [f("trust-policy", "fail", { suppressed: { reason: "known" } }), f("role-exists", "pass")],
      "safe to stop the tasks in scope",
    ],
    [
      "a fail of a rule this version does not know: every concern fails in its generic words",
      [f("newer-rule", "fail")],
      "NOT safe to stop tasks · deploying services would fail · changing the role now would break what uses it",
    ],
  ])("%s", (_name, findings, expected) => {
    expect(headline(findings)).toBe(expected);
  });

  it("a report without concerns (an older version's) keeps its verdict's words", () => {
    expect(headlineOf(undefined, "fail", [], rules)).toBe("NOT safe to stop tasks");
    expect(headlineOf(undefined, "pass", [], rules)).toBe("safe to stop the tasks in scope");
  });

  it("text and Markdown lead with it; the exit code is still the worst finding's", () => {
    const r = report([f("role-exists", "pass"), f("pass-role", "fail")]);
    expect(r.exitCode).toBe(1);
    expect(formatReport(r, "text", { color: false, rules }).split("\n")[0]).toMatch(
      /^FAIL {2}ecs-preflight: deploys that pass ecsInfrastructureRole to ECS would fail · stopping tasks: safe {2}\(/,
    );
    expect(formatReport(r, "markdown", { color: false, rules }).split("\n")[0]).toBe(
      "## ❌ ecs-preflight: FAIL: deploys that pass ecsInfrastructureRole to ECS would fail · stopping tasks: safe",
    );
  });
});

describe("concerns", () => {
  const concernOf = concernIndex(rules);

  it("each rule's findings count in its concern; the failed, unknown, warned and skipped rules are listed", () => {
    const concerns = concernsOf(
      [
        f("role-exists", "pass"),
        f("trust-policy", "fail"),
        f("managed-policy", "warn"),
        f("pass-role", "skipped"),
        f("tls-permissions", "unknown"),
      ],
      concernOf,
    );
    expect(concerns).toEqual({
      "stopping-tasks": {
        status: "fail",
        findings: 3,
        failed: ["trust-policy"],
        unknown: [],
        warned: ["managed-policy"],
        skipped: [],
      },
      "deploying-services": {
        status: "unknown",
        findings: 2,
        failed: [],
        unknown: ["tls-permissions"],
        warned: [],
        skipped: ["pass-role"],
      },
      "changing-the-role": { status: "pass", findings: 0, failed: [], unknown: [], warned: [], skipped: [] },
    });
  });

  it("a concern whose every finding was skipped is skipped; the verdict counts it as a pass", () => {
    const judged = judgeFindings([f("pass-role", "skipped")], rules, "fail");
    expect(judged.concerns["deploying-services"].status).toBe("skipped");
    expect([judged.verdict, judged.exitCode]).toEqual(["pass", 0]);
  });

  it("a finding no rule owns (a target that could not be reached) is unknown in every concern", () => {
    const concerns = concernsOf([f("target-access", "unknown")], concernOf);
    for (const c of Object.values(concerns))
      expect(c).toMatchObject({ status: "unknown", unknown: ["target-access"] });
  });

  it("suppressed findings are left out", () => {
    const concerns = concernsOf([f("trust-policy", "fail", { suppressed: { reason: "r" } })], concernOf);
    expect(concerns["stopping-tasks"]).toMatchObject({ status: "pass", findings: 0, failed: [] });
  });
});
