import { expect } from "vitest";
import { ACCOUNT, deletedRole, err, facts, role, trust } from "../../test/support/facts.ts";
import { testRule } from "../../test/support/rule-tester.ts";
import rule from "./index.ts";

const ARN = `arn:aws:iam::${ACCOUNT}:role/infra`;
const one = (t: unknown) => facts([role("infra", { trust: t })]);

testRule(rule, {
  valid: [
    {
      name: "the documented trust policy",
      facts: one(trust({ Service: "ecs.amazonaws.com" })),
      expect: { [ARN]: "pass" },
    },
    {
      name: "Statement as an object with Principal.Service as an array",
      facts: one({
        Version: "2012-10-17",
        Statement: {
          Effect: "Allow",
          Principal: { Service: ["ecs-tasks.amazonaws.com", "ecs.amazonaws.com"] },
          Action: "sts:AssumeRole",
        },
      }),
      expect: { [ARN]: "pass" },
    },
    {
      name: "Action sts:* ",
      facts: one(trust({ Service: "ecs.amazonaws.com" }, { Action: "sts:*" })),
      expect: { [ARN]: "pass" },
    },
    {
      name: "Action as an array with sts:TagSession",
      facts: one(trust({ Service: "ecs.amazonaws.com" }, { Action: ["sts:AssumeRole", "sts:TagSession"] })),
      expect: { [ARN]: "pass" },
    },
    {
      name: "confused-deputy conditions for the own account and region",
      facts: one(
        trust(
          { Service: "ecs.amazonaws.com" },
          {
            Condition: {
              StringEquals: { "aws:SourceAccount": ACCOUNT },
              ArnLike: { "aws:SourceArn": `arn:aws:ecs:us-east-1:${ACCOUNT}:*` },
            },
          },
        ),
      ),
      expect: { [ARN]: "pass" },
    },
    { name: "a deleted role is left to role-exists", facts: facts([deletedRole("infra")]), expect: {} },
  ],
  invalid: [
    {
      name: "a Service Connect TLS-only role trusting ecs-tasks.amazonaws.com: the TLS consequence, not DEPROVISIONING",
      facts: facts([
        role("infra", {
          trust: trust({ Service: "ecs-tasks.amazonaws.com" }),
          referencedBy: [{ kind: "service", cluster: "c", service: "web", use: "service-connect-tls" }],
        }),
      ]),
      expect: { [ARN]: "fail" },
      message: {
        [ARN]:
          /does not allow ecs\.amazonaws\.com to assume it: ECS cannot issue or rotate the Service Connect TLS certificates of the services that use it\./,
      },
      assert: ([f]) => expect(f?.message).not.toMatch(/DEPROVISIONING/),
    },
    {
      name: "trust principal changed to ecs-tasks.amazonaws.com",
      facts: one(trust({ Service: "ecs-tasks.amazonaws.com" })),
      expect: { [ARN]: "fail" },
      message: { [ARN]: /does not allow ecs\.amazonaws\.com/ },
      assert: ([f]) => {
        expect(f?.details?.trustedPrincipals).toEqual(["Service:ecs-tasks.amazonaws.com"]);
        expect(f?.remediation).toMatch(
          /aws iam update-assume-role-policy --role-name infra --policy-document '.*"Service":"ecs.amazonaws.com"/,
        );
      },
    },
    {
      name: "an explicit Deny for ecs.amazonaws.com beside the Allow",
      facts: one({
        Version: "2012-10-17",
        Statement: [
          { Effect: "Allow", Principal: { Service: "ecs.amazonaws.com" }, Action: "sts:AssumeRole" },
          {
            Sid: "NoEcs",
            Effect: "Deny",
            Principal: { Service: "ecs.amazonaws.com" },
            Action: "sts:AssumeRole",
          },
        ],
      }),
      expect: { [ARN]: "fail" },
      message: { [ARN]: /denies ecs\.amazonaws\.com.*Sid "NoEcs"/ },
    },
    {
      name: "only an AWS account principal",
      facts: one(trust({ AWS: `arn:aws:iam::${ACCOUNT}:root` })),
      expect: { [ARN]: "fail" },
    },
    {
      name: "only sts:AssumeRoleWithWebIdentity",
      facts: one(trust({ Service: "ecs.amazonaws.com" }, { Action: "sts:AssumeRoleWithWebIdentity" })),
      expect: { [ARN]: "fail" },
    },
    {
      name: "SourceArn narrower than the account's ECS ARNs is a warning naming the key",
      facts: one(
        trust(
          { Service: "ecs.amazonaws.com" },
          { Condition: { ArnLike: { "aws:SourceArn": `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/prod` } } },
        ),
      ),
      expect: { [ARN]: "warn" },
      message: { [ARN]: /aws:SourceArn/i },
    },
    {
      name: "SourceAccount of another account fails: ECS sends its own account, or no key at all",
      facts: one(
        trust(
          { Service: "ecs.amazonaws.com" },
          { Condition: { StringEquals: { "aws:SourceAccount": "999999999999" } } },
        ),
      ),
      expect: { [ARN]: "fail" },
      message: { [ARN]: /does not allow ecs\.amazonaws\.com/ },
    },
    {
      name: "a condition on a key ECS is not known to send is a warning",
      facts: one(
        trust(
          { Service: "ecs.amazonaws.com" },
          { Condition: { StringEquals: { "aws:PrincipalTag/team": "storage" } } },
        ),
      ),
      expect: { [ARN]: "warn" },
      message: { [ARN]: /aws:PrincipalTag\/team/i },
    },
    {
      name: "a Deny whose condition the tool cannot decide is unknown, not a warning",
      facts: one({
        Version: "2012-10-17",
        Statement: [
          { Effect: "Allow", Principal: { Service: "ecs.amazonaws.com" }, Action: "sts:AssumeRole" },
          {
            Effect: "Deny",
            Principal: "*",
            Action: "sts:AssumeRole",
            Condition: { StringNotEquals: { "aws:PrincipalOrgID": "o-abc" } },
          },
        ],
      }),
      expect: { [ARN]: "unknown" },
      message: { [ARN]: /may deny ecs\.amazonaws\.com, depending on conditions on aws:PrincipalOrgID/ },
    },
    {
      name: "a trust policy that is not JSON is unknown, not a pass",
      facts: one(err("iam:GetRole", "MalformedPolicyDocument", "trust policy: Unexpected token")),
      expect: { [ARN]: "unknown" },
    },
    {
      name: "a trust policy with bad grammar (lowercase effect) is unknown",
      facts: one({
        Version: "2012-10-17",
        Statement: [
          { Effect: "allow", Principal: { Service: "ecs.amazonaws.com" }, Action: "sts:AssumeRole" },
        ],
      }),
      expect: { [ARN]: "unknown" },
      message: { [ARN]: /Effect/ },
    },
    {
      name: "GetRole denied is unknown",
      facts: facts([role("infra", { role: err("iam:GetRole") })]),
      expect: { [ARN]: "unknown" },
    },
  ],
});
