import { describe, expect, it } from "vitest";
import {
  type OrganizationsJudgement,
  organizationsDecision,
  type RequiredAction,
} from "../../src/analysis/organizations-decision.ts";
import type { Facts } from "../../src/facts/types.ts";
import {
  ACCOUNT,
  err,
  facts,
  IN_ORGANIZATION,
  ok,
  role,
  simulatedAction,
  withSimulation,
} from "../support/facts.ts";

const ARN = `arn:aws:iam::${ACCOUNT}:role/infra`;
const REQUIRED: RequiredAction[] = [
  { action: "ec2:DetachVolume", decision: "allow" },
  { action: "ec2:DeleteVolume", decision: "allow" },
  { action: "ec2:DescribeVolumes", decision: "allow" },
];
const allAllowed = REQUIRED.map((r) => simulatedAction(r.action));
const member = (results: Parameters<typeof withSimulation>[2], extra: Partial<Facts> = {}) =>
  facts([withSimulation(role("infra"), "ebs", results)], { organization: IN_ORGANIZATION, ...extra });
const judge = (f: Facts, required = REQUIRED) => organizationsDecision(f, ARN, "ebs", required);

const rows: {
  name: string;
  facts: Facts;
  required?: RequiredAction[];
  expect: Partial<OrganizationsJudgement>;
}[] = [
  {
    name: "not in an organization: not needed, whatever the facts hold",
    facts: facts([role("infra")], { organization: ok({ inOrganization: false }) }),
    expect: { kind: "not-needed", reason: "the account is not in an organization: no SCP applies" },
  },
  {
    name: "the management account: not needed",
    facts: facts([role("infra")], {
      organization: ok({ inOrganization: true, managementAccountId: ACCOUNT, managementAccount: true }),
    }),
    expect: { kind: "not-needed" },
  },
  {
    name: "a member, every action allowed by Organizations",
    facts: member(allAllowed),
    expect: { kind: "allowed", disagreements: [] },
  },
  {
    name: "a member, an SCP denies DeleteVolume (implicitDeny, no matched statement)",
    facts: member([
      simulatedAction("ec2:DetachVolume"),
      simulatedAction("ec2:DeleteVolume", {
        evalDecision: "implicitDeny",
        allowedByOrganizations: false,
        matchedStatements: [],
      }),
      simulatedAction("ec2:DescribeVolumes"),
    ]),
    // The SCP's implicitDeny is no disagreement with the tool's allow: it is the SCP's.
    expect: {
      kind: "denied",
      actions: ["ec2:DeleteVolume"],
      deniedOn: [{ action: "ec2:DeleteVolume", resources: ["*"] }],
      disagreements: [],
    },
  },
  {
    name: "the simulation denied: unknown, naming iam:SimulatePrincipalPolicy",
    facts: member(err("iam:SimulatePrincipalPolicy").error),
    expect: { kind: "unknown" },
  },
  {
    name: "membership unreadable: the simulation is needed, and its answer decides",
    facts: member(
      [simulatedAction("ec2:DeleteVolume", { allowedByOrganizations: false, evalDecision: "implicitDeny" })],
      { organization: err("organizations:DescribeOrganization") },
    ),
    expect: { kind: "denied", actions: ["ec2:DeleteVolume"] },
  },
  {
    name: "membership unreadable and no simulation in the facts: unknown",
    facts: facts([role("infra")], { organization: err("organizations:DescribeOrganization") }),
    expect: { kind: "unknown" },
  },
  {
    name: "membership unreadable, simulated without OrganizationsDecisionDetail (no organization evaluated): allowed",
    facts: member(
      REQUIRED.map((r) => simulatedAction(r.action, { allowedByOrganizations: undefined })),
      { organization: err("organizations:DescribeOrganization") },
    ),
    expect: { kind: "allowed" },
  },
  {
    name: "an old snapshot: no membership fact at all, so SCPs are unknown",
    facts: { ...facts([role("infra")]), organization: undefined },
    expect: { kind: "unknown" },
  },
  {
    name: "an action AWS gave no result for: unknown",
    facts: member(allAllowed.slice(0, 2)),
    expect: { kind: "unknown" },
  },
  {
    name: "AWS and the tool disagree with no missing context: kept, judgement unchanged",
    facts: member([
      simulatedAction("ec2:DetachVolume", { evalDecision: "implicitDeny" }),
      simulatedAction("ec2:DeleteVolume"),
      simulatedAction("ec2:DescribeVolumes"),
    ]),
    expect: {
      kind: "allowed",
      disagreements: [
        {
          action: "ec2:DetachVolume",
          resources: ["*"],
          aws: "implicitDeny",
          tool: "allow",
        },
      ],
    },
  },
  {
    name: "a difference where AWS lacked a context value, or the tool was unsure: no disagreement",
    facts: member([
      simulatedAction("ec2:DetachVolume", {
        evalDecision: "implicitDeny",
        missingContextValues: ["aws:SourceVpc"],
      }),
      simulatedAction("ec2:DeleteVolume", { evalDecision: "implicitDeny" }),
      simulatedAction("ec2:DescribeVolumes"),
    ]),
    required: [
      { action: "ec2:DetachVolume", decision: "allow" },
      { action: "ec2:DeleteVolume", decision: "conditional" },
      { action: "ec2:DescribeVolumes", decision: "allow" },
    ],
    expect: { kind: "allowed", disagreements: [] },
  },
];

