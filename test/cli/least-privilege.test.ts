import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evaluateIdentity, parsePolicy } from "../../src/iam/index.ts";
import type { Policy } from "../../src/iam/types.ts";
import { change, changeSet, roleProps } from "../changes/cloudformation/change-sets.ts";
import {
  ACCOUNT_ID,
  awsManagedVolumesPolicy,
  ebsService,
  ebsTask,
  expressService,
  infrastructureRole,
  managedInstancesProvider,
  REGION,
  roleArnOf,
} from "../fake-aws/builders.ts";
import type { FaultRule } from "../fake-aws/faults.ts";
import { type FakeAws, startFakeAws } from "../fake-aws/server.ts";
import { runCli } from "../support/cli.ts";
import { isReadAction } from "../support/read-actions.ts";

/**
 * Least privilege, end to end: every AWS call the CLI makes in the scenarios users run is allowed by
 * docs/iam-policy.json (judged by the project's own IAM evaluator), every grant in it is used by some scenario,
 * and nothing but `stop` writes (and `stop` writes only StopTask).
 */

const ROLE = roleArnOf("api-role");
const doc = (...Statement: object[]) => ({ Version: "2012-10-17", Statement });
const dir = mkdtempSync(join(tmpdir(), "least-privilege-"));

let fake: FakeAws;
beforeAll(async () => {
  fake = await startFakeAws({
    accountId: ACCOUNT_ID,
    // An attached managed policy and an inline one: both kinds of policy read are exercised.
    roles: [
      infrastructureRole({
        name: "api-role",
        inline: { extra: doc({ Effect: "Allow", Action: "ec2:DescribeVolumes", Resource: "*" }) },
      }),
    ],
    managedPolicies: [awsManagedVolumesPolicy()],
    // A member of an organization: the roles are simulated under its SCPs.
    organization: { scps: [] },
    clusters: [
      {
        name: "prod",
        // Every use of the role is read: a Managed Instances capacity provider and an Express service name it too.
        capacityProviders: [managedInstancesProvider({ name: "mi", roleArn: ROLE })],
        services: [
          ebsService({ name: "api", roleArn: ROLE }),
          expressService({ name: "shop", roleArn: ROLE }),
        ],
        tasks: [
          ebsTask({ id: "api1", roleArn: ROLE, service: "api", volumeId: "vol-0api1" }),
          ebsTask({ id: "api2", roleArn: ROLE, service: "api", volumeId: "vol-0api2" }),
        ],
      },
    ],
    // The deploying principal named with --principal: a user whose grant comes through a group.
    users: [{ name: "deployer", groups: ["deployers"], inline: { own: doc() } }],
    groups: [
      {
        name: "deployers",
        attached: [awsManagedVolumesPolicy().arn],
        inline: {
          pass: doc({
            Effect: "Allow",
            Action: "iam:PassRole",
            Resource: ROLE,
            Condition: { StringEquals: { "iam:PassedToService": "ecs.amazonaws.com" } },
          }),
        },
      },
    ],
    // The change gate's stack: its role's change set, and what deleting it removes.
    cloudformation: {
      stacks: [
        {
          name: "app",
          resources: [{ logicalId: "ApiRole", physicalId: "api-role", type: "AWS::IAM::Role" }],
          template: { Resources: { ApiRole: { Type: "AWS::IAM::Role" } } },
        },
      ],
      changeSets: [
        {
          name: "preflight",
          stack: "app",
          changes: changeSet([
            change({
              action: "Modify",
              logicalId: "ApiRole",
              physicalId: "api-role",
              type: "AWS::IAM::Role",
              scope: ["Tags"],
              before: roleProps({ RoleName: "api-role" }),
              after: roleProps({ RoleName: "api-role", Tags: [{ Key: "a", Value: "b" }] }),
            }),
          ]).Changes as object[],
        },
      ],
    },
    volumes: [
      {
        volumeId: "vol-0gone",
        state: "available",
        tags: {
          AmazonECSManaged: "true",
          AmazonECSCreated: `arn:aws:ecs:${REGION}:${ACCOUNT_ID}:task/prod/gone1`,
        },
      },
    ],
  });
  Object.assign(process.env, fake.env(), { ECS_PREFLIGHT_POLL_MS: "20" });
});
afterAll(async () => {
  delete process.env.ECS_PREFLIGHT_POLL_MS;
  await fake.close();
});

const DEPLOYER = `arn:aws:iam::${ACCOUNT_ID}:user/deployer`;

/** Faults a scenario runs under: the reads made in place of denied ones must be granted too. */
const FAULTS: Record<string, FaultRule[]> = {
  "check --principal, user reads denied": [{ service: "iam", action: "GetUser", kind: "access-denied" }],
};

