import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Report } from "../../src/report/types.ts";
import { change, changeSet, detail, roleProps } from "../changes/cloudformation/change-sets.ts";
import type { FakeCluster } from "../fake-aws/account.ts";
import {
  ACCOUNT_ID,
  awsManagedUsePolicy,
  awsManagedVolumesPolicy,
  expressService,
  infrastructureRole,
  managedInstancesProvider,
  networkedService,
  type OtherUse,
  roleArnOf,
  VOLUMES_POLICY_ARN,
} from "../fake-aws/builders.ts";
import { type FakeAws, startFakeAws } from "../fake-aws/server.ts";
import { runCli } from "../support/cli.ts";
import { copyWithout, leastPrivilegeElbCopy, regionLock, usePolicyDocument } from "../support/use-cases.ts";

/**
 * The per-use permission rules end to end: the CLI, the real SDK and the fake. For each use, a role its resource
 * names, whose permissions are the managed policy's own document less one action, fails that use's rule naming the
 * action (exit 1); an account where every use's role holds its managed policy passes (exit 0); and the change gate
 * judges every use: a plan that detaches the Managed Instances policy from a capacity provider's role fails.
 */

const USES: { use: OtherUse; rule: string; action: string }[] = [
  { use: "managed-instances", rule: "managed-instances-permissions", action: "ec2:CreateFleet" },
  { use: "express", rule: "express-permissions", action: "elasticloadbalancing:DeleteLoadBalancer" },
  { use: "vpc-lattice", rule: "vpc-lattice-permissions", action: "vpc-lattice:RegisterTargets" },
  { use: "load-balancer", rule: "load-balancer-permissions", action: "elasticloadbalancing:ModifyRule" },
];

/** The cluster where `roleArn` is named for `use` (and, for a healthy account, every use by its own role). */
function usesOf(use: OtherUse, roleArn: string): Partial<FakeCluster> {
  if (use === "managed-instances")
    return { capacityProviders: [managedInstancesProvider({ name: "shop-compute", roleArn })] };
  if (use === "express") return { services: [expressService({ name: "storefront", roleArn })] };
  if (use === "vpc-lattice")
    return { services: [networkedService({ name: "mesh", latticeRoleArn: roleArn })] };
  return { services: [networkedService({ name: "web", loadBalancerRoleArn: roleArn })] };
}

const roleName = (use: OtherUse) => `${use}-role`;
const managedPolicies = [awsManagedVolumesPolicy(), ...USES.map((u) => awsManagedUsePolicy(u.use))];

async function check(fake: FakeAws, ...args: string[]) {
  Object.assign(process.env, fake.env());
  const { code, stdout, stderr } = await runCli(["check", "--format", "json", ...args]);
  expect(stderr).not.toMatch(/\n\s+at /);
  return { code, report: JSON.parse(stdout) as Report };
}