describe("organizationsDecision", () => {
  for (const row of rows) {
    it(row.name, () => {
      expect(judge(row.facts, row.required)).toMatchObject(row.expect);
    });
  }

  it("matches AWS's answers to the required actions ignoring case; of a required action listed twice, the first counts", () => {
    // AWS answers in its own spelling; the required list may repeat an action (one use's several statements).
    const answers = member([
      simulatedAction("EC2:DETACHVOLUME", { evalDecision: "implicitDeny" }),
      simulatedAction("ec2:deletevolume", { allowedByOrganizations: false, evalDecision: "implicitDeny" }),
      simulatedAction("ec2:DescribeVolumes"),
    ]);
    const required: RequiredAction[] = [
      { action: "ec2:DetachVolume", decision: "allow" },
      { action: "ec2:detachvolume", decision: "conditional" },
      { action: "ec2:DeleteVolume", decision: "allow" },
      { action: "EC2:DeleteVolume", decision: "allow" },
      { action: "ec2:DescribeVolumes", decision: "allow" },
    ];
    expect(judge(answers, required)).toEqual({
      kind: "denied",
      // Each required spelling the denial reaches, in the required list's order.
      actions: ["ec2:DeleteVolume", "EC2:DeleteVolume"],
      deniedOn: [{ action: "ec2:deletevolume", resources: ["*"] }],
      // Judged against the first DetachVolume (allow), not the second (conditional, which would be no disagreement).
      disagreements: [{ action: "EC2:DETACHVOLUME", resources: ["*"], aws: "implicitDeny", tool: "allow" }],
    });
    // Every required action answered in some spelling: none is unanswered.
    const allAnswered = member(REQUIRED.map((r) => simulatedAction(r.action.toUpperCase())));
    expect(judge(allAnswered)).toEqual({ kind: "allowed", disagreements: [] });
    // One answered by no spelling at all: unknown, naming it alone.
    const missing = judge(member(REQUIRED.slice(1).map((r) => simulatedAction(r.action.toLowerCase()))));
    expect(missing.kind === "unknown" && missing.error.message).toBe(
      "AWS returned no result for ec2:DetachVolume",
    );
  });

  it("an unknown names the failed call and why the simulation was needed", () => {
    const simulationDenied = judge(member(err("iam:SimulatePrincipalPolicy").error));
    expect(simulationDenied).toMatchObject({
      kind: "unknown",
      error: { api: "iam:SimulatePrincipalPolicy", code: "AccessDenied" },
    });
    expect(simulationDenied.kind === "unknown" && simulationDenied.error.message).toMatch(
      /in an organization \(management account 999988887777\)/,
    );
    const old = judge({ ...facts([role("infra")]), organization: undefined });
    expect(old.kind === "unknown" && old.error).toMatchObject({
      api: "organizations:DescribeOrganization",
      code: "NotRead",
      message: "these facts were gathered before ecs-preflight read it (collect them again)",
    });
    const unsimulated = judge(facts([role("infra")], { organization: IN_ORGANIZATION }));
    expect(unsimulated.kind === "unknown" && unsimulated.error).toMatchObject({
      api: "iam:SimulatePrincipalPolicy",
      code: "NotRead",
    });
    expect(unsimulated.kind === "unknown" && unsimulated.error.message).toMatch(
      /no simulation of the role's ebs use \(the account is in an organization/,
    );
  });
});
