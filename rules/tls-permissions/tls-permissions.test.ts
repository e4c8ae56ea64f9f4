import { describe, expect, it } from "vitest";
import { requirementsOf, TLS_REQUIREMENTS } from "../../src/analysis/tls-requests.ts";
import type { RoleReference } from "../../src/facts/types.ts";
import {
  ACCOUNT,
  deletedRole,
  err,
  facts,
  managed,
  ok,
  policy,
  role,
  TLS_POLICY_ARN,
  tlsPolicyDocument,
  trust,
} from "../../test/support/facts.ts";
import { testRule } from "../../test/support/rule-tester.ts";
import { readCluster } from "../../test/support/use-cases.ts";
import rule from "./index.ts";

const CLUSTER = `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/prod`;
const TLS_USE: RoleReference = {
  kind: "service",
  cluster: CLUSTER,
  service: "web",
  use: "service-connect-tls",
};
const EBS_USE: RoleReference = { kind: "service", cluster: CLUSTER, service: "web", use: "ebs" };
const ARN = `arn:aws:iam::${ACCOUNT}:role/tls`;
const CUSTOMER = `arn:aws:iam::${ACCOUNT}:policy/ecs-sc-tls`;
const BOUNDARY = `arn:aws:iam::${ACCOUNT}:policy/boundary`;
const tlsManaged = managed(TLS_POLICY_ARN, tlsPolicyDocument(), "v4");

/** A role named for Service Connect TLS by prod/web, with the managed TLS policy unless told otherwise. */
const tlsRole = (spec: Parameters<typeof role>[1] = {}) =>
  role("tls", { attached: [TLS_POLICY_ARN], referencedBy: [TLS_USE], ...spec });
const withTls = (roles: ReturnType<typeof role>[], more: ReturnType<typeof managed>[] = []) =>
  facts(roles, { policies: [tlsManaged, ...more] });

/** The managed policy's document without one action: what a hand-trimmed customer copy looks like. */
function copyWithout(action: string) {
  const doc = tlsPolicyDocument();
  doc.Statement = doc.Statement.map((s) => {
    const actions = ([] as string[]).concat(s.Action as string | string[]).filter((a) => a !== action);
    return { ...s, Action: actions };
  }).filter((s) => (s.Action as string[]).length > 0);
  return doc;
}

const allow = (Action: unknown, Resource: unknown, extra: Record<string, unknown> = {}) => ({
  Effect: "Allow",
  Action,
  Resource,
  ...extra,
});
const deny = (Action: unknown, Resource: unknown, extra: Record<string, unknown> = {}) => ({
  Effect: "Deny",
  Action,
  Resource,
  ...extra,
});
const broadInline = policy(
  allow("secretsmanager:*", "arn:aws:secretsmanager:*:*:secret:ecs-sc!*"),
  allow("acm-pca:*", "*"),
);

