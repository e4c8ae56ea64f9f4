import { readFileSync } from "node:fs";
import { expect } from "vitest";
import {
  INFRASTRUCTURE_USES,
  infrastructureUse,
  usePolicyArn,
} from "../../src/analysis/infrastructure-uses.ts";
import { applyChanges } from "../../src/changes/apply.ts";
import { stackDeletionList } from "../../src/changes/cloudformation/stack-deletion.ts";
import { terraformChanges } from "../../src/changes/terraform/adapter.ts";
import type { Plan } from "../../src/changes/terraform/parse.ts";
import { parsePlanText } from "../../src/changes/terraform/read.ts";
import type {
  ClusterFacts,
  Facts,
  LoadBalancerKind,
  RoleReference,
  TaskFacts,
} from "../../src/facts/types.ts";
import { fixture as changeSetFixture, changesOf } from "../../test/changes/cloudformation/change-sets.ts";
import {
  ACCOUNT,
  err,
  facts,
  managed,
  ok,
  REGION,
  role,
  TLS_POLICY_ARN,
  tlsPolicyDocument,
  VOLUMES_POLICY_ARN,
} from "../../test/support/facts.ts";
import { testRule } from "../../test/support/rule-tester.ts";
import { usePolicyDocument } from "../../test/support/use-cases.ts";
import rule from "./index.ts";

const applyPlan = (f: Facts, p: Plan) => applyChanges(f, terraformChanges(p));

/** Today's account: ecs-infra with the AWS managed volumes policy, used (or not) by the prod/api service's tasks. */
const ARN = `arn:aws:iam::${ACCOUNT}:role/ecs-infra`;
const CLUSTER = `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/prod`;

