import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Report } from "../../src/report/types.ts";
import {
  ACCOUNT_ID,
  awsManagedTlsPolicy,
  awsManagedVolumesPolicy,
  ebsService,
  ebsTask,
  infrastructureRole,
  roleArnOf,
  TLS_POLICY_ARN,
} from "../fake-aws/builders.ts";
import { FAKE_ORGANIZATION_ID } from "../fake-aws/organizations.ts";
import { type FakeAws, startFakeAws } from "../fake-aws/server.ts";
import { checkJson, checkJsonWith, runBundle, runCli } from "../support/cli.ts";

/**
 * End to end: Organizations SCPs through the CLI, the real Organizations and IAM clients and the fake AWS
 * (DescribeOrganization; SimulatePrincipalPolicy with the account's SCPs as scenario data).
 */

const ROLE = roleArnOf("ecsInfrastructureRole");
const TLS_ROLE = roleArnOf("tls-role");

let fake: FakeAws;
beforeAll(async () => {
  fake = await startFakeAws(
    {
      accountId: ACCOUNT_ID,
      roles: [infrastructureRole(), infrastructureRole({ name: "tls-role", attached: [TLS_POLICY_ARN] })],
      managedPolicies: [awsManagedVolumesPolicy(), awsManagedTlsPolicy()],
      clusters: [
        { name: "mesh", services: [ebsService({ name: "web", roleArn: ROLE, tlsRoleArn: TLS_ROLE })] },
      ],
    },
    // One EvaluationResult a page: every simulation is paged.
    { pageSize: { iam: 1 } },
  );
  Object.assign(process.env, fake.env());
});
afterAll(() => fake.close());

const finding = (report: Report, rule: string, resource = ROLE) =>
  report.findings.find((f) => f.rule === rule && f.resource === resource);
const simulations = (calls: FakeAws["requests"]) =>
  calls.filter((c) => c.action === "SimulatePrincipalPolicy");

function inOrganization(organization: NonNullable<FakeAws["account"]["organization"]> | undefined) {
  fake.account.organization = organization;
  fake.account.simulatorDecisions = undefined;
  fake.setFaults([]);
}

