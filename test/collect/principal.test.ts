import { ConfiguredRetryStrategy } from "@smithy/util-retry";
import { afterEach, describe, expect, it } from "vitest";
import type { AwsClients } from "../../src/collect/clients.ts";
import { collect } from "../../src/collect/index.ts";
import { InputError } from "../../src/errors.ts";
import type { Facts } from "../../src/facts/types.ts";
import type { FakeAccount } from "../fake-aws/account.ts";
import {
  ACCOUNT_ID,
  awsManagedVolumesPolicy,
  ebsService,
  ebsTask,
  infrastructureRole,
  REGION,
  roleArnOf,
} from "../fake-aws/builders.ts";
import type { FaultRule } from "../fake-aws/faults.ts";
import { type FakeAws, startFakeAws } from "../fake-aws/server.ts";
import { fakeClients } from "../support/sdk-clients.ts";

/** The principal collector through collect(), the real IAM/STS clients and the fake. */

const SHARED = `arn:aws:iam::${ACCOUNT_ID}:policy/shared-deploy`;
const BOUNDARY = `arn:aws:iam::${ACCOUNT_ID}:policy/boundary`;
const open: FakeAws[] = [];
const clientsOf: AwsClients[] = [];
afterEach(async () => {
  for (const c of clientsOf.splice(0)) c.destroy();
  await Promise.all(open.splice(0).map((f) => f.close()));
});

async function run(
  account: Partial<FakeAccount>,
  options: {
    roles?: string[];
    clusters?: string[];
    principal?: string;
    passRole?: boolean;
    faults?: FaultRule[];
  } = {},
) {
  const fake = await startFakeAws(
    { accountId: ACCOUNT_ID, ...account },
    { pageSize: { iam: 1 }, ...(options.faults ? { faults: options.faults } : {}) },
  );
  open.push(fake);
  const clients = fakeClients(fake, {
    config: { retryStrategy: new ConfiguredRetryStrategy(2, () => 0) },
    ec2: false,
  });
  clientsOf.push(clients);
  const principal = options.principal ?? (options.clusters ? undefined : account.caller?.arn);
  const facts = await collect({
    scope: {
      clusters: options.clusters ?? [],
      services: [],
      tasks: [],
      roles: options.roles ?? (options.clusters ? [] : ["ecsInfrastructureRole"]),
    },
    aws: { region: REGION },
    clients,
    trail: false,
    // The caller is judged only when named: these tests name it as --principal would.
    ...(principal ? { principals: [principal] } : {}),
    ...(options.passRole === undefined ? {} : { passRole: options.passRole }),
  });
  return { facts, fake };
}

/** The first principal's facts (tests here read one). */
const principalOf = (facts: Facts) => facts.principals?.[0]?.facts;

const doc = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: "iam:PassRole", Resource: "*" }],
};

