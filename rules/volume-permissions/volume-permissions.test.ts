import { expect } from "vitest";
import type { RuleFinding } from "../../src/engine/finding.ts";
import type { EcsFacts } from "../../src/facts/types.ts";
import { ACCOUNT, deletedRole, err, facts, managed, ok, policy, role } from "../../test/support/facts.ts";
import { testRule } from "../../test/support/rule-tester.ts";
import rule from "./index.ts";

const ARN = `arn:aws:iam::${ACCOUNT}:role/infra`;
const CUSTOMER = `arn:aws:iam::${ACCOUNT}:policy/ebs-for-ecs`;
const BOUNDARY = `arn:aws:iam::${ACCOUNT}:policy/boundary`;
const allow = (Action: unknown, Resource: unknown = "*", extra: Record<string, unknown> = {}) => ({
  Effect: "Allow",
  Action,
  Resource,
  ...extra,
});
const deny = (Action: unknown, Resource: unknown = "*", extra: Record<string, unknown> = {}) => ({
  Effect: "Deny",
  Action,
  Resource,
  ...extra,
});
const volumesOnly = policy(
  allow(["ec2:DetachVolume", "ec2:DeleteVolume"], "arn:aws:ec2:*:*:volume/*"),
  allow("ec2:DescribeVolumes"),
);
/** One cluster with one task of the role, on the given launch type or capacity provider. */
const ecsWith = (launchType?: string, capacityProviderName?: string): EcsFacts => ({
  clusters: ok([
    {
      arn: "arn:aws:ecs:us-east-1:111122223333:cluster/c",
      name: "c",
      services: ok([]),
      tasks: ok([
        {
          arn: "arn:aws:ecs:us-east-1:111122223333:task/c/t",
          clusterArn: "arn:aws:ecs:us-east-1:111122223333:cluster/c",
          lastStatus: "RUNNING",
          desiredStatus: "RUNNING",
          ...(launchType ? { launchType } : {}),
          ...(capacityProviderName ? { capacityProviderName } : {}),
          ebsAttachments: [{ id: "a", status: "ATTACHED", roleArn: ARN, volumeId: "vol-1" }],
        },
      ]),
    },
  ]),
});
const inlineOnly = (doc: unknown) => facts([role("infra", { attached: [], inline: { ebs: doc } })]);

/** The per-action decision recorded in the finding's details. */
type ActionDetails = Record<string, { decision: string; statements: { sid?: string; policy: string }[] }>;
const decisionOf = (f: RuleFinding | undefined, action: string) =>
  (f?.details?.actions as ActionDetails | undefined)?.[action];