testRule(rule, {
  valid: [
    {
      name: "the managed policy v4 attached and ECS trusted",
      facts: withTls([tlsRole()]),
      expect: { [ARN]: "pass" },
      message: {
        [ARN]: /every action of AmazonECSInfrastructureRolePolicyForServiceConnectTransportLayerSecurity v4/,
      },
      assert: ([f]) => {
        const actions = f?.details?.actions as Record<string, { decision: string; policySid: string }>;
        // Every action of the policy document is judged, each allowed by the statement that grants it.
        expect(Object.keys(actions)).toHaveLength(13);
        expect(actions["acm-pca:IssueCertificate"]).toMatchObject({
          decision: "allow",
          policySid: "ManagePrivateCertificateAuthorityForIssuingEndEntityCertificate",
        });
      },
    },
    {
      name: "inline secretsmanager:* on secret:ecs-sc!* and acm-pca:* on * (no managed policy)",
      facts: withTls([tlsRole({ attached: [], inline: { tls: broadInline } })]),
      expect: { [ARN]: "pass" },
    },
    {
      name: "a role used for both EBS and TLS, both managed policies attached",
      facts: withTls([
        tlsRole({
          attached: [
            TLS_POLICY_ARN,
            "arn:aws:iam::aws:policy/service-role/AmazonECSInfrastructureRolePolicyForVolumes",
          ],
          referencedBy: [EBS_USE, TLS_USE],
        }),
      ]),
      expect: { [ARN]: "pass" },
    },
    {
      name: "a role only used for EBS volumes is not this rule's business",
      facts: withTls([role("tls", { referencedBy: [EBS_USE] })]),
      expect: {},
    },
    {
      name: "a role named only with --role is not judged for TLS",
      facts: withTls([role("tls")]),
      expect: {},
    },
    {
      name: "a deleted TLS role is left to role-exists",
      facts: withTls([{ ...deletedRole("tls"), referencedBy: [TLS_USE] }]),
      expect: {},
    },
  ],
  invalid: [
    {
      name: "a cluster's DescribeServices denied: unknown for the cluster (a TLS role there was never judged)",
      facts: {
        ...withTls([tlsRole()]),
        ecs: {
          clusters: ok([readCluster({ services: err("ecs:DescribeServices", "AccessDeniedException") })]),
        },
      },
      expect: { [ARN]: "pass", [CLUSTER]: "unknown" },
      message: {
        [CLUSTER]:
          /the services of cluster prod \(and the roles they name for Service Connect TLS\): ecs:DescribeServices failed with AccessDeniedException/,
      },
    },
    {
      name: "acm-pca allowed only on this account's CAs: the CA a service names may be shared from another account, unknown",
      facts: withTls([
        tlsRole({
          attached: [],
          inline: {
            tls: policy(
              allow("secretsmanager:*", "arn:aws:secretsmanager:*:*:secret:ecs-sc!*"),
              allow("acm-pca:*", `arn:aws:acm-pca:us-east-1:${ACCOUNT}:certificate-authority/*`),
            ),
          },
        }),
      ]),
      expect: { [ARN]: "unknown" },
      message: { [ARN]: /acm-pca:IssueCertificate allowed only if ECS's request meets/ },
    },
    {
      name: "acm-pca allowed only where aws:ResourceAccount is the role's own: unknown for the same reason",
      facts: withTls([
        tlsRole({
          attached: [],
          inline: {
            tls: policy(
              allow("secretsmanager:*", "arn:aws:secretsmanager:*:*:secret:ecs-sc!*"),
              allow("acm-pca:*", "*", {
                // biome-ignore lint/suspicious/noTemplateCurlyInString: IAM policy-variable syntax, not a template.
                Condition: { StringEquals: { "aws:ResourceAccount": "${aws:PrincipalAccount}" } },
              }),
            ),
          },
        }),
      ]),
      expect: { [ARN]: "unknown" },
    },
    {
      name: "a customer copy whose default version drops acm-pca:IssueCertificate",
      facts: withTls(
        [tlsRole({ attached: [CUSTOMER] })],
        [managed(CUSTOMER, copyWithout("acm-pca:IssueCertificate"), "v2")],
      ),
      expect: { [ARN]: "fail" },
      message: {
        [ARN]:
          /^tls \(Service Connect TLS of prod\/web\): acm-pca:IssueCertificate not allowed by any policy\. ECS cannot issue or rotate/,
      },
      assert: ([f]) => {
        expect(f?.remediation).toBe(
          `aws iam attach-role-policy --role-name tls --policy-arn ${TLS_POLICY_ARN}`,
        );
        const actions = f?.details?.actions as Record<string, { decision: string }>;
        expect(actions["acm-pca:GetCertificate"]?.decision).toBe("allow");
      },
    },
    {
      name: "no TLS permissions at all: the actions are listed, shortened",
      facts: withTls([tlsRole({ attached: [] })]),
      expect: { [ARN]: "fail" },
      message: {
        [ARN]:
          /secretsmanager:CreateSecret, secretsmanager:TagResource, secretsmanager:UpdateSecret and 10 more not allowed by any policy/,
      },
    },
    {
      name: "the trust naming only ecs-tasks.amazonaws.com (the managed policy attached)",
      facts: withTls([tlsRole({ trust: trust({ Service: "ecs-tasks.amazonaws.com" }) })]),
      expect: { [ARN]: "fail" },
      message: {
        [ARN]: /its trust policy does not let ecs\.amazonaws\.com assume it \(see trust-policy\)\./,
      },
      assert: ([f]) => {
        expect(f?.remediation).toMatch(/^aws iam update-assume-role-policy --role-name tls /);
        expect(f?.details?.trust).toMatchObject({ decision: "implicit-deny" });
      },
    },
    {
      name: "an explicit Deny on secretsmanager:GetSecretValue",
      facts: withTls([
        tlsRole({
          inline: { guard: policy(deny("secretsmanager:GetSecretValue", "*", { Sid: "NoSecrets" })) },
        }),
      ]),
      expect: { [ARN]: "fail" },
      message: { [ARN]: /secretsmanager:GetSecretValue denied by inline policy "guard" Sid "NoSecrets"/ },
      assert: ([f]) =>
        expect(f?.remediation).toMatch(/aws iam get-role-policy --role-name tls --policy-name guard/),
    },
    {
      name: "a Deny that may apply (a condition on aws:SourceVpc) is unknown",
      facts: withTls([
        tlsRole({
          inline: {
            guard: policy(
              deny("secretsmanager:GetSecretValue", "*", {
                Condition: { StringNotEquals: { "aws:SourceVpc": "vpc-0abc" } },
              }),
            ),
          },
        }),
      ]),
      expect: { [ARN]: "unknown" },
      message: {
        [ARN]: /secretsmanager:GetSecretValue may be denied, depending on conditions on aws:SourceVpc/,
      },
    },
    {
      name: "an Allow hinging on a key ECS's request is not known to carry is unknown, never a pass",
      facts: withTls([
        tlsRole({
          attached: [],
          inline: {
            tls: policy(
              allow("secretsmanager:*", "arn:aws:secretsmanager:*:*:secret:ecs-sc!*", {
                Condition: { StringEquals: { "aws:SourceVpc": "vpc-0abc" } },
              }),
              allow("acm-pca:*", "*"),
            ),
          },
        }),
      ]),
      expect: { [ARN]: "unknown" },
      message: { [ARN]: /allowed only if ECS's request meets conditions on aws:SourceVpc/ },
    },
    {
      name: "CreateSecret granted for a service's tag but not a task set's: fail",
      facts: withTls([
        tlsRole({
          attached: [],
          inline: {
            tls: policy(
              allow("secretsmanager:*", "arn:aws:secretsmanager:*:*:secret:ecs-sc!*", {
                Condition: { ArnLike: { "aws:RequestTag/AmazonECSCreated": "arn:aws:ecs:*:*:service/*/*" } },
              }),
              allow("acm-pca:*", "*"),
            ),
          },
        }),
      ]),
      expect: { [ARN]: "fail" },
      message: { [ARN]: /secretsmanager:CreateSecret, secretsmanager:TagResource not allowed by any policy/ },
      assert: ([f]) => {
        // The rotation actions carry no request tags: the same condition leaves them undecided, not granted.
        const actions = f?.details?.actions as Record<string, { decision: string }>;
        expect(actions["secretsmanager:GetSecretValue"]?.decision).toBe("conditional");
      },
    },
    {
      name: "a copy pinned to another account's secrets (aws:ResourceAccount) fails",
      facts: withTls([
        tlsRole({
          attached: [],
          inline: {
            tls: policy(
              allow("secretsmanager:*", "*", {
                Condition: { StringEquals: { "aws:ResourceAccount": "999988887777" } },
              }),
              allow("acm-pca:*", "*"),
            ),
          },
        }),
      ]),
      expect: { [ARN]: "fail" },
    },
    {
      name: "a permissions boundary that leaves acm-pca out",
      facts: withTls(
        [tlsRole({ boundaryArn: BOUNDARY })],
        [managed(BOUNDARY, policy(allow("secretsmanager:*", "*")))],
      ),
      expect: { [ARN]: "fail" },
      message: {
        [ARN]:
          /: acm-pca:GetCertificate, acm-pca:GetCertificateAuthorityCertificate, acm-pca:DescribeCertificateAuthority, acm-pca:IssueCertificate not allowed by the permissions boundary\. /,
      },
      assert: ([f]) => expect(f?.remediation).toMatch(/permissions boundary .*boundary does not allow/),
    },
    {
      name: "the role's policies cannot be read: unknown",
      facts: withTls([tlsRole({ attachedPolicies: err("iam:ListAttachedRolePolicies") })]),
      expect: { [ARN]: "unknown" },
      message: {
        [ARN]:
          /Could not check the permissions of tls: iam:ListAttachedRolePolicies failed with AccessDenied/,
      },
    },
    {
      name: "the managed policy's default version cannot be read: unknown",
      facts: facts([tlsRole()], {
        policies: [[TLS_POLICY_ARN, err("iam:GetPolicyVersion")]],
      }),
      expect: { [ARN]: "unknown" },
    },
    {
      name: "GetRole denied: unknown",
      facts: withTls([tlsRole({ role: err("iam:GetRole") })]),
      expect: { [ARN]: "unknown" },
    },
    {
      name: "a trust failure is still a fail when the permissions cannot be read",
      facts: withTls([
        tlsRole({
          trust: trust({ Service: "ecs-tasks.amazonaws.com" }),
          inlinePolicies: err("iam:ListRolePolicies"),
        }),
      ]),
      expect: { [ARN]: "fail" },
      message: { [ARN]: /does not let ecs\.amazonaws\.com assume it .*; its permissions could not be read/ },
    },
    {
      name: "a fail names the role's failed ECSServiceConnectForTLS calls in CloudTrail (cloudtrail-errors judges them)",
      facts: facts([tlsRole({ attached: [CUSTOMER] })], {
        policies: [tlsManaged, managed(CUSTOMER, copyWithout("acm-pca:IssueCertificate"), "v2")],
        trail: {
          startTime: "2026-11-26T12:00:00Z",
          sessions: {
            ECSServiceConnectForTLS: ok([
              {
                eventId: "e1",
                eventName: "IssueCertificate",
                eventTime: "2026-11-27T10:00:00Z",
                eventSource: "acm-pca.amazonaws.com",
                roleArn: ARN,
                errorCode: "AccessDeniedException",
              },
              // Another role's failure and a success are not this role's failed calls.
              {
                eventId: "e2",
                eventName: "IssueCertificate",
                eventTime: "2026-11-27T10:00:00Z",
                eventSource: "acm-pca.amazonaws.com",
                roleArn: `arn:aws:iam::${ACCOUNT}:role/other`,
                errorCode: "AccessDeniedException",
              },
              {
                eventId: "e3",
                eventName: "GetSecretValue",
                eventTime: "2026-11-27T10:00:00Z",
                eventSource: "secretsmanager.amazonaws.com",
                roleArn: ARN,
              },
            ]),
          },
        },
      }),
      expect: { [ARN]: "fail" },
      message: {
        [ARN]:
          /CloudTrail shows 1 failed ECSServiceConnectForTLS call by it since 2026-11-26T12:00:00Z \(see cloudtrail-errors\)\.$/,
      },
      assert: ([f]) =>
        expect(f?.details?.trail).toEqual({
          session: "ECSServiceConnectForTLS",
          since: "2026-11-26T12:00:00Z",
          failedCalls: 1,
          byAction: { "IssueCertificate AccessDeniedException": 1 },
        }),
    },
  ],
});

// The required actions are read from the policy document: a hand-kept list could drift from it.
describe("tls-permissions requirements", () => {
  it("are every action of the managed policy document, and dropping any one fails naming it", () => {
    const documentActions = tlsPolicyDocument().Statement.flatMap((s) =>
      ([] as string[]).concat(s.Action as string),
    );
    expect(TLS_REQUIREMENTS.map((r) => r.action)).toEqual(documentActions);
    for (const action of documentActions) {
      const f = withTls([tlsRole({ attached: [CUSTOMER] })], [managed(CUSTOMER, copyWithout(action), "v2")]);
      const [finding] = rule.check(f, { now: new Date(f.collectedAt), stuckAfterMs: 0 });
      expect(finding?.status, action).toBe("fail");
      expect(finding?.message, action).toContain(`${action} not allowed by any policy`);
    }
  });

  it("refuse a policy version with a condition key the request model does not supply", () => {
    const doc = tlsPolicyDocument();
    doc.Statement[0] = { ...doc.Statement[0], Condition: { StringEquals: { "aws:SourceVpc": "vpc-1" } } };
    expect(() => requirementsOf(doc as never)).toThrow(/condition key aws:sourcevpc is not modelled/);
  });
});