function task(id: string, lastStatus: string): TaskFacts {
  return {
    arn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task/prod/${id}`,
    clusterArn: CLUSTER,
    group: "service:api",
    lastStatus,
    desiredStatus: lastStatus === "STOPPED" ? "STOPPED" : "RUNNING",
    launchType: "FARGATE",
    ebsAttachments: [{ id: `att-${id}`, status: "ATTACHED", roleArn: ARN, volumeId: `vol-${id}` }],
  };
}

function cluster(tasks: TaskFacts[], serviceStatus?: string): ClusterFacts {
  return {
    arn: CLUSTER,
    name: "prod",
    services: ok(
      serviceStatus
        ? [
            {
              arn: `arn:aws:ecs:${REGION}:${ACCOUNT}:service/prod/api`,
              name: "api",
              status: serviceStatus,
              infrastructureRoles: [{ roleArn: ARN, use: "ebs" as const, deploymentId: "ecs-svc/1" }],
              deploymentIds: ["ecs-svc/1"],
            },
          ]
        : [],
    ),
    tasks: ok(tasks),
    capacityProviders: ok([]),
    expressServices: ok([]),
  };
}

type World = "in-use" | "unused" | "unread" | "stopped";

function today(world: World): Facts {
  const ecs =
    world === "unread"
      ? {
          clusters: {
            ok: false as const,
            error: { api: "ecs:ListClusters", code: "AccessDenied", message: "no" },
          },
        }
      : world === "unused"
        ? { clusters: ok([cluster([])]) }
        : world === "stopped"
          ? { clusters: ok([cluster([task("a1", "STOPPED")])]) }
          : { clusters: ok([cluster([task("a1", "RUNNING"), task("b2", "RUNNING")], "ACTIVE")]) };
  return facts([role("ecs-infra", { attached: [VOLUMES_POLICY_ARN] })], { ecs });
}

/** Today's facts with the fixture plan applied, as `check --plan` builds them. */
function withPlan(fixture: string, world: World = "in-use", errored = false): Facts {
  const file = `test/changes/terraform/fixtures/${fixture}.json`;
  const raw = JSON.parse(readFileSync(file, "utf8"));
  if (errored) raw.errored = true;
  const plan = parsePlanText(file, Buffer.from(JSON.stringify(raw)));
  const f = today(world);
  return { ...f, plan: applyPlan(f, plan) };
}

/**
 * ecs-infra as a Service Connect TLS role only: the prod/api service names it for TLS and it holds the AWS managed
 * TLS policy. The fixture plans are the volume role's with the policy ARN swapped, as Terraform would write them.
 */
function withTlsPlan(fixture: string): Facts {
  const file = `test/changes/terraform/fixtures/${fixture}.json`;
  const text = readFileSync(file, "utf8").replaceAll(VOLUMES_POLICY_ARN, TLS_POLICY_ARN);
  const plan = parsePlanText(file, Buffer.from(text));
  const tlsCluster = cluster([], "ACTIVE");
  const services = tlsCluster.services.ok ? tlsCluster.services.value : [];
  for (const s of services)
    s.infrastructureRoles = [{ roleArn: ARN, use: "service-connect-tls", deploymentId: "ecs-svc/1" }];
  const f = facts(
    [
      role("ecs-infra", {
        attached: [TLS_POLICY_ARN],
        referencedBy: [{ kind: "service", cluster: CLUSTER, service: "api", use: "service-connect-tls" }],
      }),
    ],
    { ecs: { clusters: ok([tlsCluster]) }, policies: [managed(TLS_POLICY_ARN, tlsPolicyDocument(), "v4")] },
  );
  return { ...f, plan: applyPlan(f, plan) };
}

/** Today's facts with a CloudFormation change set (a fixture of test/changes/cloudformation/) applied. */
function withChangeSet(
  fixture: string,
  world: World = "in-use",
  edit: (raw: Record<string, unknown>) => void = () => {},
): Facts {
  const raw = changeSetFixture(fixture);
  edit(raw);
  const f = today(world);
  return { ...f, plan: applyChanges(f, changesOf(raw)) };
}

/** Today's facts with the deletion of stack prod-ecs applied: it holds the service and ecs-infra. */
function withStackDeletion(deletionPolicy?: string): Facts {
  const f = today("in-use");
  const list = stackDeletionList({
    stackName: "prod-ecs",
    stackId: `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/prod-ecs/1`,
    parameters: {},
    resources: [
      { logicalId: "InfraRole", physicalId: "ecs-infra", type: "AWS::IAM::Role" },
      {
        logicalId: "Api",
        physicalId: `arn:aws:ecs:${REGION}:${ACCOUNT}:service/prod/api`,
        type: "AWS::ECS::Service",
      },
    ],
    template: {
      ok: true,
      value: {
        Resources: {
          InfraRole: {
            Type: "AWS::IAM::Role",
            ...(deletionPolicy ? { DeletionPolicy: deletionPolicy } : {}),
          },
        },
      },
    },
    nested: [],
    unread: [],
  });
  return { ...f, plan: applyChanges(f, list) };
}

testRule(rule, {
  valid: [
    { name: "no plan: nothing to judge", facts: today("in-use"), expect: {} },
    {
      name: "deleting a role no task or service uses passes, saying so",
      facts: withPlan("delete-role", "unused"),
      expect: { [ARN]: "pass" },
      message: {
        [ARN]:
          /nothing \(no task, service, capacity provider or Express service\) uses ecs-infra in us-east-1 \(the Region read/,
      },
    },
    {
      name: "a tags-only update of a Service Connect TLS role passes (it needs no volume actions)",
      facts: withTlsPlan("tags-only"),
      expect: { [ARN]: "pass" },
    },
    {
      name: "deleting a role whose tasks are all STOPPED passes",
      facts: withPlan("delete-role", "stopped"),
      expect: { [ARN]: "pass" },
    },
    {
      name: "swapping the managed policy for an inline policy that grants the same passes, naming both changes",
      facts: withPlan("swap-for-inline-policy"),
      expect: { [ARN]: "pass" },
      message: {
        [ARN]:
          /aws_iam_role_policy\.volumes adds the inline policy ecs-volumes.*aws_iam_role_policy_attachment\.volumes deletes/,
      },
    },
    {
      name: "a tags-only update passes and says what changed",
      facts: withPlan("tags-only"),
      expect: { [ARN]: "pass" },
      message: { [ARN]: /aws_iam_role\.infra changes tags: ECS keeps its trust and every volume action/ },
    },
    {
      name: "a rewritten customer managed policy: a role of another account that ECS uses leaves no gap (it cannot be attached)",
      facts: (() => {
        const f = today("in-use");
        const clusters = f.ecs?.clusters;
        if (!clusters?.ok) throw new Error("expected clusters");
        const [c] = clusters.value;
        const other = { ...task("x9", "RUNNING"), arn: `${task("x9", "RUNNING").arn}-other` };
        other.ebsAttachments = [
          { id: "att-x9", status: "ATTACHED", roleArn: "arn:aws:iam::444455556666:role/far" },
        ];
        const g: Facts = {
          ...f,
          ecs: {
            clusters: ok([
              { ...c, tasks: ok([...(c?.tasks.ok ? c.tasks.value : []), other]) } as ClusterFacts,
            ]),
          },
        };
        const file = "test/changes/terraform/fixtures/customer-policy-drops-delete-volume.json";
        return { ...g, plan: applyPlan(g, parsePlanText(file, readFileSync(file))) };
      })(),
      expect: {},
    },
    {
      name: "a CloudFormation change set that only changes the role's tags passes",
      facts: withChangeSet("tags-only"),
      expect: { [ARN]: "pass" },
      message: { [ARN]: /prod-ecs\/InfraRole changes tags: ECS keeps its trust and every volume action/ },
    },
    {
      name: "a change set removing a role nothing uses passes",
      facts: withChangeSet("remove-service-and-role", "unused"),
      expect: { [ARN]: "pass" },
    },
    {
      name: "deleting a stack whose role has DeletionPolicy: Retain passes: the role stays",
      facts: withStackDeletion("Retain"),
      expect: { [ARN]: "pass" },
      message: { [ARN]: /keeps it \(DeletionPolicy Retain\)/ },
    },
  ],
  invalid: [
    {
      name: "a change set removing the role and its service fails, with the change set's safe order (no Terraform wording)",
      facts: withChangeSet("remove-service-and-role"),
      expect: { [ARN]: "fail" },
      message: {
        [ARN]: /prod-ecs\/InfraRole deletes the role.*The same change set deletes prod-ecs\/ApiService/,
      },
      assert: ([f]) => {
        expect(f?.remediation).toMatch(/in two change sets/);
        expect(`${f?.message} ${f?.remediation}`).not.toMatch(/terraform|apply -target/i);
      },
    },
    {
      name: "a change set dropping the volumes policy from ManagedPolicyArns fails: the role loses the volume actions",
      facts: withChangeSet("detach-managed-policy"),
      expect: { [ARN]: "fail" },
      message: { [ARN]: /lose ec2:DetachVolume/ },
    },
    {
      name: "a tags-only change set that is OBSOLETE is unknown, never a pass",
      facts: withChangeSet("tags-only", "in-use", (raw) => {
        raw.ExecutionStatus = "OBSOLETE";
      }),
      expect: { [ARN]: "unknown" },
      message: { [ARN]: /ExecutionStatus OBSOLETE.*so it may leave changes out/ },
    },
    {
      name: "a FAILED change set with no changes is one unknown finding on the change set",
      facts: withChangeSet("failed-no-changes"),
      expect: {
        [`arn:aws:cloudformation:${REGION}:${ACCOUNT}:changeSet/preflight/0b4e5a8c-2d3f-4a1b-9c8d-7e6f5a4b3c2d`]:
          "unknown",
      },
    },
    {
      name: "a Deny put on roles CloudFormation names only while it runs is unknown",
      facts: withChangeSet("known-after-apply-roles"),
      expect: { "prod-ecs/GuardPolicy": "unknown" },
      message: {
        "prod-ecs/GuardPolicy": /known only once the change set runs, so the change set cannot be judged/,
      },
    },
    {
      name: "deleting the stack that holds a role in use fails; the fix names DeletionPolicy: Retain and the services first",
      facts: withStackDeletion(),
      expect: { [ARN]: "fail" },
      message: {
        [ARN]: /prod-ecs\/InfraRole deletes the role.*The same stack deletion deletes prod-ecs\/Api/,
      },
      assert: ([f]) =>
        expect(f?.remediation).toMatch(
          /DeletionPolicy: Retain on prod-ecs\/InfraRole[\s\S]*delete the services first[\s\S]*delete-stack --stack-name prod-ecs/,
        ),
    },
    {
      name: "deleting a role two RUNNING tasks use fails, naming the address and the safe order",
      facts: withPlan("delete-role"),
      expect: { [ARN]: "fail" },
      message: { [ARN]: /aws_iam_role\.infra deletes the role: ecs-infra would be deleted, while 2 tasks/ },
      assert: ([f]) =>
        expect(f?.remediation).toMatch(
          /^Safe order: delete the service, `ecs-preflight wait --role ecs-infra`, then delete/,
        ),
    },
    {
      name: "deleting the service and its role in one plan fails: the service's tasks still stop during apply",
      facts: withPlan("delete-service-and-role"),
      expect: { [ARN]: "fail" },
      message: { [ARN]: /The same plan deletes aws_ecs_service\.api: its tasks are still stopping/ },
      assert: ([f]) =>
        expect(f?.remediation).toMatch(/-target=aws_ecs_service\.api[\s\S]*wait --role ecs-infra/),
    },
    {
      name: "detaching the AWS managed policy with nothing else granting fails: the role loses the volume actions",
      facts: withPlan("detach-managed-policy"),
      expect: { [ARN]: "fail" },
      message: {
        [ARN]: /aws_iam_role_policy_attachment\.volumes deletes the attachment.*lose ec2:DetachVolume/,
      },
    },
    {
      name: "detaching the managed TLS policy from a Service Connect TLS role in use fails, naming the TLS actions lost",
      facts: withTlsPlan("detach-managed-policy"),
      expect: { [ARN]: "fail" },
      message: { [ARN]: /lose acm-pca:IssueCertificate \(Service Connect TLS\)/ },
      assert: (findings) => expect(findings[0]?.message).not.toMatch(/ec2:DetachVolume/),
    },
    {
      name: "a trust policy rewritten to ecs-tasks.amazonaws.com fails: ECS can no longer assume the role",
      facts: withPlan("trust-ecs-tasks"),
      expect: { [ARN]: "fail" },
      message: { [ARN]: /rewrites the trust policy.*stop trusting ECS/ },
    },
    {
      name: "an inline Deny on ec2:DeleteVolume fails for that action only",
      facts: withPlan("inline-deny-delete-volume"),
      expect: { [ARN]: "fail" },
      message: { [ARN]: /lose ec2:DeleteVolume \(ec2:DeleteVolume is explicitly denied\)/ },
      assert: ([f]) =>
        expect(f?.details?.harm).toEqual(["lose ec2:DeleteVolume (ec2:DeleteVolume is explicitly denied)"]),
    },
    {
      name: "a replaced role (delete, then create) fails, and comes back without its no-op attachment",
      facts: withPlan("replace-role"),
      expect: { [ARN]: "fail" },
      message: { [ARN]: /replaces the role.*deleted and created again.*lose ec2:DetachVolume/ },
    },
    {
      name: "the attachment's delete wins over the computed managed_policy_arns copy the role update still lists",
      facts: withPlan("computed-managed-policy-arns"),
      expect: { [ARN]: "fail" },
      message: { [ARN]: /lose ec2:DeleteVolume/ },
    },
    {
      name: "a role moved to a new address without a moved block (delete one resource, create another of the same name) fails",
      facts: withPlan("move-role-without-moved"),
      expect: { [ARN]: "fail" },
      message: { [ARN]: /aws_iam_role\.infra deletes the role.*ecs-infra would be deleted/ },
    },
    {
      name: "an attachment moved to a new address without a moved block fails: the delete may run after the create",
      facts: withPlan("move-attachment-without-moved"),
      expect: { [ARN]: "fail" },
      message: { [ARN]: /lose ec2:DetachVolume/ },
    },
    {
      name: "an attachment replaced create_before_destroy (create, then delete) of the same role and policy fails: the delete detaches it",
      facts: withPlan("replace-attachment-create-before-destroy"),
      expect: { [ARN]: "fail" },
      message: { [ARN]: /lose ec2:DetachVolume/ },
    },
    {
      name: "an inline_policy set by a dynamic block (jsonconfig leaves it out) still counts: its Deny on ec2:DeleteVolume fails",
      facts: withPlan("dynamic-inline-policy-deny"),
      expect: { [ARN]: "fail" },
      message: {
        [ARN]: /changes inline_policy.*lose ec2:DeleteVolume \(ec2:DeleteVolume is explicitly denied\)/,
      },
    },
    {
      name: "an attachment moved to a role known only after apply (role = aws_iam_role.next.id) detaches it from today's role, not re-attaches it there",
      facts: withPlan("attachment-moves-to-role-named-after-apply"),
      expect: {
        [ARN]: "fail",
        [`${ARN}-v2`]: "pass",
        "aws_iam_role_policy_attachment.volumes": "unknown",
      },
      message: { [ARN]: /lose ec2:DetachVolume/ },
    },
    {
      name: "a new default version of the role's permissions boundary without ec2:DeleteVolume fails",
      facts: (() => {
        const boundary = `arn:aws:iam::${ACCOUNT}:policy/ecs-boundary`;
        const doc = {
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Action: "ec2:*", Resource: "*" }],
        };
        const f: Facts = {
          ...today("in-use"),
          roles: [role("ecs-infra", { attached: [VOLUMES_POLICY_ARN], boundaryArn: boundary })],
        };
        f.managedPolicies[boundary] = ok({
          arn: boundary,
          name: "ecs-boundary",
          defaultVersionId: "v1",
          document: ok(doc),
        });
        const file = "test/changes/terraform/fixtures/boundary-policy-drops-delete-volume.json";
        return { ...f, plan: applyPlan(f, parsePlanText(file, readFileSync(file))) };
      })(),
      expect: { [ARN]: "fail" },
      message: { [ARN]: /aws_iam_policy\.boundary sets a new default version.*lose ec2:DeleteVolume/ },
    },
    {
      name: "a module-nested attachment deleted by for_each key is named by its full address",
      facts: withPlan("module-nested"),
      expect: { [ARN]: "fail" },
      message: {
        [ARN]: /module\.ecs\.aws_iam_role_policy_attachment\.this\["volumes"\] deletes the attachment/,
      },
    },
    {
      name: "a new inline policy whose document is known only after apply is unknown, not a pass",
      facts: withPlan("after-unknown-policy"),
      expect: { [ARN]: "unknown" },
      message: { [ARN]: /KnownAfterApply/ },
    },
    {
      name: "a harmful change to a role whose use cannot be read is unknown",
      facts: withPlan("delete-role", "unread"),
      expect: { [ARN]: "unknown" },
      message: { [ARN]: /cannot tell whether a task or service uses it/ },
    },
    {
      name: "deleting a role unused in the one cluster read (--cluster prod) is unknown: a task elsewhere may use it",
      facts: (() => {
        const f = withPlan("delete-role", "unused");
        return { ...f, scope: { ...f.scope, clusters: ["prod"] } };
      })(),
      expect: { [ARN]: "unknown" },
      message: { [ARN]: /ECS was read only for --cluster prod/ },
    },
    {
      name: "a rewritten managed policy when the facts lack a role ECS uses (a snapshot without it) is unknown",
      facts: (() => {
        const f: Facts = { ...today("in-use"), roles: [] };
        const file = "test/changes/terraform/fixtures/customer-policy-drops-delete-volume.json";
        return { ...f, plan: applyPlan(f, parsePlanText(file, readFileSync(file))) };
      })(),
      expect: { [`arn:aws:iam::${ACCOUNT}:policy/ecs-volumes`]: "unknown" },
      message: {
        [`arn:aws:iam::${ACCOUNT}:policy/ecs-volumes`]:
          /cannot tell which roles in use it reaches.*ecs-infra/,
      },
    },
    {
      name: "a rewritten managed policy when ECS was not read is unknown",
      facts: (() => {
        const { ecs: _, ...f } = today("in-use");
        const file = "test/changes/terraform/fixtures/customer-policy-drops-delete-volume.json";
        return { ...f, plan: applyPlan(f, parsePlanText(file, readFileSync(file))) };
      })(),
      expect: { [`arn:aws:iam::${ACCOUNT}:policy/ecs-volumes`]: "unknown" },
      message: { [`arn:aws:iam::${ACCOUNT}:policy/ecs-volumes`]: /ECS was not read/ },
    },
    {
      name: "detaching a policy from a role whose attachments could not be read today is unknown, not a pass",
      facts: (() => {
        const denied = {
          ok: false as const,
          error: { api: "iam:ListAttachedRolePolicies", code: "AccessDenied", message: "no" },
        };
        const f: Facts = { ...today("in-use"), roles: [role("ecs-infra", { attachedPolicies: denied })] };
        const file = "test/changes/terraform/fixtures/detach-managed-policy.json";
        return { ...f, plan: applyPlan(f, parsePlanText(file, readFileSync(file))) };
      })(),
      expect: { [ARN]: "unknown" },
      message: { [ARN]: /AccessDenied/ },
    },
    {
      name: "deleting a role of another account (a provider alias) is unknown: this account's ECS says nothing of its use",
      facts: (() => {
        const raw = readFileSync("test/changes/terraform/fixtures/delete-role.json", "utf8").replaceAll(
          `arn:aws:iam::${ACCOUNT}:role/ecs-infra`,
          "arn:aws:iam::444455556666:role/ecs-infra",
        );
        const f: Facts = { ...today("unused"), roles: [] };
        return { ...f, plan: applyPlan(f, parsePlanText("p.json", Buffer.from(raw))) };
      })(),
      expect: { "arn:aws:iam::444455556666:role/ecs-infra": "unknown" },
      message: { "arn:aws:iam::444455556666:role/ecs-infra": /is in account 444455556666/ },
    },
    {
      name: "an errored plan never passes, even for a harmless change",
      facts: withPlan("tags-only", "in-use", true),
      expect: { [ARN]: "unknown" },
      message: { [ARN]: /errored plan/ },
    },
    {
      name: "a role the facts lack (a snapshot without it) is unknown, saying how to include it",
      facts: (() => {
        const f = withPlan("detach-managed-policy");
        const plan = applyPlan(
          { ...f, roles: [] },
          parsePlanText("p.json", readFileSync("test/changes/terraform/fixtures/detach-managed-policy.json")),
        );
        return { ...f, plan };
      })(),
      expect: { [ARN]: "unknown" },
      message: { [ARN]: /do not include role ecs-infra/ },
    },
  ],
});

/**
 * Today's facts where only a Managed Instances capacity provider (or an Express service) names ecs-infra. With
 * `policyArn`, the role holds that managed policy instead of the volumes one, and the fixture plan's volumes policy
 * ARN is swapped for it (as Terraform would write it); `referencedBy`, how the facts found the role.
 */
function withOtherUsePlan(
  fixture: string,
  uses: Partial<ClusterFacts>,
  policyArn = VOLUMES_POLICY_ARN,
  referencedBy?: RoleReference[],
): Facts {
  const file = `test/changes/terraform/fixtures/${fixture}.json`;
  const text = readFileSync(file, "utf8").replaceAll(VOLUMES_POLICY_ARN, policyArn);
  const plan = parsePlanText(file, Buffer.from(text));
  const use = INFRASTRUCTURE_USES.find((u) => usePolicyArn(u) === policyArn);
  const f = facts([role("ecs-infra", { attached: [policyArn], ...(referencedBy ? { referencedBy } : {}) })], {
    ecs: { clusters: ok([{ ...cluster([]), ...uses }]) },
    ...(use && use.id !== "ebs"
      ? { policies: [managed(policyArn, usePolicyDocument(use.id), use.policy.version)] }
      : {}),
  });
  return { ...f, plan: applyPlan(f, plan) };
}

const MI_POLICY_ARN = usePolicyArn(infrastructureUse("managed-instances"));
const MI_PROVIDER = (arn: string) => ({
  capacityProviders: ok([
    {
      arn: `arn:aws:ecs:${REGION}:${ACCOUNT}:capacity-provider/mi`,
      name: "mi",
      status: "ACTIVE",
      infrastructureRoleArn: arn,
    },
  ]),
});
const MI_REF: RoleReference = {
  kind: "capacity-provider",
  cluster: CLUSTER,
  capacityProvider: "mi",
  use: "managed-instances",
};

const PREFIX = `arn:aws:ecs:${REGION}:${ACCOUNT}`;

testRule(rule, {
  valid: [
    {
      name: "a capacity provider's role whose plan only changes tags keeps every Managed Instances action: pass",
      facts: withOtherUsePlan("tags-only", MI_PROVIDER(ARN), MI_POLICY_ARN, [MI_REF]),
      expect: { [ARN]: "pass" },
      message: { [ARN]: /every action of Managed Instances/ },
    },
    {
      name: "deleting a role only a deleted (INACTIVE) capacity provider named passes",
      facts: withOtherUsePlan("delete-role", {
        capacityProviders: ok([
          {
            arn: `${PREFIX}:capacity-provider/mi`,
            name: "mi",
            status: "INACTIVE",
            infrastructureRoleArn: ARN,
          },
        ]),
      }),
      expect: { [ARN]: "pass" },
    },
  ],
  invalid: [
    {
      name: "detaching the Managed Instances policy from a capacity provider's role fails, naming the use and what breaks",
      facts: withOtherUsePlan("detach-managed-policy", MI_PROVIDER(ARN), MI_POLICY_ARN, [MI_REF]),
      expect: { [ARN]: "fail" },
      message: {
        [ARN]:
          /lose ec2:CreateFleet \(Managed Instances\).*still use it \(Managed Instances: the capacity provider cannot launch instances/,
      },
      assert: ([f]) => expect(f?.message).not.toMatch(/ec2:DetachVolume/),
    },
    {
      name: "the same detach, with the role found only by --role (the capacity provider still judged): fail",
      facts: withOtherUsePlan("detach-managed-policy", MI_PROVIDER(ARN), MI_POLICY_ARN),
      expect: { [ARN]: "fail" },
      message: { [ARN]: /lose ec2:CreateFleet \(Managed Instances\)/ },
    },
    {
      name: "deleting a role only a Managed Instances capacity provider uses fails, saying what breaks",
      facts: withOtherUsePlan("delete-role", {
        capacityProviders: ok([
          { arn: `${PREFIX}:capacity-provider/mi`, name: "mi", status: "ACTIVE", infrastructureRoleArn: ARN },
        ]),
      }),
      expect: { [ARN]: "fail" },
      message: {
        [ARN]:
          /ecs-infra would be deleted, while 1 Managed Instances capacity provider \(prod\/mi\) still use it \(Managed Instances: the capacity provider cannot launch instances/,
      },
      assert: (findings) =>
        expect(findings[0]?.details).toMatchObject({ capacityProviders: [`${PREFIX}:capacity-provider/mi`] }),
    },
    {
      name: "deleting a role only an Express service uses fails",
      facts: withOtherUsePlan("delete-role", {
        expressServices: ok([
          { arn: `${PREFIX}:service/prod/shop`, name: "shop", status: "ACTIVE", infrastructureRoleArn: ARN },
        ]),
      }),
      expect: { [ARN]: "fail" },
      message: { [ARN]: /1 Express service \(prod\/shop\) still use it \(Express Mode: / },
    },
    {
      name: "deleting a role when the capacity providers could not be read is unknown, never a pass",
      facts: withOtherUsePlan("delete-role", {
        capacityProviders: err("ecs:DescribeCapacityProviders", "AccessDeniedException"),
      }),
      expect: { [ARN]: "unknown" },
    },
  ],
});

const LB_POLICY_ARN = usePolicyArn(infrastructureUse("load-balancer"));

/**
 * ecs-infra as a blue/green role only (the prod/api service's load balancer names it), holding the AWS managed load
 * balancers policy; the plan swaps it for an inline ALB-only copy (no ModifyListener on listener/net). `kinds`: the
 * load balancer kinds the facts know for the service (undefined: not known, as in older facts).
 */
function withLoadBalancerSwap(
  kinds: LoadBalancerKind[] | undefined,
  extra: Record<string, unknown>[] = [],
): Facts {
  const file = "test/changes/terraform/fixtures/swap-for-inline-policy.json";
  const raw = JSON.parse(readFileSync(file, "utf8").replaceAll(VOLUMES_POLICY_ARN, LB_POLICY_ARN));
  raw.resource_changes.push(...extra);
  const albOnly = usePolicyDocument("load-balancer");
  albOnly.Statement = albOnly.Statement.filter((s) => s.Sid !== "NLBModifyListeners");
  for (const rc of raw.resource_changes)
    if (rc.address === "aws_iam_role_policy.volumes") rc.change.after.policy = JSON.stringify(albOnly);
  const plan = parsePlanText(file, Buffer.from(JSON.stringify(raw)));
  const known = kinds ? { loadBalancerKinds: kinds } : {};
  const ref: RoleReference = {
    kind: "service",
    cluster: CLUSTER,
    service: "api",
    use: "load-balancer",
    ...known,
  };
  const f = facts([role("ecs-infra", { attached: [LB_POLICY_ARN], referencedBy: [ref] })], {
    ecs: {
      clusters: ok([
        {
          ...cluster([]),
          services: ok([
            {
              arn: `arn:aws:ecs:${REGION}:${ACCOUNT}:service/prod/api`,
              name: "api",
              status: "ACTIVE",
              infrastructureRoles: [{ roleArn: ARN, use: "load-balancer" as const, ...known }],
              deploymentIds: ["ecs-svc/1"],
            },
          ]),
        },
      ]),
    },
    policies: [managed(LB_POLICY_ARN, usePolicyDocument("load-balancer"), "v6")],
  });
  return { ...f, plan: applyPlan(f, plan) };
}

/** An aws_ecs_service change in the plan, its load_balancer blocks before and after. */
function serviceChange(
  actions: string[],
  before: Record<string, unknown> | null,
  after: Record<string, unknown>,
): Record<string, unknown> {
  return {
    address: "aws_ecs_service.api",
    mode: "managed",
    type: "aws_ecs_service",
    name: "api",
    provider_name: "registry.terraform.io/hashicorp/aws",
    change: { actions, before, after, after_unknown: {} },
  };
}

const lbService = (route: string, desired = 2) => ({
  name: "api",
  cluster: CLUSTER,
  desired_count: desired,
  load_balancer: [
    {
      target_group_arn: `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/blue/1`,
      advanced_configuration: [
        {
          role_arn: ARN,
          production_listener_rule: `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:${route}`,
          alternate_target_group_arn: `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/green/2`,
        },
      ],
    },
  ],
});
const ALB_SERVICE = lbService("listener-rule/app/web/1/2/3");
const NLB_SERVICE = lbService("listener/net/tcp/1/2");

testRule(rule, {
  valid: [
    {
      name: "a blue/green role on an ALB swapped for an ALB-only copy keeps all ECS needs of it: pass",
      facts: withLoadBalancerSwap(["application"]),
      expect: { [ARN]: "pass" },
      message: { [ARN]: /every action of blue\/green load balancer/ },
    },
    {
      name: "the ALB swap beside a service update that leaves its load balancers as they are: pass",
      facts: withLoadBalancerSwap(
        ["application"],
        [serviceChange(["update"], ALB_SERVICE, lbService("listener-rule/app/web/1/2/3", 4))],
      ),
      expect: { [ARN]: "pass" },
      message: { [ARN]: /every action of blue\/green load balancer/ },
    },
  ],
  invalid: [
    {
      name: "the same swap for a service on an NLB: fail, losing ModifyListener",
      facts: withLoadBalancerSwap(["network"]),
      expect: { [ARN]: "fail" },
      message: { [ARN]: /lose elasticloadbalancing:ModifyListener \(blue\/green load balancer\)/ },
    },
    {
      name: "the same ALB swap in a plan that also creates a service on an NLB (any role): every kind required, fail",
      facts: withLoadBalancerSwap(["application"], [serviceChange(["create"], null, NLB_SERVICE)]),
      expect: { [ARN]: "fail" },
      message: { [ARN]: /lose elasticloadbalancing:ModifyListener \(blue\/green load balancer\)/ },
    },
    {
      name: "the same ALB swap in a plan that moves the service to an NLB: every kind required, fail",
      facts: withLoadBalancerSwap(["application"], [serviceChange(["update"], ALB_SERVICE, NLB_SERVICE)]),
      expect: { [ARN]: "fail" },
      message: { [ARN]: /lose elasticloadbalancing:ModifyListener \(blue\/green load balancer\)/ },
    },
    {
      name: "the same swap where the load balancer's kind is not known: every kind required, fail",
      facts: withLoadBalancerSwap(undefined),
      expect: { [ARN]: "fail" },
      message: { [ARN]: /lose elasticloadbalancing:ModifyListener \(blue\/green load balancer\)/ },
    },
  ],
});
