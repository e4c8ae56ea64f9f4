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
import { referenceFor, useFacts, usePolicyDocument } from "../../test/support/use-cases.ts";
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
const MI_ARN = "arn:aws:iam::aws:policy/AmazonECSInfrastructureRolePolicyForManagedInstances";
const EXPRESS_ARN =
  "arn:aws:iam::aws:policy/service-role/AmazonECSInfrastructureRoleforExpressGatewayServices";
const COPY = `arn:aws:iam::${ACCOUNT}:policy/copy`;
const allowAll = policy({
  Effect: "Allow",
  Action: ["ec2:DetachVolume", "ec2:DeleteVolume", "ec2:DescribeVolumes"],
  Resource: "*",
});

testRule(rule, {
  valid: [
    {
      name: "a role only a Managed Instances capacity provider names: its own policy (path /), not the volumes one",
      facts: useFacts("managed-instances"),
      expect: { [ARN]: "pass" },
      message: { [ARN]: /^AmazonECSInfrastructureRolePolicyForManagedInstances is attached to infra\.$/ },
    },
    {
      name: "an Express role with the Express policy (under service-role/)",
      facts: useFacts("express"),
      expect: { [ARN]: "pass" },
    },
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
      // The volumes policy: about stopping tasks, the rule's own concern.
      assert: ([f]) => expect(f?.concern).toBeUndefined(),
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
        // About deploying and running services: the headline does not say "stopping tasks: with warnings" for it.
        expect(f?.concern).toBe("deploying-services");
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
      assert: ([f]) => {
        expect(f?.details?.missing).toEqual([
          {
            policy: "AmazonECSInfrastructureRolePolicyForServiceConnectTransportLayerSecurity",
            heldOtherwise: false,
            decidedBy: "tls-permissions",
          },
        ]);
        expect(f?.concern).toBe("deploying-services");
      },
    },
    {
      name: "a capacity provider's role holding the Managed Instances permissions through a copy: warn, held otherwise",
      facts: useFacts(
        "managed-instances",
        { attached: [COPY] },
        {
          policies: [managed(COPY, usePolicyDocument("managed-instances"))],
        },
      ),
      expect: { [ARN]: "warn" },
      message: {
        [ARN]:
          /^AmazonECSInfrastructureRolePolicyForManagedInstances is not attached to infra; the Managed Instances permissions are held through other policies/,
      },
      assert: ([f]) => expect(f?.remediation).toContain(`--policy-arn ${MI_ARN}`),
    },
    {
      name: "a role used for EBS and Managed Instances with only the volumes policy: warn naming the rule that decides",
      facts: useFacts("managed-instances", {
        attached: [VOLUMES_POLICY_ARN],
        referencedBy: [EBS_USE, referenceFor("managed-instances")],
      }),
      expect: { [ARN]: "warn" },
      message: {
        [ARN]:
          /^AmazonECSInfrastructureRolePolicyForManagedInstances is not attached to infra, and the Managed Instances permissions are not all held another way \(see managed-instances-permissions\)\.$/,
      },
    },
    {
      name: "an Express role with the policy at the wrong path (no service-role/) is not the AWS one: warn",
      facts: useFacts("express", {
        attached: ["arn:aws:iam::aws:policy/AmazonECSInfrastructureRoleforExpressGatewayServices"],
      }),
      expect: { [ARN]: "warn" },
      assert: ([f]) => expect(f?.remediation).toContain(EXPRESS_ARN),
    },
    {
      name: "ListAttachedRolePolicies denied is unknown",
      facts: facts([role("infra", { attachedPolicies: err("iam:ListAttachedRolePolicies") })]),
      expect: { [ARN]: "unknown" },
    },
  ],
});