/** Each scenario's CLI arguments; `stop` is the one allowed to write. */
const SCENARIOS: Record<string, string[]> = {
  "check --principal (a user in a group)": [
    "check",
    "--role",
    "api-role",
    "--principal",
    DEPLOYER,
    "--format",
    "json",
  ],
  "check --principal, user reads denied": [
    "check",
    "--role",
    "api-role",
    "--principal",
    DEPLOYER,
    "--format",
    "json",
  ],
  "check, no scope flag": ["check", "--format", "json"],
  "check --cluster": ["check", "--cluster", "prod", "--format", "json"],
  "check --service": ["check", "--cluster", "prod", "--service", "api", "--format", "json"],
  "check --task": ["check", "--cluster", "prod", "--task", "api1", "--format", "json"],
  "check --role only": ["check", "--role", "api-role", "--format", "json"],
  "check --change-set": ["check", "--change-set", "preflight", "--stack", "app", "--format", "json"],
  "check --before-stack-delete": ["check", "--before-stack-delete", "app", "--format", "json"],
  snapshot: ["snapshot", "--out", join(dir, "facts.json")],
  "stop --wait": ["stop", "--cluster", "prod", "--task", "api2", "--yes", "--wait", "--format", "json"],
};

/** "service:Action" of every request each scenario made, in order. */
const calls = new Map<string, string[]>();

function loadPolicy(): Policy {
  const parsed = parsePolicy(JSON.parse(readFileSync("docs/iam-policy.json", "utf8")), {
    kind: "managed",
    name: "ecs-preflight",
  });
  if (!parsed.ok) throw new Error(`docs/iam-policy.json: ${JSON.stringify(parsed.errors)}`);
  return parsed.policy;
}

describe("least privilege: the calls each command makes, against docs/iam-policy.json", () => {
  beforeAll(async () => {
    for (const [name, args] of Object.entries(SCENARIOS)) {
      const before = fake.requests.length;
      fake.setFaults(FAULTS[name] ?? []);
      const { code, stderr } = await runCli(args);
      fake.setFaults([]);
      // A scenario that fails to run would prove nothing about the calls a real run makes.
      expect([0, 1], `${name}: exit ${code}\n${stderr}`).toContain(code);
      calls.set(
        name,
        fake.requests.slice(before).map((r) => `${r.service}:${r.action}`),
      );
    }
  });

  it("every scenario reached AWS", () => {
    for (const [name, made] of calls) expect(made.length, name).toBeGreaterThan(0);
  });

  it("every call is allowed by the policy (the project's IAM evaluator decides)", () => {
    const policy = loadPolicy();
    const denied: string[] = [];
    for (const [name, made] of calls) {
      for (const action of new Set(made)) {
        const { decision } = evaluateIdentity(
          // Any resource the call might name: the grant must hold for all of them.
          { action, resource: { kind: "pattern", pattern: "*" }, context: {} },
          { identity: [policy] },
        );
        if (decision !== "allow") denied.push(`${name}: ${action} is ${decision}`);
      }
    }
    expect(
      denied,
      "add the action to src/permissions.ts, then UPDATE_DOCS=1 npx vitest run test/meta",
    ).toEqual([]);
  });

  it("the policy grants nothing that no scenario calls", () => {
    const granted = JSON.parse(readFileSync("docs/iam-policy.json", "utf8")).Statement.flatMap(
      (s: { Action: string[] }) => s.Action,
    );
    const used = new Set([...calls.values()].flat());
    expect(granted.filter((a: string) => !used.has(a))).toEqual([]);
  });

  it("nothing writes outside stop, and stop writes only StopTask", () => {
    for (const [name, made] of calls) {
      const writes = made.filter((a) => !isReadAction(a));
      if (name.startsWith("stop")) {
        expect(new Set(writes), name).toEqual(new Set(["ecs:StopTask"]));
      } else {
        expect(writes, name).toEqual([]);
      }
    }
  });

  it("the read set is spelled out, not everything", () => {
    expect(isReadAction("ecs:DescribeTasks")).toBe(true);
    expect(isReadAction("cloudtrail:LookupEvents")).toBe(true);
    expect(isReadAction("sts:GetCallerIdentity")).toBe(true);
    expect(isReadAction("ecs:StopTask")).toBe(false);
    expect(isReadAction("s3:PutObject")).toBe(false);
    expect(isReadAction("ec2:DeleteVolume")).toBe(false);
    // Names that merely start with a read verb are not reads.
    expect(isReadAction("ecs:Listener")).toBe(false);
    expect(isReadAction("iam:GetawayRole")).toBe(false);
  });
});