describe("the permission rules of every use, through the real SDK", () => {
  let healthy: FakeAws;
  const broken = new Map<OtherUse, FakeAws>();
  beforeAll(async () => {
    // Every use with a role of its own holding its AWS managed policy, all in one cluster.
    const cluster: FakeCluster = { name: "prod", services: [], capacityProviders: [] };
    for (const { use } of USES) {
      const more = usesOf(use, roleArnOf(roleName(use)));
      cluster.services?.push(...(more.services ?? []));
      cluster.capacityProviders?.push(...(more.capacityProviders ?? []));
    }
    healthy = await startFakeAws({
      accountId: ACCOUNT_ID,
      roles: USES.map(({ use }) =>
        infrastructureRole({ name: roleName(use), attached: [awsManagedUsePolicy(use).arn] }),
      ),
      managedPolicies,
      clusters: [cluster],
    });
    for (const { use, action } of USES)
      broken.set(
        use,
        await startFakeAws({
          accountId: ACCOUNT_ID,
          roles: [
            infrastructureRole({
              name: roleName(use),
              attached: [],
              inline: { "hand-trimmed": copyWithout(use, action) },
            }),
          ],
          managedPolicies,
          clusters: [{ name: "prod", ...usesOf(use, roleArnOf(roleName(use))) }],
        }),
      );
  });
  afterAll(async () => {
    await healthy.close();
    for (const fake of broken.values()) await fake.close();
  });

  it("an account whose every use's role holds its managed policy: each rule passes, exit 0", async () => {
    const { code, report } = await check(healthy);
    expect(code).toBe(0);
    for (const { use, rule } of USES)
      expect(report.findings.filter((f) => f.rule === rule)).toEqual([
        expect.objectContaining({ status: "pass", resource: roleArnOf(roleName(use)) }),
      ]);
  });

  for (const { use, rule, action } of USES)
    it(`${use}: an SCP denying ${action} to its healthy role fails ${rule}, saying an Organizations policy denies it (exit 1)`, async () => {
      healthy.account.organization = {
        scps: [{ name: "guardrail", deny: [action], roles: [roleName(use)] }],
      };
      try {
        const { code, report } = await check(healthy);
        expect(code).toBe(1);
        const [f, ...more] = report.findings.filter((x) => x.rule === rule);
        expect(more).toEqual([]);
        expect(f).toMatchObject({ status: "fail", resource: roleArnOf(roleName(use)) });
        expect(f?.message).toContain(`an Organizations policy (SCP) denies ${action} to the role`);
        expect(f?.details?.organizations).toMatchObject({ decision: "denied", deniedActions: [action] });
        // Only the role the SCP names is denied: the other uses' rules still pass.
        for (const other of USES.filter((u) => u.use !== use))
          expect(report.findings.find((x) => x.rule === other.rule)?.status, other.rule).toBe("pass");
      } finally {
        healthy.account.organization = undefined;
      }
    });

  for (const { use, rule, action } of USES)
    it(`${use}: a role missing ${action} fails ${rule}, naming the action and what breaks (exit 1)`, async () => {
      const { code, report } = await check(broken.get(use) as FakeAws);
      expect(code).toBe(1);
      const findings = report.findings.filter((f) => f.rule === rule);
      expect(findings).toEqual([
        expect.objectContaining({ status: "fail", resource: roleArnOf(roleName(use)) }),
      ]);
      expect(findings[0]?.message).toContain(`${action} not allowed by any policy`);
      expect(findings[0]?.remediation).toContain(awsManagedUsePolicy(use).arn);
      // The other uses' rules are silent: the role is not theirs.
      for (const other of USES.filter((u) => u.use !== use))
        expect(report.findings.filter((f) => f.rule === other.rule)).toEqual([]);
      // managed-policy advises the use's own policy, saying its permissions are not all held.
      expect(report.findings.find((f) => f.rule === "managed-policy")?.message).toMatch(
        new RegExp(`${awsManagedUsePolicy(use).name} is not attached .*see ${rule}`),
      );
    });
});

