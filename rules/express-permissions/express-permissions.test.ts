import { ACCOUNT, err, managed, ok, policy } from "../../test/support/facts.ts";
import { testRule } from "../../test/support/rule-tester.ts";
import {
  copyRequiringRequestTag,
  copyWithout,
  leastPrivilegeElbCopy,
  readCluster,
  regionLock,
  USE_ROLE_ARN,
  useFacts,
  useRuleCases,
} from "../../test/support/use-cases.ts";
import rule from "./index.ts";

const COPY = `arn:aws:iam::${ACCOUNT}:policy/copy`;
const CLUSTER = `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/prod`;
const shared = useRuleCases("express", "elasticloadbalancing:DeleteLoadBalancer");

testRule(rule, {
  valid: [
    ...shared.valid,
    {
      name: "a least-privilege copy granting each ELB action only on the resource type it authorises: pass",
      facts: useFacts(
        "express",
        { attached: [COPY] },
        { policies: [managed(COPY, leastPrivilegeElbCopy())] },
      ),
      expect: { [USE_ROLE_ARN]: "pass" },
    },
  ],
  invalid: [
    ...shared.invalid,
    {
      name: "iam:CreateServiceLinkedRole only for Elastic Load Balancing (ECS also creates the scaling one): fail",
      facts: useFacts(
        "express",
        {
          attached: [COPY],
          inline: {
            slr: policy({
              Effect: "Allow",
              Action: "iam:CreateServiceLinkedRole",
              Resource: "*",
              Condition: { StringEquals: { "iam:AWSServiceName": "elasticloadbalancing.amazonaws.com" } },
            }),
          },
        },
        { policies: [managed(COPY, copyWithout("express", "iam:CreateServiceLinkedRole"))] },
      ),
      expect: { [USE_ROLE_ARN]: "fail" },
      message: { [USE_ROLE_ARN]: /iam:CreateServiceLinkedRole not allowed by any policy/ },
    },
    ...[
      "application-autoscaling:PutScalingPolicy",
      "elasticloadbalancing:AddListenerCertificates",
      "iam:CreateServiceLinkedRole",
    ].map((action) => ({
      name: `${action} allowed only with aws:RequestTag (the call carries no tags): fail naming it`,
      facts: useFacts("express", ...copyRequiringRequestTag("express", action)),
      expect: { [USE_ROLE_ARN]: "fail" as const },
      message: { [USE_ROLE_ARN]: new RegExp(`${action} not allowed by any policy`) },
    })),
    ...[
      "application-autoscaling:RegisterScalableTarget",
      "ec2:AuthorizeSecurityGroupIngress",
      "ec2:AuthorizeSecurityGroupEgress",
    ].map((action) => ({
      name: `${action} allowed only with aws:RequestTag (ECS also calls it later, untagged): fail naming it`,
      facts: useFacts("express", ...copyRequiringRequestTag("express", action)),
      expect: { [USE_ROLE_ARN]: "fail" as const },
      message: { [USE_ROLE_ARN]: new RegExp(`${action} not allowed by any policy`) },
    })),
    {
      name: "the least-privilege ELB copy without DeleteListener: fail naming it",
      facts: (() => {
        const doc = leastPrivilegeElbCopy();
        for (const s of doc.Statement)
          if (s.Sid === "ELB1")
            s.Action = (s.Action as string[]).filter((a) => a !== "elasticloadbalancing:DeleteListener");
        return useFacts("express", { attached: [COPY] }, { policies: [managed(COPY, doc)] });
      })(),
      expect: { [USE_ROLE_ARN]: "fail" },
      message: { [USE_ROLE_ARN]: /elasticloadbalancing:DeleteListener not allowed by any policy/ },
    },
    {
      name: "a Region lock to the role's Region denies iam:CreateServiceLinkedRole (IAM is called in us-east-1): fail",
      facts: { ...useFacts("express", { inline: { lock: regionLock("eu-west-1") } }), region: "eu-west-1" },
      expect: { [USE_ROLE_ARN]: "fail" },
      message: { [USE_ROLE_ARN]: /iam:CreateServiceLinkedRole denied by .*RegionLock/ },
    },
    {
      name: "a cluster's services unread hide its Express services: unknown for the cluster, naming ListServices",
      facts: {
        ...useFacts("express"),
        ecs: {
          clusters: ok([
            readCluster({ services: err("ecs:ListServices", "ClusterNotFoundException", "gone") }),
          ]),
        },
      },
      expect: { [USE_ROLE_ARN]: "pass", [CLUSTER]: "unknown" },
      message: {
        [CLUSTER]:
          /the Express services of cluster prod .*ecs:ListServices failed with ClusterNotFoundException: gone/,
      },
    },
    {
      name: "facts gathered before Express services were read: unknown for the cluster, saying to take them again",
      facts: { ...useFacts("express"), ecs: { clusters: ok([readCluster({ expressServices: undefined })]) } },
      expect: { [USE_ROLE_ARN]: "pass", [CLUSTER]: "unknown" },
      message: { [CLUSTER]: /ecs:DescribeExpressGatewayService failed with NotCollected/ },
    },
  ],
});
