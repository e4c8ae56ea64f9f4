import { expect } from "vitest";
import { TLS_REQUIREMENTS } from "../../src/analysis/tls-requests.ts";
import type { Facts, RoleReference } from "../../src/facts/types.ts";
import {
  ACCOUNT,
  err,
  facts,
  IN_ORGANIZATION,
  managed,
  ok,
  role,
  simulatedAction,
  TLS_POLICY_ARN,
  tlsPolicyDocument,
  withSimulation,
} from "../../test/support/facts.ts";
import { testRule } from "../../test/support/rule-tester.ts";
import rule from "./index.ts";

/** tls-permissions with Organizations facts: SCPs through AWS's simulator. */

const TLS_USE: RoleReference = {
  kind: "service",
  cluster: `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/prod`,
  service: "web",
  use: "service-connect-tls",
};
const ARN = `arn:aws:iam::${ACCOUNT}:role/tls`;
const tlsRole = () => role("tls", { attached: [TLS_POLICY_ARN], referencedBy: [TLS_USE] });
const ACTIONS = [...new Set(TLS_REQUIREMENTS.map((r) => r.action))];
const withFacts = (results: Parameters<typeof withSimulation>[2], extra: Partial<Facts> = {}) =>
  facts([withSimulation(tlsRole(), "service-connect-tls", results)], {
    policies: [managed(TLS_POLICY_ARN, tlsPolicyDocument(), "v4")],
    organization: IN_ORGANIZATION,
    ...extra,
  });

testRule(rule, {
  valid: [
    {
      name: "not in an organization",
      facts: withFacts([], { organization: ok({ inOrganization: false }) }),
      expect: { [ARN]: "pass" },
    },
    {
      name: "a member whose SCPs allow every TLS action",
      facts: withFacts(ACTIONS.map((a) => simulatedAction(a))),
      expect: { [ARN]: "pass" },
      assert: (f) => expect(f[0]?.details?.organizations).toEqual({ decision: "allowed" }),
    },
  ],
  invalid: [
    {
      name: "an SCP denies acm-pca:IssueCertificate: fail",
      facts: withFacts(
        ACTIONS.map((a) =>
          a === "acm-pca:IssueCertificate"
            ? simulatedAction(a, { evalDecision: "implicitDeny", allowedByOrganizations: false })
            : simulatedAction(a),
        ),
      ),
      expect: { [ARN]: "fail" },
      message: { [ARN]: /an Organizations policy \(SCP\) denies acm-pca:IssueCertificate to the role/ },
    },
    {
      name: "the simulation denied: unknown",
      facts: withFacts(err("iam:SimulatePrincipalPolicy").error),
      expect: { [ARN]: "unknown" },
      message: { [ARN]: /iam:SimulatePrincipalPolicy failed with AccessDenied/ },
    },
    {
      name: "an old snapshot without the Organizations facts: unknown",
      facts: { ...withFacts([]), organization: undefined },
      expect: { [ARN]: "unknown" },
    },
  ],
});