describe("what ECS's calls carry, through the real SDK (eu-west-1)", () => {
  let fake: FakeAws;
  /** The Managed Instances policy with iam:CreateServiceLinkedRole allowed only on requests tagged by ECS. */
  const slrOnlyTagged = copyWithout("managed-instances", "iam:CreateServiceLinkedRole");
  slrOnlyTagged.Statement.push({
    Effect: "Allow",
    Action: "iam:CreateServiceLinkedRole",
    Resource: "*",
    Condition: { StringEquals: { "aws:RequestTag/AmazonECSManaged": "true" } },
  });
  const MI = awsManagedUsePolicy("managed-instances").arn;
  const GONE = `arn:aws:iam::${ACCOUNT_ID}:role/teams/compute/gone-role`;
  beforeAll(async () => {
    fake = await startFakeAws({
      accountId: ACCOUNT_ID,
      region: "eu-west-1",
      roles: [
        infrastructureRole({ name: "tagged-slr", attached: [], inline: { copy: slrOnlyTagged } }),
        infrastructureRole({
          name: "region-locked",
          attached: [MI],
          inline: { lock: regionLock("eu-west-1") },
        }),
        infrastructureRole({
          name: "region-locked-iam-exempt",
          attached: [MI],
          inline: { lock: regionLock("eu-west-1", "iam:*") },
        }),
        infrastructureRole({ name: "lean-express", attached: [], inline: { copy: leastPrivilegeElbCopy() } }),
      ],
      managedPolicies,
      clusters: [
        {
          name: "prod",
          capacityProviders: [
            managedInstancesProvider({ name: "tagged", roleArn: roleArnOf("tagged-slr") }),
            managedInstancesProvider({ name: "locked", roleArn: roleArnOf("region-locked") }),
            managedInstancesProvider({ name: "exempt", roleArn: roleArnOf("region-locked-iam-exempt") }),
            managedInstancesProvider({ name: "gone", roleArn: GONE }),
          ],
          services: [expressService({ name: "lean", roleArn: roleArnOf("lean-express") })],
        },
      ],
    });
  });
  afterAll(async () => {
    await fake.close();
  });

  it("each role judged as IAM would judge ECS's calls (exit 1)", async () => {
    const { code, report } = await check(fake);
    expect(code).toBe(1);
    const mi = (name: string) =>
      report.findings.find(
        (f) => f.rule === "managed-instances-permissions" && f.resource.endsWith(`/${name}`),
      );
    // iam:CreateServiceLinkedRole carries no tags: an Allow that needs aws:RequestTag does not allow it.
    expect(mi("tagged-slr")).toMatchObject({ status: "fail" });
    expect(mi("tagged-slr")?.message).toContain("iam:CreateServiceLinkedRole not allowed by any policy");
    // IAM is called in us-east-1: a lock to the role's Region denies it, unless IAM is exempt.
    expect(mi("region-locked")).toMatchObject({ status: "fail" });
    expect(mi("region-locked")?.message).toMatch(/iam:CreateServiceLinkedRole denied by .*lock/);
    expect(mi("region-locked")?.message).not.toContain("ec2:CreateFleet");
    expect(mi("region-locked-iam-exempt")).toMatchObject({ status: "pass" });
    // A role the capacity provider names under a path, deleted: recreated under that path.
    expect(mi("gone-role")).toMatchObject({ status: "fail" });
    expect(mi("gone-role")?.remediation).toMatch(
      /create-role --role-name '?gone-role'? --path '?\/teams\/compute\/'?/,
    );
    // Each ELB action granted only on the resource type it authorises is all Express Mode needs.
    expect(report.findings.find((f) => f.rule === "express-permissions")).toMatchObject({
      status: "pass",
      resource: roleArnOf("lean-express"),
    });
  });
});

describe("blue/green roles need the listener actions of the load balancers in use, through the real SDK", () => {
  /** The load balancers policy without its NLB statement (an ALB-only least-privilege copy). */
  const albOnly = usePolicyDocument("load-balancer");
  albOnly.Statement = albOnly.Statement.filter((s) => s.Sid !== "NLBModifyListeners");
  const start = (kind: "application" | "network") =>
    startFakeAws({
      accountId: ACCOUNT_ID,
      roles: [infrastructureRole({ name: "alb-only", attached: [], inline: { copy: albOnly } })],
      managedPolicies,
      clusters: [
        {
          name: "prod",
          services: [
            networkedService({
              name: "web",
              loadBalancerRoleArn: roleArnOf("alb-only"),
              loadBalancerKind: kind,
            }),
          ],
        },
      ],
    });
  let alb: FakeAws;
  let nlb: FakeAws;
  beforeAll(async () => {
    alb = await start("application");
    nlb = await start("network");
  });
  afterAll(async () => {
    await alb.close();
    await nlb.close();
  });

  it("an ALB-only copy for a service on an ALB (listener rules in advancedConfiguration): pass, exit 0", async () => {
    const { code, report } = await check(alb);
    expect(code).toBe(0);
    const [f, ...more] = report.findings.filter((x) => x.rule === "load-balancer-permissions");
    expect(more).toEqual([]);
    expect(f).toMatchObject({ status: "pass", resource: roleArnOf("alb-only") });
    expect(f?.details?.actions).toMatchObject({
      "elasticloadbalancing:ModifyListener": { decision: "allow", policySid: "ALBModifyListeners" },
      "elasticloadbalancing:ModifyRule": { decision: "allow" },
    });
  });

  it("the same copy for a service on an NLB (a listener in advancedConfiguration): fail, exit 1", async () => {
    const { code, report } = await check(nlb);
    expect(code).toBe(1);
    const f = report.findings.find((x) => x.rule === "load-balancer-permissions");
    expect(f).toMatchObject({ status: "fail", resource: roleArnOf("alb-only") });
    expect(f?.message).toContain("elasticloadbalancing:ModifyListener not allowed by any policy");
    expect(Object.keys((f?.details?.actions as object) ?? {})).not.toContain(
      "elasticloadbalancing:ModifyRule",
    );
  });
});

