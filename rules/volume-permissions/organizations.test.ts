import { expect } from "vitest";
import type { RuleFinding } from "../../src/engine/finding.ts";
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
} from "../../test/support/facts.ts";
import { testRule } from "../../test/support/rule-tester.ts";
import rule from "./index.ts";

/** volume-permissions with Organizations facts: SCPs through AWS's simulator (DESIGN.md "Organizations policies"). */

const ARN = `arn:aws:iam::${ACCOUNT}:role/infra`;
const ACTIONS = ["ec2:DetachVolume", "ec2:DeleteVolume", "ec2:DescribeVolumes"];
const scpDenies = (denied: string) =>
  ACTIONS.map((a) =>
    a === denied
      ? simulatedAction(a, {
          evalDecision: "implicitDeny",
          allowedByOrganizations: false,
          matchedStatements: [],
        })
      : simulatedAction(a),
  );
const member = (results: Parameters<typeof withSimulation>[2], extra: Partial<Facts> = {}) =>
  facts([withSimulation(role("infra"), "ebs", results)], { organization: IN_ORGANIZATION, ...extra });
const organizationsOf = (findings: RuleFinding[]) => findings[0]?.details?.organizations;

testRule(rule, {
  valid: [
    {
      name: "not in an organization: no simulation needed, a pass",
      facts: facts([role("infra")], { organization: ok({ inOrganization: false }) }),
      expect: { [ARN]: "pass" },
      assert: (f) => expect(organizationsOf(f)).toMatchObject({ decision: "not-needed" }),
    },
    {
      name: "a member whose SCPs allow the three actions",
      facts: member(ACTIONS.map((a) => simulatedAction(a))),
      expect: { [ARN]: "pass" },
      assert: (f) => expect(organizationsOf(f)).toEqual({ decision: "allowed" }),
    },
    {
      name: "AWS disagrees with the tool with no missing context: kept in the details, the status unchanged",
      facts: member([
        simulatedAction("ec2:DetachVolume"),
        simulatedAction("ec2:DeleteVolume", { evalDecision: "explicitDeny" }),
        simulatedAction("ec2:DescribeVolumes"),
      ]),
      expect: { [ARN]: "pass" },
      assert: (f) =>
        expect(organizationsOf(f)).toMatchObject({
          decision: "allowed",
          disagreements: [{ action: "ec2:DeleteVolume", aws: "explicitDeny", tool: "allow" }],
        }),
    },
  ],
  invalid: [
    {
      name: "an SCP denies ec2:DeleteVolume: fail, saying AWS does not name the SCP",
      facts: member(scpDenies("ec2:DeleteVolume")),
      expect: { [ARN]: "fail" },
      message: {
        [ARN]:
          /^infra: an Organizations policy \(SCP\) denies ec2:DeleteVolume to the role; AWS does not say which policy \(it reports an SCP's Deny as implicitDeny with no matched statement\): the organization's administrators can tell which\. Stopping its tasks will leave them in DEPROVISIONING/,
      },
      assert: (f) => {
        expect(f[0]?.remediation).toMatch(/Ask the organization's administrators which SCP denies it/);
        expect(f[0]?.remediation).not.toMatch(/aws iam/);
      },
    },
    {
      name: "the simulation denied: unknown, naming iam:SimulatePrincipalPolicy",
      facts: member(err("iam:SimulatePrincipalPolicy").error),
      expect: { [ARN]: "unknown" },
      message: { [ARN]: /iam:SimulatePrincipalPolicy failed with AccessDenied/ },
      assert: (f) => expect(f[0]?.remediation).toMatch(/Allow iam:SimulatePrincipalPolicy/),
    },
    {
      name: "membership unreadable: simulated anyway, and an SCP denial fails",
      facts: member(scpDenies("ec2:DetachVolume"), {
        organization: err("organizations:DescribeOrganization"),
      }),
      expect: { [ARN]: "fail" },
      message: { [ARN]: /SCP\) denies ec2:DetachVolume/ },
    },
    {
      name: "membership unreadable and the simulation denied too: unknown, naming both",
      facts: member(err("iam:SimulatePrincipalPolicy").error, {
        organization: err("organizations:DescribeOrganization"),
      }),
      expect: { [ARN]: "unknown" },
      message: {
        [ARN]:
          /iam:SimulatePrincipalPolicy failed .*organizations:DescribeOrganization failed with AccessDenied/,
      },
    },
    {
      name: "an old snapshot without the Organizations facts: unknown, saying what is missing",
      facts: { ...facts([role("infra")]), organization: undefined },
      expect: { [ARN]: "unknown" },
      message: {
        [ARN]:
          /SCP\) denies its actions is unknown: organizations:DescribeOrganization was not read: these facts were gathered before ecs-preflight read it/,
      },
    },
    {
      name: "an SCP denies DetachVolume on the EC2 instance alone, for a role not seen with tasks on instances: a warning",
      facts: facts(
        [
          {
            ...role("infra"),
            simulations: {
              ebs: ok({
                calls: [
                  {
                    resources: [`arn:aws:ec2:us-east-1:${ACCOUNT}:volume/vol-*`],
                    contextKeys: [],
                    results: [simulatedAction("ec2:DetachVolume"), simulatedAction("ec2:DeleteVolume")],
                  },
                  { resources: ["*"], contextKeys: [], results: [simulatedAction("ec2:DescribeVolumes")] },
                  {
                    resources: [`arn:aws:ec2:us-east-1:${ACCOUNT}:instance/i-*`],
                    contextKeys: [],
                    results: [
                      simulatedAction("ec2:DetachVolume", {
                        evalDecision: "implicitDeny",
                        allowedByOrganizations: false,
                        matchedStatements: [],
                      }),
                    ],
                  },
                ],
              }),
            },
          },
        ],
        { organization: IN_ORGANIZATION },
      ),
      expect: { [ARN]: "warn" },
      message: { [ARN]: /SCP\) denies ec2:DetachVolume on EC2 instances \(.*not for Fargate\) to the role/ },
      assert: (f) =>
        expect(organizationsOf(f)).toMatchObject({ decision: "denied", deniedActions: ["ec2:DetachVolume"] }),
    },
    {
      name: "an IAM gap and an SCP denial: both named",
      facts: facts([withSimulation(role("infra", { attached: [] }), "ebs", scpDenies("ec2:DeleteVolume"))], {
        organization: IN_ORGANIZATION,
      }),
      expect: { [ARN]: "fail" },
      message: { [ARN]: /not allowed by any policy.*SCP\) denies ec2:DeleteVolume/ },
    },
  ],
});