describe("collect() reads the deploying principal", () => {
  it("a user's policies and its groups', one page at a time; each managed policy fetched once", async () => {
    const { facts, fake } = await run({
      caller: { arn: `arn:aws:iam::${ACCOUNT_ID}:user/dev`, userId: "AIDADEV" },
      roles: [infrastructureRole()],
      users: [
        {
          name: "dev",
          boundaryArn: BOUNDARY,
          attached: [SHARED],
          inline: { a: doc, b: doc },
          groups: ["g1", "g2"],
        },
      ],
      groups: [
        { name: "g1", attached: [SHARED], inline: { c: doc } },
        { name: "g2", attached: [SHARED] },
      ],
      managedPolicies: [
        awsManagedVolumesPolicy(),
        { arn: SHARED, defaultVersionId: "v4", versions: { v4: doc } },
        { arn: BOUNDARY, defaultVersionId: "v1", versions: { v1: doc } },
      ],
    });
    expect(principalOf(facts)).toMatchObject({
      ok: true,
      value: {
        kind: "user",
        source: "flag",
        arn: `arn:aws:iam::${ACCOUNT_ID}:user/dev`,
        permissionsBoundaryArn: BOUNDARY,
        inlinePolicies: {
          ok: true,
          value: [{ name: "a", document: { ok: true, value: doc } }, { name: "b" }],
        },
        attachedPolicies: { ok: true, value: [{ arn: SHARED }] },
        groups: {
          ok: true,
          value: [
            {
              name: "g1",
              inlinePolicies: { ok: true, value: [{ name: "c" }] },
              attachedPolicies: { ok: true, value: [{ arn: SHARED }] },
            },
            { name: "g2", inlinePolicies: { ok: true, value: [] } },
          ],
        },
      },
    });
    expect(facts.managedPolicies[SHARED]).toMatchObject({ ok: true, value: { defaultVersionId: "v4" } });
    expect(facts.managedPolicies[BOUNDARY]).toMatchObject({ ok: true });
    const count = (action: string, arn: string) =>
      fake.requests.filter((r) => r.action === action && r.params.PolicyArn === arn).length;
    expect(count("GetPolicy", SHARED)).toBe(1);
    expect(count("GetPolicyVersion", SHARED)).toBe(1);
    expect(fake.requests.filter((r) => r.action === "ListUserPolicies")).toHaveLength(2);
    expect(fake.requests.filter((r) => r.action === "ListGroupsForUser")).toHaveLength(2);
  });

  it("a role principal's reads denied: GetAccountAuthorizationDetails (roles only) stands in, with the role's path", async () => {
    const { facts, fake } = await run(
      {
        roles: [
          infrastructureRole(),
          { name: "deployer", path: "/ci/", trustPolicy: doc, inline: { pass: doc }, attached: [SHARED] },
        ],
        managedPolicies: [
          awsManagedVolumesPolicy(),
          { arn: SHARED, defaultVersionId: "v2", versions: { v2: doc } },
        ],
      },
      {
        principal: `arn:aws:sts::${ACCOUNT_ID}:assumed-role/deployer/s`,
        faults: [{ service: "iam", action: "ListRolePolicies", kind: "access-denied" }],
      },
    );
    expect(principalOf(facts)).toMatchObject({
      ok: true,
      value: {
        kind: "role",
        arn: `arn:aws:iam::${ACCOUNT_ID}:role/ci/deployer`,
        inlinePolicies: { ok: true, value: [{ name: "pass", document: { ok: true, value: doc } }] },
        attachedPolicies: { ok: true, value: [{ arn: SHARED }] },
      },
    });
    expect(facts.managedPolicies[SHARED]).toMatchObject({ ok: true, value: { defaultVersionId: "v2" } });
    const listing = fake.requests.filter((r) => r.action === "GetAccountAuthorizationDetails");
    expect(listing[0]?.params).toMatchObject({ "Filter.member.1": "Role" });
    expect(listing.length).toBeGreaterThan(1);
  });

  it("the listing denied too: the direct read's denial stands", async () => {
    const { facts } = await run(
      {
        caller: { arn: `arn:aws:iam::${ACCOUNT_ID}:user/dev`, userId: "AIDADEV" },
        roles: [infrastructureRole()],
        users: [{ name: "dev", groups: ["g1"] }],
        groups: [{ name: "g1" }],
        managedPolicies: [awsManagedVolumesPolicy()],
      },
      {
        faults: [
          { service: "iam", action: "ListGroupsForUser", kind: "access-denied" },
          { service: "iam", action: "GetAccountAuthorizationDetails", kind: "access-denied" },
        ],
      },
    );
    expect(principalOf(facts)).toMatchObject({
      ok: true,
      value: { groups: { ok: false, error: { api: "iam:ListGroupsForUser", code: "AccessDenied" } } },
    });
  });

  it("a user's group missing from the listing is an error, never judged without it", async () => {
    const { facts } = await run(
      {
        caller: { arn: `arn:aws:iam::${ACCOUNT_ID}:user/dev`, userId: "AIDADEV" },
        roles: [infrastructureRole()],
        users: [{ name: "dev", groups: ["g1", "ghost"] }],
        groups: [{ name: "g1" }],
        managedPolicies: [awsManagedVolumesPolicy()],
      },
      { faults: [{ service: "iam", action: "ListGroupsForUser", kind: "access-denied" }] },
    );
    expect(principalOf(facts)).toMatchObject({
      ok: false,
      error: {
        api: "iam:GetAccountAuthorizationDetails",
        message: "group ghost of user dev is not in the answer",
      },
    });
  });

  it("a federated caller is unsupported, with no IAM read for it", async () => {
    const { facts, fake } = await run({
      caller: { arn: `arn:aws:sts::${ACCOUNT_ID}:federated-user/bob`, userId: "123:bob" },
      roles: [infrastructureRole()],
      managedPolicies: [awsManagedVolumesPolicy()],
    });
    expect(principalOf(facts)).toMatchObject({ ok: true, value: { kind: "unsupported", source: "flag" } });
    expect(
      fake.requests.filter(
        (r) => r.action === "GetUser" || (r.action === "GetRole" && r.params.RoleName === "bob"),
      ),
    ).toEqual([]);
  });

  it("a --principal of another account is an error fact, not read", async () => {
    const { facts, fake } = await run(
      { roles: [infrastructureRole()], managedPolicies: [awsManagedVolumesPolicy()] },
      { principal: "arn:aws:iam::999988887777:role/deployer" },
    );
    expect(principalOf(facts)).toMatchObject({
      ok: false,
      error: { code: "CrossAccountPrincipal", api: "iam:GetRole" },
    });
    expect(fake.requests.filter((r) => r.params.RoleName === "deployer")).toEqual([]);
  });

  it("with the caller's account unread, a --principal of another account is still never judged as this account's", async () => {
    const { facts } = await run(
      {
        roles: [infrastructureRole(), infrastructureRole({ name: "deployer" })],
        managedPolicies: [awsManagedVolumesPolicy()],
      },
      {
        principal: "arn:aws:iam::999988887777:role/deployer",
        faults: [{ service: "sts", action: "GetCallerIdentity", kind: "access-denied" }],
      },
    );
    expect(facts.caller.ok).toBe(false);
    // IAM answered with this account's "deployer": a different role, whatever its name.
    expect(principalOf(facts)).toMatchObject({ ok: false, error: { code: "CrossAccountPrincipal" } });
  });

  it("a --principal role that does not exist is NoSuchEntity, naming it", async () => {
    const { facts } = await run(
      { roles: [infrastructureRole()], managedPolicies: [awsManagedVolumesPolicy()] },
      { principal: `arn:aws:sts::${ACCOUNT_ID}:assumed-role/ghost/s` },
    );
    expect(principalOf(facts)).toMatchObject({
      ok: false,
      error: { code: "NoSuchEntity", message: expect.stringContaining("ghost") },
    });
  });

  it("no role in scope, or passRole off: no principal is read", async () => {
    const none = await run({}, { roles: [] });
    expect(none.facts.principals).toBeUndefined();
    expect(none.fake.requests.some((r) => r.action === "GetUser")).toBe(false);
    const off = await run(
      { roles: [infrastructureRole()], managedPolicies: [awsManagedVolumesPolicy()] },
      { passRole: false },
    );
    expect(off.facts.principals).toBeUndefined();
    expect(off.fake.requests.some((r) => r.action === "GetUser")).toBe(false);
  });

  it("a malformed --principal is an InputError before any client is used", async () => {
    await expect(
      collect({
        scope: { clusters: [], services: [], tasks: [], roles: ["r"] },
        aws: { region: REGION },
        clients: {} as AwsClients,
        principals: ["arn:aws:s3:::bucket"],
      }),
    ).rejects.toBeInstanceOf(InputError);
  });
});