describe("the change gate judges every use the role serves", () => {
  let fake: FakeAws;
  const dir = mkdtempSync(join(tmpdir(), "use-permissions-"));
  const MI = awsManagedUsePolicy("managed-instances").arn;
  /** A fixture plan of the volume role, with the Managed Instances policy in its place (as Terraform writes it). */
  const plan = (fixture: string) => {
    const file = join(dir, `${fixture}.json`);
    const text = readFileSync(
      join(import.meta.dirname, `../changes/terraform/fixtures/${fixture}.json`),
      "utf8",
    );
    writeFileSync(file, text.replaceAll(VOLUMES_POLICY_ARN, MI));
    return file;
  };
  beforeAll(async () => {
    fake = await startFakeAws({
      accountId: ACCOUNT_ID,
      // A planned role is named as with --role, which volume-permissions judges for EBS too: it holds both policies.
      roles: [infrastructureRole({ name: "ecs-infra", attached: [VOLUMES_POLICY_ARN, MI] })],
      managedPolicies,
      clusters: [{ name: "prod", ...usesOf("managed-instances", roleArnOf("ecs-infra")) }],
    });
  });
  afterAll(async () => {
    await fake.close();
  });

  it("a plan detaching the Managed Instances policy from a capacity provider's role: fail, exit 1", async () => {
    const { code, report } = await check(fake, "--plan", plan("detach-managed-policy"));
    expect(code).toBe(1);
    const planned = report.findings.filter((f) => f.rule === "planned-role-changes");
    expect(planned).toEqual([expect.objectContaining({ status: "fail", resource: roleArnOf("ecs-infra") })]);
    expect(planned[0]?.message).toMatch(/lose ec2:CreateFleet \(Managed Instances\)/);
    expect(planned[0]?.message).toMatch(
      /capacity provider \(prod\/shop-compute\) still use it \(Managed Instances: the capacity provider cannot launch instances/,
    );
  });

  it("a plan that only changes the role's tags keeps every Managed Instances action: pass, exit 0", async () => {
    const { code, report } = await check(fake, "--plan", plan("tags-only"));
    expect(code).toBe(0);
    expect(report.findings.find((f) => f.rule === "planned-role-changes")).toMatchObject({
      status: "pass",
      message: expect.stringMatching(/every action of Managed Instances/),
    });
  });

  it("a plan deleting the role only the capacity provider uses: fail, exit 1", async () => {
    const { code, report } = await check(fake, "--plan", plan("delete-role"));
    expect(code).toBe(1);
    expect(report.findings.find((f) => f.rule === "planned-role-changes")).toMatchObject({
      status: "fail",
      message: expect.stringMatching(/would be deleted, while 1 Managed Instances capacity provider/),
    });
  });
});

describe("the change gate keeps every load balancer kind when the plan also deploys a service's load balancers", () => {
  let fake: FakeAws;
  const dir = mkdtempSync(join(tmpdir(), "use-permissions-lb-"));
  const LB = awsManagedUsePolicy("load-balancer").arn;
  const albOnly = usePolicyDocument("load-balancer");
  albOnly.Statement = albOnly.Statement.filter((s) => s.Sid !== "NLBModifyListeners");
  const elb = `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT_ID}`;
  /** The swap fixture: ecs-infra's LB policy replaced by an inline ALB-only copy; `extra` resource changes added. */
  const plan = (name: string, extra: object[]) => {
    const raw = JSON.parse(
      readFileSync(
        join(import.meta.dirname, "../changes/terraform/fixtures/swap-for-inline-policy.json"),
        "utf8",
      ).replaceAll(VOLUMES_POLICY_ARN, LB),
    );
    for (const rc of raw.resource_changes)
      if (rc.address === "aws_iam_role_policy.volumes") rc.change.after.policy = JSON.stringify(albOnly);
    raw.resource_changes.push(...extra);
    const file = join(dir, `${name}.json`);
    writeFileSync(file, JSON.stringify(raw));
    return file;
  };
  const nlbService = {
    address: "aws_ecs_service.tcp",
    mode: "managed",
    type: "aws_ecs_service",
    name: "tcp",
    provider_name: "registry.terraform.io/hashicorp/aws",
    change: {
      actions: ["create"],
      before: null,
      after: {
        name: "tcp",
        cluster: "prod",
        load_balancer: [
          {
            target_group_arn: `${elb}:targetgroup/blue/0123456789abcdef`,
            advanced_configuration: [
              {
                role_arn: roleArnOf("ecs-infra"),
                production_listener_rule: `${elb}:listener/net/tcp/0123456789abcdef/0123456789abcdef`,
                alternate_target_group_arn: `${elb}:targetgroup/green/0123456789abcdef`,
              },
            ],
          },
        ],
      },
      after_unknown: {},
    },
  };
  beforeAll(async () => {
    fake = await startFakeAws({
      accountId: ACCOUNT_ID,
      roles: [infrastructureRole({ name: "ecs-infra", attached: [LB] })],
      managedPolicies,
      clusters: [
        {
          name: "prod",
          services: [networkedService({ name: "web", loadBalancerRoleArn: roleArnOf("ecs-infra") })],
        },
      ],
    });
  });
  afterAll(() => fake.close());

  const planned = (report: Report) => report.findings.find((f) => f.rule === "planned-role-changes");

  it("the ALB-only swap alone, the role's one service on an ALB: planned-role-changes passes", async () => {
    const { report } = await check(fake, "--plan", plan("alone", []));
    expect(planned(report)).toMatchObject({ status: "pass", resource: roleArnOf("ecs-infra") });
  });

  /** The same swap as a CloudFormation change set (describe-change-set JSON), with `extra` changes. */
  const changeSetFile = (name: string, extra: object[]) => {
    const swap = change({
      action: "Modify",
      logicalId: "InfraRole",
      physicalId: "ecs-infra",
      type: "AWS::IAM::Role",
      details: [detail("ManagedPolicyArns"), detail("Policies")],
      before: roleProps({ ManagedPolicyArns: [LB] }),
      after: roleProps({ ManagedPolicyArns: [], Policies: [{ PolicyName: "lb", PolicyDocument: albOnly }] }),
    });
    const file = join(dir, `${name}.change-set.json`);
    writeFileSync(file, JSON.stringify(changeSet([swap, ...extra])));
    return file;
  };
  const nlbServiceAdded = change({
    action: "Add",
    logicalId: "TcpService",
    type: "AWS::ECS::Service",
    after: {
      Cluster: "prod",
      ServiceName: "tcp",
      LoadBalancers: [
        {
          TargetGroupArn: `${elb}:targetgroup/blue/0123456789abcdef`,
          AdvancedConfiguration: {
            RoleArn: roleArnOf("ecs-infra"),
            ProductionListenerRule: `${elb}:listener/net/tcp/0123456789abcdef/0123456789abcdef`,
            AlternateTargetGroupArn: `${elb}:targetgroup/green/0123456789abcdef`,
          },
        },
      ],
    },
  });

  it("as a CloudFormation change set: the swap alone passes; beside an added NLB blue/green service it fails", async () => {
    const alone = await check(fake, "--plan", changeSetFile("cfn-alone", []));
    expect(planned(alone.report)).toMatchObject({ status: "pass", resource: roleArnOf("ecs-infra") });
    const withNlb = await check(fake, "--plan", changeSetFile("cfn-with-nlb", [nlbServiceAdded]));
    expect(planned(withNlb.report)).toMatchObject({ status: "fail", resource: roleArnOf("ecs-infra") });
    expect(planned(withNlb.report)?.message).toMatch(/lose elasticloadbalancing:ModifyListener/);
    expect(withNlb.code).toBe(1);
  });

  it("the same swap in a plan that also creates a blue/green service on an NLB: fail, exit 1", async () => {
    const { code, report } = await check(fake, "--plan", plan("with-nlb", [nlbService]));
    expect(planned(report)).toMatchObject({ status: "fail", resource: roleArnOf("ecs-infra") });
    expect(planned(report)?.message).toMatch(/lose elasticloadbalancing:ModifyListener/);
    expect(code).toBe(1);
  });
});
