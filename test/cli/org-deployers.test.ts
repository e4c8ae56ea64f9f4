import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FakeAccount, FakeRole } from "../fake-aws/account.ts";
import { awsManagedVolumesPolicy, ebsService, infrastructureRole, roleArnOf } from "../fake-aws/builders.ts";
import { type FakeAws, startFakeAws } from "../fake-aws/server.ts";
import { checkJson } from "../support/cli.ts";
import { AUDIT_ROLE, auditRole, EXTERNAL_ID, MANAGEMENT, MEMBER_A, MEMBER_B } from "../support/org.ts";

/** End to end: in a run over targets, pass-role judges each target's own services' creators, never the audit role. */

const TARGETS = [
  ...["--accounts", `${MEMBER_A},${MEMBER_B}`, "--regions", "us-east-1", "--cluster", "prod"],
  ...["--assume-role", AUDIT_ROLE, "--external-id", EXTERNAL_ID],
];
const passRoleDocument = {
  Version: "2012-10-17",
  Statement: [
    {
      Effect: "Allow",
      Action: "iam:PassRole",
      Resource: "arn:aws:iam::*:role/ecsInfrastructureRole",
      Condition: { StringEquals: { "iam:PassedToService": "ecs.amazonaws.com" } },
    },
  ],
};
const readOnly = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: "ecs:Describe*", Resource: "*" }],
};

/** A member whose service `web` was created by `deployer` (path /ci/; createdBy without it), allowed or not. */
function member(accountId: string, mayPass: boolean): FakeAccount {
  const deployer: FakeRole = {
    name: "deployer",
    path: "/ci/",
    trustPolicy: readOnly,
    inline: { deploy: mayPass ? passRoleDocument : readOnly },
  };
  return {
    accountId,
    region: "us-east-1",
    roles: [infrastructureRole(), auditRole(), deployer],
    managedPolicies: [awsManagedVolumesPolicy()],
    clusters: [
      {
        name: "prod",
        services: [
          ebsService({
            name: "web",
            roleArn: roleArnOf("ecsInfrastructureRole", accountId),
            createdBy: roleArnOf("deployer", accountId),
          }),
        ],
      },
    ],
  };
}

let fake: FakeAws;
beforeAll(async () => {
  fake = await startFakeAws(
    { accountId: MANAGEMENT, region: "us-east-1", roles: [], managedPolicies: [] },
    { world: { accounts: [member(MEMBER_A, true), member(MEMBER_B, false)] } },
  );
  Object.assign(process.env, fake.env());
});
afterAll(() => fake.close());

describe("pass-role over targets", () => {
  it("each target judges its own services' creator: A's may pass (pass), B's may not (fail, its fix)", async () => {
    const { code, report, calls } = await checkJson(fake, ...TARGETS);
    const passRole = report.findings.filter((f) => f.rule === "pass-role");
    expect(passRole.map((f) => [f.account, f.status]).sort()).toEqual([
      [MEMBER_A, "pass"],
      [MEMBER_B, "fail"],
    ]);
    const failed = passRole.find((f) => f.status === "fail");
    expect(failed?.message).toMatch(
      new RegExp(`^role arn:aws:iam::${MEMBER_B}:role/ci/deployer \\(created web\\) may not pass`),
    );
    expect(failed?.remediation).toMatch(/--role-name deployer /);
    expect(JSON.stringify(passRole)).not.toContain(AUDIT_ROLE);
    // Each deployer read in its own account, with that account's session.
    const reads = calls.filter((c) => c.action === "GetRole" && c.params.RoleName === "deployer");
    expect(new Set(reads.map((c) => c.account))).toEqual(new Set([MEMBER_A, MEMBER_B]));
    expect(code).toBe(1);
  });

  it("a --principal is judged in its own account's targets; pass-role is off where none is of the account", async () => {
    const principal = `arn:aws:iam::${MEMBER_A}:role/ci/deployer`;
    const { code, report } = await checkJson(fake, ...TARGETS, "--principal", principal);
    const passRole = report.findings.filter((f) => f.rule === "pass-role");
    expect(passRole.map((f) => [f.account, f.status])).toEqual([[MEMBER_A, "pass"]]);
    expect(code).toBe(0);
  });
});