testRule(rule, {
  valid: [
    {
      name: "the AWS managed policy attached",
      facts: facts([role("infra")]),
      expect: { [ARN]: "pass" },
      assert: ([f]) => {
        expect(decisionOf(f, "ec2:DeleteVolume")?.statements[0]?.sid).toBe("DeleteEBSManagedVolume");
        expect(decisionOf(f, "ec2:DetachVolume")?.statements.map((s) => s.sid)).toContain(
          "ManageEBSVolumeLifecycle",
        );
        expect(decisionOf(f, "ec2:DescribeVolumes")?.statements[0]?.sid).toBe("DescribeVolumesForLifecycle");
      },
    },
    {
      name: "managed policy detached, inline policy grants the actions (spelled ec2:deleteVolume)",
      facts: inlineOnly(policy(allow(["ec2:DetachVolume", "ec2:deleteVolume", "ec2:DescribeVolumes"]))),
      expect: { [ARN]: "pass" },
    },
    {
      name: "granted through ec2:*Volume*",
      facts: inlineOnly(policy(allow("ec2:*Volume*"))),
      expect: { [ARN]: "pass" },
    },
    { name: "granted through ec2:*", facts: inlineOnly(policy(allow("ec2:*"))), expect: { [ARN]: "pass" } },
    {
      name: "granted through NotAction",
      facts: inlineOnly(policy({ Effect: "Allow", NotAction: ["iam:*", "organizations:*"], Resource: "*" })),
      expect: { [ARN]: "pass" },
    },
    {
      name: "a boundary that allows ec2:* does not take anything away",
      facts: facts([role("infra", { boundaryArn: BOUNDARY })], {
        policies: [managed(BOUNDARY, policy(allow("ec2:*")))],
      }),
      expect: { [ARN]: "pass" },
    },
    {
      name: "a Service Connect TLS-only role is not checked for volume permissions",
      facts: facts([
        role("tls", {
          attached: [],
          referencedBy: [{ kind: "service", cluster: "c", service: "s", use: "service-connect-tls" }],
        }),
      ]),
      expect: {},
    },
    { name: "a deleted role is left to role-exists", facts: facts([deletedRole("infra")]), expect: {} },
    {
      name: "StringEqualsIfExists on a resource tag holds for DescribeVolumes, which carries none: pass",
      facts: inlineOnly(
        policy(
          allow(["ec2:DetachVolume", "ec2:DeleteVolume"]),
          allow("ec2:Describe*", "*", {
            Sid: "DescribeTaggedIfAny",
            Condition: { StringEqualsIfExists: { "aws:ResourceTag/AmazonECSManaged": "true" } },
          }),
        ),
      ),
      expect: { [ARN]: "pass" },
      assert: ([f]) =>
        expect(decisionOf(f, "ec2:DescribeVolumes")?.statements.map((s) => s.sid)).toEqual([
          "DescribeTaggedIfAny",
        ]),
    },
    {
      name: "a Deny on a resource tag (StringEquals) cannot apply to DescribeVolumes, which carries none",
      facts: facts([
        role("infra", {
          inline: {
            team: policy(
              deny("ec2:DescribeVolumes", "*", {
                Condition: { StringEquals: { "aws:ResourceTag/Team": "x" } },
              }),
            ),
          },
        }),
      ]),
      expect: { [ARN]: "pass" },
    },
  ],
  invalid: [
    {
      name: "managed policy attached plus an inline Deny on DeleteVolume",
      facts: facts([
        role("infra", {
          inline: { "no-deletes": policy(deny("ec2:DeleteVolume", "*", { Sid: "KeepVolumes" })) },
        }),
      ]),
      expect: { [ARN]: "fail" },
      message: { [ARN]: /ec2:DeleteVolume denied by inline policy "no-deletes" Sid "KeepVolumes"/ },
      assert: ([f]) => {
        expect(decisionOf(f, "ec2:DeleteVolume")?.decision).toBe("explicit-deny");
        expect(decisionOf(f, "ec2:DetachVolume")?.decision).toBe("allow");
        expect(f?.remediation).toMatch(
          /get-role-policy --role-name infra --policy-name no-deletes[\s\S]*put-role-policy/,
        );
      },
    },
    {
      name: "a boundary that omits DetachVolume",
      facts: facts([role("infra", { boundaryArn: BOUNDARY })], {
        policies: [
          managed(BOUNDARY, policy(allow(["ec2:DeleteVolume", "ec2:DescribeVolumes", "ec2:CreateVolume"]))),
        ],
      }),
      expect: { [ARN]: "fail" },
      message: { [ARN]: /ec2:DetachVolume not allowed by the permissions boundary/ },
      assert: ([f]) => {
        expect(decisionOf(f, "ec2:DetachVolume")?.decision).toBe("implicit-deny");
        expect(f?.remediation).toMatch(/delete-role-permissions-boundary --role-name infra/);
      },
    },
    {
      name: "a customer policy whose default version lacks DeleteVolume (an older version had it)",
      facts: facts([role("infra", { attached: [CUSTOMER] })], {
        policies: [managed(CUSTOMER, policy(allow(["ec2:DetachVolume", "ec2:DescribeVolumes"])), "v3")],
      }),
      expect: { [ARN]: "fail" },
      message: { [ARN]: /ec2:DeleteVolume not allowed by any policy/ },
      assert: ([f]) =>
        expect(f?.remediation).toMatch(
          /attach-role-policy --role-name infra --policy-arn arn:aws:iam::aws:policy\/service-role\/AmazonECSInfrastructureRolePolicyForVolumes/,
        ),
    },
    {
      name: "no policies at all",
      facts: facts([role("infra", { attached: [] })]),
      expect: { [ARN]: "fail" },
    },
    {
      name: "an Allow for another account's volumes only",
      facts: inlineOnly(
        policy(
          allow(["ec2:DetachVolume", "ec2:DeleteVolume"], "arn:aws:ec2:*:999999999999:volume/*"),
          allow("ec2:DescribeVolumes"),
        ),
      ),
      expect: { [ARN]: "fail" },
    },
    {
      name: "an Allow conditioned on a key ECS does not send is unknown, naming the key (never a pass or a mere warning)",
      facts: inlineOnly(
        policy(allow("ec2:*", "*", { Condition: { StringEquals: { "aws:SourceVpc": "vpc-1" } } })),
      ),
      expect: { [ARN]: "unknown" },
      message: { [ARN]: /allowed only if ECS's request meets conditions on aws:SourceVpc/ },
    },
    {
      name: "a Deny conditioned on a tag ECS's volumes may lack (StringNotEquals) is unknown",
      facts: facts([
        role("infra", {
          inline: {
            team: policy(
              deny("ec2:DeleteVolume", "*", {
                Condition: { StringNotEquals: { "aws:ResourceTag/Team": "storage" } },
              }),
            ),
          },
        }),
      ]),
      expect: { [ARN]: "unknown" },
      message: { [ARN]: /ec2:DeleteVolume may be denied, depending on conditions on aws:ResourceTag\/Team/ },
    },
    {
      name: "an Allow of ec2:Describe* conditioned on aws:ResourceTag/AmazonECSManaged never allows DescribeVolumes: fail, naming the statement and why",
      facts: inlineOnly(
        policy(
          allow(["ec2:DetachVolume", "ec2:DeleteVolume"]),
          allow("ec2:Describe*", "*", {
            Sid: "DescribeTagged",
            Condition: { StringEquals: { "aws:ResourceTag/AmazonECSManaged": "true" } },
          }),
        ),
      ),
      expect: { [ARN]: "fail" },
      message: {
        [ARN]:
          /ec2:DescribeVolumes not allowed by any policy \(inline policy "ebs" Sid "DescribeTagged" does not apply: its condition needs aws:ResourceTag\/AmazonECSManaged, which a DescribeVolumes request never carries\)/,
      },
      assert: ([f]) => {
        expect(decisionOf(f, "ec2:DescribeVolumes")?.decision).toBe("implicit-deny");
        expect(decisionOf(f, "ec2:DeleteVolume")?.decision).toBe("allow");
        const details = ((f?.details?.actions ?? {}) as Record<string, { absentKeyConditions?: unknown }>)[
          "ec2:DescribeVolumes"
        ];
        expect(details?.absentKeyConditions).toEqual([
          {
            statement: 'inline policy "ebs" Sid "DescribeTagged"',
            conditions: ["StringEquals aws:ResourceTag/AmazonECSManaged"],
          },
        ]);
        expect(f?.remediation).toMatch(
          /# inline policy "ebs" Sid "DescribeTagged" does not apply: its condition needs aws:ResourceTag\/AmazonECSManaged, which a DescribeVolumes request never carries: drop that condition for ec2:DescribeVolumes, or attach the AWS managed policy:\naws iam attach-role-policy --role-name infra/,
        );
      },
    },
    {
      name: "a boundary that scopes ec2:* by resource tag leaves DescribeVolumes out: fail, naming the boundary statement",
      facts: facts([role("infra", { boundaryArn: BOUNDARY })], {
        policies: [
          managed(
            BOUNDARY,
            policy(
              allow("ec2:*", "*", {
                Sid: "OnlyManaged",
                Condition: { StringEquals: { "ec2:ResourceTag/AmazonECSManaged": "true" } },
              }),
            ),
          ),
        ],
      }),
      expect: { [ARN]: "fail" },
      message: {
        [ARN]:
          /ec2:DescribeVolumes not allowed by the permissions boundary \(permissions boundary [^ ]+\/boundary \(v1\) Sid "OnlyManaged" does not apply: its condition needs ec2:ResourceTag\/AmazonECSManaged, which a DescribeVolumes request never carries\)/,
      },
      assert: ([f]) => {
        expect(decisionOf(f, "ec2:DeleteVolume")?.decision).toBe("allow");
        expect(decisionOf(f, "ec2:DetachVolume")?.decision).toBe("allow");
      },
    },
    {
      name: "a Deny of DescribeVolumes unless aws:ResourceTag/Team=x (StringNotEquals) certainly applies: fail",
      facts: facts([
        role("infra", {
          inline: {
            team: policy(
              deny("ec2:DescribeVolumes", "*", {
                Sid: "TeamOnly",
                Condition: { StringNotEquals: { "aws:ResourceTag/Team": "x" } },
              }),
            ),
          },
        }),
      ]),
      expect: { [ARN]: "fail" },
      message: {
        [ARN]:
          /ec2:DescribeVolumes denied by inline policy "team" Sid "TeamOnly" \(inline policy "team" Sid "TeamOnly" applies: its condition StringNotEquals aws:ResourceTag\/Team holds, as a DescribeVolumes request never carries aws:ResourceTag\/Team\)/,
      },
      assert: ([f]) => expect(decisionOf(f, "ec2:DescribeVolumes")?.decision).toBe("explicit-deny"),
    },
    {
      name: "a Deny on a user tag of the volume (StringEquals aws:ResourceTag/Team) may apply to DeleteVolume: unknown",
      facts: facts([
        role("infra", {
          inline: {
            team: policy(
              deny(["ec2:DeleteVolume", "ec2:DescribeVolumes"], "*", {
                Condition: { StringEquals: { "aws:ResourceTag/Team": "x" } },
              }),
            ),
          },
        }),
      ]),
      expect: { [ARN]: "unknown" },
      message: { [ARN]: /ec2:DeleteVolume may be denied, depending on conditions on aws:ResourceTag\/Team/ },
      assert: ([f]) => {
        expect(decisionOf(f, "ec2:DeleteVolume")?.decision).toBe("conditional");
        // The same Deny cannot apply to DescribeVolumes: the key is absent there, not unknown.
        expect(decisionOf(f, "ec2:DescribeVolumes")?.decision).toBe("allow");
      },
    },
    {
      name: "a Deny conditioned on aws:ViaAWSService is unknown",
      facts: facts([
        role("infra", {
          inline: {
            via: policy(deny("ec2:*", "*", { Condition: { Bool: { "aws:ViaAWSService": "false" } } })),
          },
        }),
      ]),
      expect: { [ARN]: "unknown" },
    },
    {
      name: "a Deny on volume/vol-* covers every volume: fail",
      facts: facts([
        role("infra", { inline: { all: policy(deny("ec2:DeleteVolume", "arn:aws:ec2:*:*:volume/vol-*")) } }),
      ]),
      expect: { [ARN]: "fail" },
      message: { [ARN]: /ec2:DeleteVolume denied by inline policy "all"/ },
    },
    {
      name: "an Allow on one named volume only is unknown, and the message says the resource is why",
      facts: inlineOnly(
        policy(
          allow(["ec2:DetachVolume", "ec2:DeleteVolume"], "arn:aws:ec2:*:*:volume/vol-0abc"),
          allow("ec2:DescribeVolumes"),
        ),
      ),
      expect: { [ARN]: "unknown" },
      message: { [ARN]: /allowed only if ECS's request meets [^.]*resource/i },
    },
    {
      name: "Detach/Delete granted on volume/* only, and the role serves an EC2-launch-type task: fail",
      facts: facts([role("infra", { attached: [], inline: { ebs: volumesOnly } })], { ecs: ecsWith("EC2") }),
      expect: { [ARN]: "fail" },
      message: {
        [ARN]:
          /ec2:DetachVolume on the instance not allowed by any policy \(needed when a task's volume is attached to an EC2 instance: this role serves such tasks\)/,
      },
      assert: ([f]) => expect(f?.remediation).toMatch(/attach-role-policy --role-name infra/),
    },
    {
      name: "the EC2-launch-type task names the role in another case (IAM names ignore case): still fail",
      facts: facts([role("infra", { attached: [], inline: { ebs: volumesOnly } })], {
        ecs: (() => {
          const e = ecsWith("EC2");
          const task = e.clusters.ok ? e.clusters.value[0]?.tasks : undefined;
          const attachment = task?.ok ? task.value[0]?.ebsAttachments[0] : undefined;
          if (attachment) attachment.roleArn = ARN.replace(/infra$/, "INFRA");
          return e;
        })(),
      }),
      expect: { [ARN]: "fail" },
      message: { [ARN]: /this role serves such tasks/ },
    },
    {
      name: "the same grant with only Fargate tasks in scope: a warning, not a verdict on the role",
      facts: facts([role("infra", { attached: [], inline: { ebs: volumesOnly } })], {
        ecs: ecsWith("FARGATE"),
      }),
      expect: { [ARN]: "warn" },
      message: { [ARN]: /not for Fargate/ },
    },
    {
      name: "an inline Deny of DetachVolume on instance/* with a task on an EC2 capacity provider: fail",
      facts: facts(
        [role("infra", { inline: { deny: policy(deny("ec2:DetachVolume", "arn:aws:ec2:*:*:instance/*")) } })],
        {
          ecs: ecsWith(undefined, "my-asg-provider"),
        },
      ),
      expect: { [ARN]: "fail" },
      message: { [ARN]: /DetachVolume on the instance denied by inline policy "deny"/ },
    },
    {
      name: "ListAttachedRolePolicies denied is unknown",
      facts: facts([role("infra", { attachedPolicies: err("iam:ListAttachedRolePolicies") })]),
      expect: { [ARN]: "unknown" },
      message: { [ARN]: /iam:ListAttachedRolePolicies/ },
    },
    {
      name: "GetPolicyVersion denied for the attached policy is unknown",
      facts: facts([role("infra", { attached: [CUSTOMER] })], {
        policies: [[CUSTOMER, err("iam:GetPolicyVersion")]],
      }),
      expect: { [ARN]: "unknown" },
      message: { [ARN]: /iam:GetPolicyVersion/ },
    },
    {
      name: "an inline policy that is not JSON is unknown",
      facts: facts([
        role("infra", {
          inline: {
            broken: err("iam:GetRolePolicy", "MalformedPolicyDocument", "inline policy broken: not JSON"),
          },
        }),
      ]),
      expect: { [ARN]: "unknown" },
    },
    {
      name: "an inline policy with invalid grammar is unknown, not ignored",
      facts: facts([
        role("infra", { inline: { odd: policy({ Effect: "Allow", Action: 42, Resource: "*" }) } }),
      ]),
      expect: { [ARN]: "unknown" },
      message: { [ARN]: /inline policy odd/ },
    },
    {
      name: "the boundary policy could not be read",
      facts: facts([role("infra", { boundaryArn: BOUNDARY })], {
        policies: [[BOUNDARY, err("iam:GetPolicy")]],
      }),
      expect: { [ARN]: "unknown" },
    },
  ],
});
