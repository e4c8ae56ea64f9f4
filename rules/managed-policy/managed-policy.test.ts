import { expect } from "vitest";
import type { RoleReference } from "../../src/facts/types.ts";
import {
  ACCOUNT,
  deletedRole,
  err,
  facts,
  managed,
  policy,
  role,
  TLS_POLICY_ARN,
  tlsPolicyDocument,
  VOLUMES_POLICY_ARN,
} from "../../test/support/facts.ts";
import { testRule } from "../../test/support/rule-tester.ts";
import rule from "./index.ts";

const ARN = `arn:aws:iam::${ACCOUNT}:role/infra`;
const TLS_USE: RoleReference = { kind: "service", cluster: "c", service: "web", use: "service-connect-tls" };
const EBS_USE: RoleReference = { kind: "service", cluster: "c", service: "web", use: "ebs" };
const withTls = (...roles: ReturnType<typeof role>[]) =>
  facts(roles, { policies: [managed(TLS_POLICY_ARN, tlsPolicyDocument(), "v4")] });
const tlsInline = policy(
  { Effect: "Allow", Action: "secretsmanager:*", Resource: "arn:aws:secretsmanager:*:*:secret:ecs-sc!*" },
  { Effect: "Allow", Action: "acm-pca:*", Resource: "*" },
);
const allowAll = policy({
  Effect: "Allow",
  Action: ["ec2:DetachVolume", "ec2:DeleteVolume", "ec2:DescribeVolumes"],
  Resource: "*",
});

testRule(rule, {
  valid: [
    { name: "the managed policy attached", facts: facts([role("infra")]), expect: { [ARN]: "pass" } },
    { name: "a deleted role is left to role-exists", facts: facts([deletedRole("infra")]), expect: {} },
    {
      name: "a role used only for Service Connect TLS needs the TLS policy, not the volumes one",
      facts: withTls(role("infra", { attached: [TLS_POLICY_ARN], referencedBy: [TLS_USE] })),
      expect: { [ARN]: "pass" },
      message: {
        [ARN]: /^AmazonECSInfrastructureRolePolicyForServiceConnectTransportLayerSecurity is attached/,
      },
    },
    {
      name: "a role used for EBS and TLS with both policies",
      facts: withTls(
        role("infra", { attached: [VOLUMES_POLICY_ARN, TLS_POLICY_ARN], referencedBy: [EBS_USE, TLS_USE] }),
      ),
      expect: { [ARN]: "pass" },
      message: { [ARN]: /ForVolumes and .*TransportLayerSecurity are attached/ },
    },
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
      name: "a TLS-only role holding the TLS permissions inline: warn for the TLS policy only",
      facts: withTls(role("infra", { attached: [], inline: { tls: tlsInline }, referencedBy: [TLS_USE] })),
      expect: { [ARN]: "warn" },
      message: {
        [ARN]:
          /^AmazonECSInfrastructureRolePolicyForServiceConnectTransportLayerSecurity is not attached to infra; the TLS permissions are held through other policies/,
      },
      assert: ([f]) => {
        expect(f?.message).not.toMatch(/ForVolumes/);
        expect(f?.remediation).toBe(
          `aws iam attach-role-policy --role-name infra --policy-arn ${TLS_POLICY_ARN}`,
        );
      },
    },
    {
      name: "a role used for EBS and TLS with only the volumes policy: warn naming the TLS one",
      facts: withTls(role("infra", { referencedBy: [EBS_USE, TLS_USE] })),
      expect: { [ARN]: "warn" },
      message: {
        [ARN]:
          /^AmazonECSInfrastructureRolePolicyForServiceConnectTransportLayerSecurity is not attached to infra, and the TLS permissions are not all held another way \(see tls-permissions\)\.$/,
      },
      assert: ([f]) =>
        expect(f?.details?.missing).toEqual([
          {
            policy: "AmazonECSInfrastructureRolePolicyForServiceConnectTransportLayerSecurity",
            heldOtherwise: false,
            decidedBy: "tls-permissions",
          },
        ]),
    },
    {
      name: "ListAttachedRolePolicies denied is unknown",
      facts: facts([role("infra", { attachedPolicies: err("iam:ListAttachedRolePolicies") })]),
      expect: { [ARN]: "unknown" },
    },
  ],
});
