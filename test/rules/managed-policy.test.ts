import { expect } from "vitest";
import rule from "../../rules/managed-policy.ts";
import { ACCOUNT, deletedRole, err, facts, policy, role } from "../support/facts.ts";
import { testRule } from "../support/rule-tester.ts";

const ARN = `arn:aws:iam::${ACCOUNT}:role/infra`;
const allowAll = policy({
  Effect: "Allow",
  Action: ["ec2:DetachVolume", "ec2:DeleteVolume", "ec2:DescribeVolumes"],
  Resource: "*",
});

testRule(rule, {
  valid: [
    { name: "the managed policy attached", facts: facts([role("infra")]), expect: { [ARN]: "pass" } },
    { name: "a deleted role is left to role-exists", facts: facts([deletedRole("infra")]), expect: {} },
  ],
  invalid: [
    {
      name: "detached, but the permissions are held through an inline policy",
      facts: facts([role("infra", { attached: [], inline: { ebs: allowAll } })]),
      expect: { [ARN]: "warn" },
      message: { [ARN]: /held through other policies/ },
      assert: ([f]) => {
        expect(f?.details?.heldOtherwise).toBe(true);
        expect(f?.remediation).toBe(
          "aws iam attach-role-policy --role-name infra --policy-arn arn:aws:iam::aws:policy/service-role/AmazonECSInfrastructureRolePolicyForVolumes",
        );
      },
    },
    {
      name: "detached and the permissions missing",
      facts: facts([role("infra", { attached: [] })]),
      expect: { [ARN]: "warn" },
      message: { [ARN]: /not all held another way/ },
    },
    {
      name: "ListAttachedRolePolicies denied is unknown",
      facts: facts([role("infra", { attachedPolicies: err("iam:ListAttachedRolePolicies") })]),
      expect: { [ARN]: "unknown" },
    },
  ],
});