describe("collect() reads who deploys: the services' createdBy", () => {
  const INFRA = roleArnOf("ecsInfrastructureRole");
  const audit = { arn: `arn:aws:sts::${ACCOUNT_ID}:assumed-role/auditor/run`, userId: "AROAAUDIT:run" };
  const deployer = { name: "deployer", path: "/ci/", trustPolicy: doc, inline: { pass: doc } };
  const serviceArn = (name: string) => `arn:aws:ecs:${REGION}:${ACCOUNT_ID}:service/prod/${name}`;

  it("each distinct creator once, with its services; a path-less role ARN read by name; the caller never", async () => {
    const { facts, fake } = await run(
      {
        caller: audit,
        roles: [infrastructureRole(), infrastructureRole({ name: "other" }), deployer],
        managedPolicies: [awsManagedVolumesPolicy()],
        clusters: [
          {
            name: "prod",
            services: [
              ebsService({ name: "web", roleArn: INFRA, createdBy: roleArnOf("deployer") }),
              ebsService({ name: "api", roleArn: INFRA, createdBy: roleArnOf("deployer") }),
              // Another role, the same creator: one entry, with every service it created.
              ebsService({ name: "jobs", roleArn: roleArnOf("other"), createdBy: roleArnOf("deployer") }),
              ebsService({ name: "old", roleArn: INFRA, createdBy: roleArnOf("gone"), status: "INACTIVE" }),
            ],
          },
        ],
      },
      { clusters: ["prod"] },
    );
    expect(facts.principals).toMatchObject([
      {
        ref: roleArnOf("deployer"),
        origin: { kind: "created-by", services: [serviceArn("web"), serviceArn("api"), serviceArn("jobs")] },
        facts: {
          ok: true,
          value: {
            kind: "role",
            source: "created-by",
            arn: `arn:aws:iam::${ACCOUNT_ID}:role/ci/deployer`,
            path: "/ci/",
          },
        },
      },
    ]);
    const roleReads = fake.requests.filter((r) => r.action === "GetRole").map((r) => r.params.RoleName);
    expect(roleReads.filter((n) => n === "deployer")).toHaveLength(1);
    expect(roleReads).not.toContain("auditor");
    expect(roleReads).not.toContain("gone"); // an INACTIVE service deploys nothing
  });

  it("a creator that no longer exists is a NoSuchEntity fact; only standalone tasks: an empty list", async () => {
    const { facts } = await run(
      {
        caller: audit,
        roles: [infrastructureRole()],
        managedPolicies: [awsManagedVolumesPolicy()],
        clusters: [
          {
            name: "prod",
            services: [ebsService({ name: "web", roleArn: INFRA, createdBy: roleArnOf("gone") })],
          },
        ],
      },
      { clusters: ["prod"] },
    );
    expect(facts.principals).toMatchObject([
      { ref: roleArnOf("gone"), facts: { ok: false, error: { api: "iam:GetRole", code: "NoSuchEntity" } } },
    ]);
    const standalone = await run(
      {
        caller: audit,
        roles: [infrastructureRole()],
        managedPolicies: [awsManagedVolumesPolicy()],
        clusters: [{ name: "prod", tasks: [ebsTask({ id: "t1", roleArn: INFRA, volumeId: "vol-1" })] }],
      },
      { clusters: ["prod"] },
    );
    expect(standalone.facts.principals).toEqual([]);
    expect(standalone.fake.requests.some((r) => r.action === "GetUser")).toBe(false);
  });

  it("--principal replaces the creators: they are not read", async () => {
    const { facts, fake } = await run(
      {
        caller: audit,
        roles: [infrastructureRole(), deployer, { name: "release", trustPolicy: doc }],
        managedPolicies: [awsManagedVolumesPolicy()],
        clusters: [
          {
            name: "prod",
            services: [ebsService({ name: "web", roleArn: INFRA, createdBy: roleArnOf("deployer") })],
          },
        ],
      },
      { clusters: ["prod"], principal: roleArnOf("release") },
    );
    expect(facts.principals?.map((p) => [p.ref, p.origin.kind])).toEqual([[roleArnOf("release"), "flag"]]);
    expect(fake.requests.filter((r) => r.action === "GetRole").map((r) => r.params.RoleName)).not.toContain(
      "deployer",
    );
  });
});