describe("Organizations SCPs", () => {
  it("no organization: DescribeOrganization once, no SimulatePrincipalPolicy call, volume-permissions passes", async () => {
    inOrganization(undefined);
    const { code, report, calls } = await checkJson(fake, "--role", "ecsInfrastructureRole");
    expect(calls.filter((c) => c.action === "DescribeOrganization")).toHaveLength(1);
    expect(simulations(calls)).toEqual([]);
    expect(finding(report, "volume-permissions")?.status).toBe("pass");
    expect(finding(report, "volume-permissions")?.details?.organizations).toEqual({
      decision: "not-needed",
      reason: "the account is not in an organization: no SCP applies",
    });
    expect(code).toBe(0);
  });

  it("an SCP denying ec2:DeleteVolume fails volume-permissions (exit 1), saying AWS does not name the SCP", async () => {
    inOrganization({ scps: [{ name: "no-volume-deletes", deny: ["ec2:DeleteVolume"] }] });
    const { code, report, calls } = await checkJson(fake, "--role", "ecsInfrastructureRole");
    const f = finding(report, "volume-permissions");
    expect(f?.status).toBe("fail");
    expect(f?.message).toMatch(
      /^ecsInfrastructureRole: an Organizations policy \(SCP\) denies ec2:DeleteVolume to the role; AWS does not say which policy .* the organization's administrators can tell which\. Stopping its tasks will leave them in DEPROVISIONING/,
    );
    expect(f?.remediation).toMatch(/no command in this account changes an SCP/);
    expect(f?.remediation).not.toMatch(/aws iam attach-role-policy/);
    expect(f?.details?.organizations).toMatchObject({
      decision: "denied",
      deniedActions: ["ec2:DeleteVolume"],
    });
    expect(code).toBe(1);
    // One call per resource and context: Detach+Delete on the tagged volume, Describe on "*"; every page followed.
    const sent = simulations(calls);
    const groups = new Set(sent.map((c) => c.params["ActionNames.member.1"]));
    expect(groups).toEqual(new Set(["ec2:DetachVolume", "ec2:DescribeVolumes"]));
    expect(sent.filter((c) => c.params.Marker !== undefined)).toHaveLength(1);
    const volumeCall = sent.find((c) => c.params["ActionNames.member.2"] === "ec2:DeleteVolume");
    expect(volumeCall?.params).toMatchObject({
      PolicySourceArn: ROLE,
      "ResourceArns.member.1": `arn:aws:ec2:us-east-1:${ACCOUNT_ID}:volume/vol-*`,
    });
    const keys = Object.entries(volumeCall?.params ?? {})
      .filter(([k]) => /^ContextEntries\.member\.\d+\.ContextKeyName$/.test(k))
      .map(([, v]) => v);
    expect(keys).toEqual(
      expect.arrayContaining(["aws:ResourceTag/AmazonECSManaged", "aws:ResourceTag/AmazonECSCreated"]),
    );
  });

  it("in an organization whose SCPs allow the actions: simulated, and the rule passes", async () => {
    inOrganization({ scps: [{ name: "other-roles-only", deny: ["ec2:*"], roles: ["someone-else"] }] });
    const { code, report, calls } = await checkJson(fake, "--role", "ecsInfrastructureRole");
    expect(simulations(calls).length).toBeGreaterThan(0);
    expect(finding(report, "volume-permissions")?.status).toBe("pass");
    expect(finding(report, "volume-permissions")?.details?.organizations).toEqual({ decision: "allowed" });
    expect(code).toBe(0);
  });

  it("the management account: SCPs do not affect it, so nothing is simulated", async () => {
    inOrganization({ managementAccountId: ACCOUNT_ID, scps: [{ name: "x", deny: ["ec2:DeleteVolume"] }] });
    const { code, report, calls } = await checkJson(fake, "--role", "ecsInfrastructureRole");
    expect(simulations(calls)).toEqual([]);
    expect(finding(report, "volume-permissions")?.status).toBe("pass");
    expect(code).toBe(0);
  });

  it("SimulatePrincipalPolicy denied where needed: unknown (exit 3), naming iam:SimulatePrincipalPolicy", async () => {
    inOrganization({ scps: [] });
    fake.setFaults([{ service: "iam", action: "SimulatePrincipalPolicy", kind: "access-denied" }]);
    const { code, report } = await checkJson(fake, "--role", "ecsInfrastructureRole");
    const f = finding(report, "volume-permissions");
    expect(f?.status).toBe("unknown");
    expect(f?.message).toMatch(/iam:SimulatePrincipalPolicy failed with AccessDenied/);
    expect(f?.remediation).toMatch(/Allow iam:SimulatePrincipalPolicy/);
    expect(code).toBe(3);
  });

  it("DescribeOrganization denied: membership unknown, so the roles are simulated all the same", async () => {
    inOrganization({ scps: [{ name: "no-volume-deletes", deny: ["ec2:DeleteVolume"] }] });
    fake.setFaults([{ service: "organizations", action: "DescribeOrganization", kind: "access-denied" }]);
    const { code, report, calls } = await checkJson(fake, "--role", "ecsInfrastructureRole");
    expect(simulations(calls).length).toBeGreaterThan(0);
    expect(finding(report, "volume-permissions")?.status).toBe("fail");
    expect(code).toBe(1);
  });

  it("AWS's EvalDecision differs from the tool's with no missing context: both kept, a warning logged, status unchanged", async () => {
    inOrganization({ scps: [] });
    fake.account.simulatorDecisions = { "ec2:DescribeVolumes": "explicitDeny" };
    const { code, report, stderr } = await checkJsonWith(fake, [
      "--role",
      "ecsInfrastructureRole",
      "--log-level",
      "warn",
    ]);
    const f = finding(report, "volume-permissions");
    expect(f?.status).toBe("pass");
    expect(f?.details?.organizations).toEqual({
      decision: "allowed",
      disagreements: [
        { action: "ec2:DescribeVolumes", resources: ["*"], aws: "explicitDeny", tool: "allow" },
      ],
    });
    const warning = stderr
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { level: number; msg: string; action?: string })
      .find((l) => l.action === "ec2:DescribeVolumes");
    expect(warning?.level).toBe(40);
    expect(warning?.msg).toMatch(
      /AWS's policy simulator and ecs-preflight's evaluator disagree on ec2:DescribeVolumes \(AWS: explicitDeny, ecs-preflight: allow\)/,
    );
    expect(code).toBe(0);
  });

  // A resource perimeter (aws-samples/data-perimeter-policy-examples, resource_perimeter_scp.json), tailored to
  // volumes: ECS's requests on the account's own volumes carry aws:ResourceOrgID, the account's organization.
  const perimeter = (orgId: string) => ({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "EnforceResourcePerimeterVolumes",
        Effect: "Deny",
        Action: "ec2:*",
        Resource: "arn:aws:ec2:*:*:volume/*",
        Condition: {
          StringNotEqualsIfExists: {
            "aws:ResourceOrgID": orgId,
            "aws:PrincipalTag/dp:exclude:resource": "true",
          },
        },
      },
    ],
  });

  it("a resource-perimeter SCP on the organization's own volumes: the request carries aws:ResourceOrgID, it passes", async () => {
    inOrganization({
      scps: [{ name: "resource-perimeter", deny: [], document: perimeter(FAKE_ORGANIZATION_ID) }],
    });
    const { code, report, calls } = await checkJson(fake, "--role", "ecsInfrastructureRole");
    expect(finding(report, "volume-permissions")?.details?.organizations).toEqual({ decision: "allowed" });
    expect(finding(report, "volume-permissions")?.status).toBe("pass");
    expect(code).toBe(0);
    const volumeCall = simulations(calls).find(
      (c) => c.params["ActionNames.member.2"] === "ec2:DeleteVolume",
    );
    const entries = Object.entries(volumeCall?.params ?? {});
    const sent = (key: string) => {
      const n = entries.find(([k, v]) => /ContextKeyName$/.test(k) && v === key)?.[0].split(".")[2];
      return volumeCall?.params[`ContextEntries.member.${n}.ContextKeyValues.member.1`];
    };
    expect(sent("aws:ResourceOrgID")).toBe(FAKE_ORGANIZATION_ID);
    expect(sent("aws:PrincipalOrgID")).toBe(FAKE_ORGANIZATION_ID);
  });

  // The sample as AWS ships it: every action, every resource but AWS-owned ones, any request whose resource is not in
  // the organization. DescribeVolumes (resource "*") reads the account's own volumes and must pass too.
  const samplePerimeter = (orgId: string) => ({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "EnforceResourcePerimeterAWSResources",
        Effect: "Deny",
        Action: "*",
        NotResource: ["arn:aws:iam::aws:policy/*", "arn:aws:ec2:*:aws:prefix-list/*"],
        Condition: {
          StringNotEqualsIfExists: {
            "aws:ResourceOrgID": orgId,
            "ec2:Owner": "amazon",
            "aws:PrincipalTag/dp:exclude:resource": "true",
          },
        },
      },
    ],
  });

  it("AWS's sample resource-perimeter SCP, unmodified in shape (Action *), for the account's own organization: pass", async () => {
    inOrganization({
      scps: [{ name: "resource-perimeter", deny: [], document: samplePerimeter(FAKE_ORGANIZATION_ID) }],
    });
    const { code, report } = await checkJson(fake, "--role", "ecsInfrastructureRole");
    expect(finding(report, "volume-permissions")?.details?.organizations).toEqual({ decision: "allowed" });
    expect(code).toBe(0);
  });

  it("the sample perimeter for another organization denies every call, DescribeVolumes too: exit 1", async () => {
    inOrganization({
      scps: [{ name: "resource-perimeter", deny: [], document: samplePerimeter("o-someoneelse") }],
    });
    const { code, report } = await checkJson(fake, "--role", "ecsInfrastructureRole");
    expect(finding(report, "volume-permissions")?.details?.organizations).toMatchObject({
      decision: "denied",
      deniedActions: expect.arrayContaining(["ec2:DeleteVolume", "ec2:DescribeVolumes"]),
    });
    expect(code).toBe(1);
  });

  it("the same perimeter for another organization denies the volumes: volume-permissions fails", async () => {
    inOrganization({
      scps: [{ name: "resource-perimeter", deny: [], document: perimeter("o-someoneelse") }],
    });
    const { code, report } = await checkJson(fake, "--role", "ecsInfrastructureRole");
    expect(finding(report, "volume-permissions")?.details?.organizations).toMatchObject({
      decision: "denied",
      deniedActions: ["ec2:DetachVolume", "ec2:DeleteVolume"],
    });
    expect(code).toBe(1);
  });

  // An exemption by principal tag: only the platform team's roles may delete volumes.
  const platformOnly = {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Deny",
        Action: "ec2:DeleteVolume",
        Resource: "*",
        Condition: { StringNotEquals: { "aws:PrincipalTag/team": "platform" } },
      },
    ],
  };

  it("an SCP exempting roles by tag: the role's tags are its session's aws:PrincipalTag, a tagged role passes", async () => {
    inOrganization({ scps: [{ name: "platform-deletes", deny: [], document: platformOnly }] });
    const role = fake.account.roles?.find((r) => r.name === "ecsInfrastructureRole");
    if (!role) throw new Error("expected the role");
    role.tags = { team: "platform" };
    try {
      const { code, report } = await checkJson(fake, "--role", "ecsInfrastructureRole");
      expect(finding(report, "volume-permissions")?.details?.organizations).toEqual({ decision: "allowed" });
      expect(code).toBe(0);
      // Another team's role is denied: the tag is what the SCP judged.
      role.tags = { team: "data" };
      const other = await checkJson(fake, "--role", "ecsInfrastructureRole");
      expect(finding(other.report, "volume-permissions")?.details?.organizations).toMatchObject({
        decision: "denied",
        deniedActions: ["ec2:DeleteVolume"],
      });
      expect(other.code).toBe(1);
    } finally {
      delete role.tags;
    }
  });

  // A guardrail against detaching anything ECS does not manage, written with Resource "*": ECS's DetachVolume of a
  // volume on an EC2 instance is authorised on the instance too, which carries no AmazonECSManaged tag.
  const ecsManagedOnly = {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Deny",
        Action: "ec2:DetachVolume",
        Resource: "*",
        Condition: { StringNotEquals: { "aws:ResourceTag/AmazonECSManaged": "true" } },
      },
    ],
  };

  it("an SCP denying DetachVolume on the instance fails the role of a task on an EC2 instance (the instance side is simulated)", async () => {
    inOrganization({ scps: [{ name: "ecs-managed-only", deny: [], document: ecsManagedOnly }] });
    const cluster = {
      name: "ec2",
      tasks: [ebsTask({ id: "t1", roleArn: ROLE, volumeId: "vol-1", launchType: "EC2" })],
    };
    fake.account.clusters?.push(cluster);
    try {
      const { code, report, calls } = await checkJson(fake, "--cluster", "ec2");
      const f = finding(report, "volume-permissions");
      expect(f?.details?.organizations).toMatchObject({
        decision: "denied",
        deniedActions: ["ec2:DetachVolume"],
      });
      expect(f?.status).toBe("fail");
      expect(code).toBe(1);
      const resources = simulations(calls).map((c) => c.params["ResourceArns.member.1"]);
      expect(resources).toContain(`arn:aws:ec2:us-east-1:${ACCOUNT_ID}:instance/i-*`);
    } finally {
      fake.account.clusters?.pop();
    }
  });

  it("the same SCP, for a role only seen with Fargate tasks: a warning, as the instance-side gap is", async () => {
    inOrganization({ scps: [{ name: "ecs-managed-only", deny: [], document: ecsManagedOnly }] });
    const { code, report } = await checkJson(fake, "--cluster", "mesh");
    const f = finding(report, "volume-permissions");
    expect(f?.details?.organizations).toMatchObject({
      decision: "denied",
      deniedActions: ["ec2:DetachVolume"],
    });
    expect(f?.status).toBe("warn");
    expect(f?.message).toMatch(/SCP\) denies ec2:DetachVolume on EC2 instances .*not for Fargate/);
    expect(code).toBe(0);
  });

  it("an SCP denying a TLS action fails tls-permissions, not volume-permissions", async () => {
    inOrganization({ scps: [{ name: "no-pca", deny: ["acm-pca:IssueCertificate"], roles: ["tls-role"] }] });
    const { code, report } = await checkJson(fake, "--cluster", "mesh");
    expect(finding(report, "tls-permissions", TLS_ROLE)?.status).toBe("fail");
    expect(finding(report, "tls-permissions", TLS_ROLE)?.message).toMatch(
      /an Organizations policy \(SCP\) denies acm-pca:IssueCertificate to the role/,
    );
    expect(finding(report, "volume-permissions")?.status).toBe("pass");
    expect(code).toBe(1);
  });

  it("a snapshot keeps the simulation (replayed, the SCP still fails the role); one from before it was read is unknown", async () => {
    inOrganization({ scps: [{ name: "no-volume-deletes", deny: ["ec2:DeleteVolume"] }] });
    const dir = mkdtempSync(join(tmpdir(), "scp-"));
    const file = join(dir, "facts.json");
    expect((await runCli(["snapshot", "--role", "ecsInfrastructureRole", "--out", file])).code).toBe(0);
    const replayed = await checkJson(fake, "--snapshot", file);
    expect(replayed.calls).toEqual([]);
    expect(finding(replayed.report, "volume-permissions")?.status).toBe("fail");
    const old = JSON.parse(readFileSync(file, "utf8"));
    delete old.organization;
    for (const r of old.roles) delete r.simulations;
    writeFileSync(join(dir, "old.json"), JSON.stringify(old));
    const { code, report } = await checkJson(fake, "--snapshot", join(dir, "old.json"));
    const f = finding(report, "volume-permissions");
    expect(f?.status).toBe("unknown");
    expect(f?.message).toMatch(
      /organizations:DescribeOrganization was not read: these facts were gathered before ecs-preflight read it \(collect them again\)/,
    );
    expect(code).toBe(3);
  });

  it("works in the bundle users run (the Organizations client loads lazily there)", async () => {
    inOrganization({ scps: [{ name: "no-volume-deletes", deny: ["ec2:DeleteVolume"] }] });
    const { code, stdout } = await runBundle(
      ["check", "--format", "json", "--role", "ecsInfrastructureRole", "--log-level", "error"],
      fake.env(),
    );
    expect(finding(JSON.parse(stdout) as Report, "volume-permissions")?.status).toBe("fail");
    expect(code).toBe(1);
  });

  it("with every permission rule off, Organizations are not asked at all", async () => {
    inOrganization({ scps: [{ name: "no-volume-deletes", deny: ["ec2:DeleteVolume"] }] });
    const config = join(mkdtempSync(join(tmpdir(), "scp-config-")), "config.json");
    writeFileSync(
      config,
      JSON.stringify({
        rules: Object.fromEntries(
          [
            "volume-permissions",
            "tls-permissions",
            "managed-instances-permissions",
            "express-permissions",
            "vpc-lattice-permissions",
            "load-balancer-permissions",
          ].map((id) => [id, "off"]),
        ),
      }),
    );
    const { calls } = await checkJson(fake, "--role", "ecsInfrastructureRole", "--config", config);
    expect(
      calls.filter((c) => c.service === "organizations" || c.action === "SimulatePrincipalPolicy"),
    ).toEqual([]);
    expect(calls.some((c) => c.action === "GetRole")).toBe(true);
  });
});
