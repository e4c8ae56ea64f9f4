import {
  GetAccountAuthorizationDetailsCommand,
  GetGroupPolicyCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  IAMClient,
  paginateGetAccountAuthorizationDetails,
  paginateListAttachedGroupPolicies,
  paginateListAttachedRolePolicies,
  paginateListAttachedUserPolicies,
  paginateListGroupPolicies,
  paginateListGroupsForUser,
  paginateListRolePolicies,
  paginateListUserPolicies,
} from "@aws-sdk/client-iam";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  awsManagedVolumesPolicy,
  ecsTrustPolicy,
  infrastructureRole,
  VOLUMES_POLICY_ARN,
  volumesPolicyDocument,
} from "./builders.ts";
import { type FakeAws, startFakeAws } from "./server.ts";

const BOUNDARY_ARN = "arn:aws:iam::111122223333:policy/boundaries/EcsBoundary";
const customerPolicies = ["p1", "p2", "p3", "p4", "p5"].map(
  (name) => `arn:aws:iam::111122223333:policy/${name}`,
);
const trustWithCondition = ecsTrustPolicy({ StringEquals: { "aws:SourceAccount": "111122223333" } });

let fake: FakeAws;
let iam: IAMClient;

beforeAll(async () => {
  fake = await startFakeAws(
    {
      accountId: "111122223333",
      caller: { arn: "arn:aws:sts::111122223333:assumed-role/deployer/ci", userId: "AROAEXAMPLE:ci" },
      roles: [
        infrastructureRole({ trustPolicy: trustWithCondition, boundaryArn: BOUNDARY_ARN }),
        {
          name: "manyPolicies",
          path: "/ecs/",
          trustPolicy: ecsTrustPolicy(),
          attached: [VOLUMES_POLICY_ARN, ...customerPolicies],
          inline: { a: { Version: "2012-10-17", Statement: [] }, b: "{not json", c: "{}" },
        },
        { name: "brokenTrust", trustPolicy: '{"Version": "2012-10-17", "Statement": [' },
      ],
      managedPolicies: [
        awsManagedVolumesPolicy(),
        { arn: BOUNDARY_ARN, defaultVersionId: "v2", versions: { v1: "{}", v2: { Version: "2012-10-17" } } },
      ],
    },
    { pageSize: { iam: 2 } },
  );
  iam = new IAMClient(fake.clientConfig());
});

afterAll(async () => {
  iam.destroy();
  await fake.close();
});

describe("GetRole", () => {
  test("round-trips the trust policy URL-encoded, as real IAM sends it to the JS SDK", async () => {
    const { Role } = await iam.send(new GetRoleCommand({ RoleName: "ecsInfrastructureRole" }));
    const encoded = Role?.AssumeRolePolicyDocument ?? "";
    expect(encoded).toMatch(/^%7B%22Version%22/);
    expect(JSON.parse(decodeURIComponent(encoded))).toEqual(trustWithCondition);
    expect(Role).toMatchObject({
      RoleName: "ecsInfrastructureRole",
      Path: "/",
      Arn: "arn:aws:iam::111122223333:role/ecsInfrastructureRole",
      PermissionsBoundary: {
        PermissionsBoundaryType: "PermissionsBoundaryPolicy",
        PermissionsBoundaryArn: BOUNDARY_ARN,
      },
    });
    expect(Role?.RoleId).toMatch(/^AROA[A-Z2-7]{17}$/);
    expect(Role?.CreateDate).toBeInstanceOf(Date);
  });

  test("a path shows in the ARN, and a role without a boundary has none", async () => {
    const { Role } = await iam.send(new GetRoleCommand({ RoleName: "manyPolicies" }));
    expect(Role?.Arn).toBe("arn:aws:iam::111122223333:role/ecs/manyPolicies");
    expect(Role?.PermissionsBoundary).toBeUndefined();
  });

  test("a malformed string trust policy is sent exactly as given", async () => {
    const { Role } = await iam.send(new GetRoleCommand({ RoleName: "brokenTrust" }));
    const decoded = decodeURIComponent(Role?.AssumeRolePolicyDocument ?? "");
    expect(decoded).toBe('{"Version": "2012-10-17", "Statement": [');
    expect(() => JSON.parse(decoded)).toThrow(SyntaxError);
  });

  test("a missing role is NoSuchEntity (HTTP 404), which the SDK names NoSuchEntityException", async () => {
    const error = await iam.send(new GetRoleCommand({ RoleName: "gone" })).catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: "NoSuchEntityException",
      Code: "NoSuchEntity",
      message: "The role with name gone cannot be found.",
      $fault: "client",
      $metadata: { httpStatusCode: 404 },
    });
  });

  test("XML special characters in a message are escaped so the SDK reads them back intact", async () => {
    const name = `a&b<c>"d'`;
    const error = await iam.send(new GetRoleCommand({ RoleName: name })).catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: "NoSuchEntityException",
      message: `The role with name ${name} cannot be found.`,
    });
  });
});

describe("attached and inline policies", () => {
  test("paginateListAttachedRolePolicies follows IsTruncated/Marker through every page", async () => {
    const before = fake.requests.length;
    const arns: string[] = [];
    for await (const page of paginateListAttachedRolePolicies(
      { client: iam },
      { RoleName: "manyPolicies" },
    )) {
      expect(page.AttachedPolicies?.length).toBeLessThanOrEqual(2);
      arns.push(...(page.AttachedPolicies ?? []).map((policy) => policy.PolicyArn ?? ""));
    }
    expect(arns).toEqual([VOLUMES_POLICY_ARN, ...customerPolicies]);
    const pages = fake.requests.slice(before).filter((r) => r.action === "ListAttachedRolePolicies");
    expect(pages).toHaveLength(3);
    expect(pages[0]?.params).toEqual({ RoleName: "manyPolicies" });
    expect(pages[1]?.params).toHaveProperty("Marker");
  });

  test("policy names come from the managed policy, or the ARN's last segment", async () => {
    const pages = paginateListAttachedRolePolicies({ client: iam }, { RoleName: "manyPolicies" });
    const first = (await pages.next()).value;
    expect(first?.AttachedPolicies).toEqual([
      { PolicyName: "AmazonECSInfrastructureRolePolicyForVolumes", PolicyArn: VOLUMES_POLICY_ARN },
      { PolicyName: "p1", PolicyArn: customerPolicies[0] },
    ]);
  });

  test("MaxItems below the page-size cap is honoured", async () => {
    const pages = paginateListAttachedRolePolicies(
      { client: iam, pageSize: 1 },
      { RoleName: "manyPolicies" },
    );
    const first = (await pages.next()).value;
    expect(first?.AttachedPolicies).toHaveLength(1);
    expect(first?.IsTruncated).toBe(true);
  });

  test("inline policies list and fetch, malformed ones as given", async () => {
    const names: string[] = [];
    for await (const page of paginateListRolePolicies({ client: iam }, { RoleName: "manyPolicies" })) {
      names.push(...(page.PolicyNames ?? []));
    }
    expect(names).toEqual(["a", "b", "c"]);
    const good = await iam.send(new GetRolePolicyCommand({ RoleName: "manyPolicies", PolicyName: "a" }));
    expect(JSON.parse(decodeURIComponent(good.PolicyDocument ?? ""))).toEqual({
      Version: "2012-10-17",
      Statement: [],
    });
    const bad = await iam.send(new GetRolePolicyCommand({ RoleName: "manyPolicies", PolicyName: "b" }));
    expect(decodeURIComponent(bad.PolicyDocument ?? "")).toBe("{not json");
    await expect(
      iam.send(new GetRolePolicyCommand({ RoleName: "manyPolicies", PolicyName: "zz" })),
    ).rejects.toMatchObject({
      name: "NoSuchEntityException",
      message: "The role policy with name zz cannot be found.",
    });
  });
});

describe("managed policies", () => {
  test("GetPolicy gives the default version and GetPolicyVersion the real v5 EBS document", async () => {
    const { Policy } = await iam.send(new GetPolicyCommand({ PolicyArn: VOLUMES_POLICY_ARN }));
    expect(Policy).toMatchObject({
      PolicyName: "AmazonECSInfrastructureRolePolicyForVolumes",
      Path: "/service-role/",
      DefaultVersionId: "v5",
      AttachmentCount: 2,
      IsAttachable: true,
    });
    const { PolicyVersion } = await iam.send(
      new GetPolicyVersionCommand({ PolicyArn: VOLUMES_POLICY_ARN, VersionId: Policy?.DefaultVersionId }),
    );
    expect(PolicyVersion?.IsDefaultVersion).toBe(true);
    const document = JSON.parse(decodeURIComponent(PolicyVersion?.Document ?? ""));
    expect(document).toEqual(volumesPolicyDocument());
    expect(JSON.stringify(document)).toContain("ec2:DeleteVolume");
  });

  test("a non-default version is not the default; an unknown version or policy is NoSuchEntity", async () => {
    const { PolicyVersion } = await iam.send(
      new GetPolicyVersionCommand({ PolicyArn: BOUNDARY_ARN, VersionId: "v1" }),
    );
    expect(PolicyVersion?.IsDefaultVersion).toBe(false);
    await expect(
      iam.send(new GetPolicyVersionCommand({ PolicyArn: BOUNDARY_ARN, VersionId: "v9" })),
    ).rejects.toMatchObject({ name: "NoSuchEntityException", Code: "NoSuchEntity" });
    await expect(
      iam.send(new GetPolicyCommand({ PolicyArn: "arn:aws:iam::111122223333:policy/nope" })),
    ).rejects.toMatchObject({ name: "NoSuchEntityException" });
  });

  test("a malformed policy ARN is InvalidInput, which the SDK names InvalidInputException", async () => {
    await expect(iam.send(new GetPolicyCommand({ PolicyArn: "not-an-arn" }))).rejects.toMatchObject({
      name: "InvalidInputException",
      Code: "InvalidInput",
      $metadata: { httpStatusCode: 400 },
    });
  });
});

test("STS GetCallerIdentity answers the account's caller", async () => {
  const sts = new STSClient(fake.clientConfig());
  const identity = await sts.send(new GetCallerIdentityCommand({}));
  sts.destroy();
  expect(identity).toMatchObject({
    Account: "111122223333",
    Arn: "arn:aws:sts::111122223333:assumed-role/deployer/ci",
    UserId: "AROAEXAMPLE:ci",
  });
  expect(fake.requests.at(-1)).toMatchObject({ service: "sts", action: "GetCallerIdentity", status: 200 });
});

describe("users and groups", () => {
  const DEPLOY = "arn:aws:iam::111122223333:policy/deploy";
  let users: FakeAws;
  let client: IAMClient;
  const passRole = {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Action: "iam:PassRole", Resource: "arn:aws:iam::*:role/*" }],
  };

  beforeAll(async () => {
    users = await startFakeAws(
      {
        accountId: "111122223333",
        caller: { arn: "arn:aws:iam::111122223333:user/ci/deployer", userId: "AIDAEXAMPLE" },
        users: [
          {
            name: "deployer",
            path: "/ci/",
            boundaryArn: BOUNDARY_ARN,
            attached: [DEPLOY, ...customerPolicies],
            inline: { one: passRole, two: "{not json", three: {} },
            groups: ["g1", "g2", "g3"],
          },
        ],
        groups: [
          {
            name: "g1",
            path: "/teams/",
            inline: { a: passRole, b: {}, c: {} },
            attached: [DEPLOY, ...customerPolicies],
          },
          { name: "g2" },
          { name: "g3" },
        ],
        managedPolicies: [
          { arn: DEPLOY, defaultVersionId: "v3", versions: { v1: {}, v2: {}, v3: passRole } },
          { arn: BOUNDARY_ARN, defaultVersionId: "v1", versions: { v1: passRole } },
        ],
      },
      { pageSize: { iam: 2 } },
    );
    client = new IAMClient(users.clientConfig());
  });

  afterAll(async () => {
    client.destroy();
    await users.close();
  });

  test("GetUser gives the path, the ARN with it, and the boundary; without UserName it answers for the caller", async () => {
    const named = await client.send(new GetUserCommand({ UserName: "deployer" }));
    expect(named.User).toMatchObject({
      UserName: "deployer",
      Path: "/ci/",
      Arn: "arn:aws:iam::111122223333:user/ci/deployer",
      PermissionsBoundary: {
        PermissionsBoundaryType: "PermissionsBoundaryPolicy",
        PermissionsBoundaryArn: BOUNDARY_ARN,
      },
    });
    expect(named.User?.UserId).toMatch(/^AIDA[A-Z2-7]{17}$/);
    expect(named.User?.CreateDate).toBeInstanceOf(Date);
    const self = await client.send(new GetUserCommand({}));
    expect(self.User?.Arn).toBe(named.User?.Arn);
    await expect(client.send(new GetUserCommand({ UserName: "nobody" }))).rejects.toMatchObject({
      name: "NoSuchEntityException",
      message: "The user with name nobody cannot be found.",
      $metadata: { httpStatusCode: 404 },
    });
  });

  test("a user's inline and attached policies page through IsTruncated/Marker; documents come URL-encoded", async () => {
    const names: string[] = [];
    for await (const page of paginateListUserPolicies({ client }, { UserName: "deployer" })) {
      expect(page.PolicyNames?.length).toBeLessThanOrEqual(2);
      names.push(...(page.PolicyNames ?? []));
    }
    expect(names).toEqual(["one", "three", "two"]);
    const arns: string[] = [];
    for await (const page of paginateListAttachedUserPolicies({ client }, { UserName: "deployer" }))
      arns.push(...(page.AttachedPolicies ?? []).map((p) => p.PolicyArn ?? ""));
    expect(arns).toEqual([DEPLOY, ...customerPolicies]);
    const pages = users.requests.filter((r) => r.action === "ListAttachedUserPolicies");
    expect(pages).toHaveLength(3);
    expect(pages[1]?.params).toHaveProperty("Marker");
    const one = await client.send(new GetUserPolicyCommand({ UserName: "deployer", PolicyName: "one" }));
    expect(one.PolicyDocument).toMatch(/^%7B%22Version%22/);
    expect(JSON.parse(decodeURIComponent(one.PolicyDocument ?? ""))).toEqual(passRole);
    const two = await client.send(new GetUserPolicyCommand({ UserName: "deployer", PolicyName: "two" }));
    expect(decodeURIComponent(two.PolicyDocument ?? "")).toBe("{not json");
    await expect(
      client.send(new GetUserPolicyCommand({ UserName: "deployer", PolicyName: "zz" })),
    ).rejects.toMatchObject({
      name: "NoSuchEntityException",
      message: "The user policy with name zz cannot be found.",
    });
  });

  test("ListGroupsForUser pages; a group's inline and attached policies list and fetch", async () => {
    const groups: { GroupName?: string; Arn?: string; Path?: string }[] = [];
    for await (const page of paginateListGroupsForUser({ client }, { UserName: "deployer" }))
      groups.push(...(page.Groups ?? []));
    expect(groups.map((g) => g.GroupName)).toEqual(["g1", "g2", "g3"]);
    expect(groups[0]).toMatchObject({ Path: "/teams/", Arn: "arn:aws:iam::111122223333:group/teams/g1" });
    expect(users.requests.filter((r) => r.action === "ListGroupsForUser")).toHaveLength(2);
    const names: string[] = [];
    for await (const page of paginateListGroupPolicies({ client }, { GroupName: "g1" }))
      names.push(...(page.PolicyNames ?? []));
    expect(names).toEqual(["a", "b", "c"]);
    const arns: string[] = [];
    for await (const page of paginateListAttachedGroupPolicies({ client }, { GroupName: "g1" }))
      arns.push(...(page.AttachedPolicies ?? []).map((p) => p.PolicyArn ?? ""));
    expect(arns).toEqual([DEPLOY, ...customerPolicies]);
    const a = await client.send(new GetGroupPolicyCommand({ GroupName: "g1", PolicyName: "a" }));
    expect(a).toMatchObject({ GroupName: "g1", PolicyName: "a" });
    expect(JSON.parse(decodeURIComponent(a.PolicyDocument ?? ""))).toEqual(passRole);
    await expect(
      client.send(new GetGroupPolicyCommand({ GroupName: "nope", PolicyName: "a" })),
    ).rejects.toMatchObject({
      name: "NoSuchEntityException",
      message: "The group with name nope cannot be found.",
    });
  });

  test("a managed policy's default version need not be v1, and GetPolicy counts user and group attachments", async () => {
    const { Policy } = await client.send(new GetPolicyCommand({ PolicyArn: DEPLOY }));
    expect(Policy).toMatchObject({ DefaultVersionId: "v3", AttachmentCount: 2 });
    const { PolicyVersion } = await client.send(
      new GetPolicyVersionCommand({ PolicyArn: DEPLOY, VersionId: Policy?.DefaultVersionId }),
    );
    expect(JSON.parse(decodeURIComponent(PolicyVersion?.Document ?? ""))).toEqual(passRole);
  });

  test("GetAccountAuthorizationDetails pages users and groups (Filter), documents URL-encoded", async () => {
    const before = users.requests.length;
    const found = { users: [] as string[], groups: [] as string[], roles: 0 };
    let user:
      | { UserPolicyList?: { PolicyDocument?: string }[]; GroupList?: string[]; Path?: string }
      | undefined;
    for await (const page of paginateGetAccountAuthorizationDetails(
      { client },
      { Filter: ["User", "Group"] },
    )) {
      found.users.push(...(page.UserDetailList ?? []).map((u) => u.UserName ?? ""));
      found.groups.push(...(page.GroupDetailList ?? []).map((g) => g.GroupName ?? ""));
      found.roles += page.RoleDetailList?.length ?? 0;
      user ??= page.UserDetailList?.[0];
    }
    expect(found).toEqual({ users: ["deployer"], groups: ["g1", "g2", "g3"], roles: 0 });
    expect(user).toMatchObject({ Path: "/ci/", GroupList: ["g1", "g2", "g3"] });
    expect(user?.UserPolicyList?.[0]?.PolicyDocument).toMatch(/^%7B/);
    const pages = users.requests.slice(before);
    expect(pages).toHaveLength(2);
    expect(pages[0]?.params).toMatchObject({ "Filter.member.1": "User", "Filter.member.2": "Group" });
    expect(pages[1]?.params).toHaveProperty("Marker");
    await expect(
      client.send(new GetAccountAuthorizationDetailsCommand({ Filter: ["Robot" as "User"] })),
    ).rejects.toMatchObject({ name: "ValidationError" });
  });

  test("access-denied per action answers AccessDenied to that action only", async () => {
    users.setFaults([{ service: "iam", action: "ListGroupsForUser", kind: "access-denied" }]);
    try {
      await expect(
        client.send(new GetUserPolicyCommand({ UserName: "deployer", PolicyName: "one" })),
      ).resolves.toBeDefined();
      const pages = paginateListGroupsForUser({ client }, { UserName: "deployer" });
      await expect(pages.next()).rejects.toMatchObject({
        name: "AccessDenied",
        $metadata: { httpStatusCode: 403 },
      });
    } finally {
      users.setFaults([]);
    }
  });
});

test("the default caller is a user the fake serves, allowed to pass roles to ECS", async () => {
  const plain = await startFakeAws({ accountId: "111122223333" });
  const client = new IAMClient(plain.clientConfig());
  try {
    const { User } = await client.send(new GetUserCommand({ UserName: "preflight" }));
    expect(User?.Arn).toBe("arn:aws:iam::111122223333:user/preflight");
    const doc = await client.send(
      new GetUserPolicyCommand({ UserName: "preflight", PolicyName: "ecs-pass-role" }),
    );
    expect(decodeURIComponent(doc.PolicyDocument ?? "")).toContain(
      '"iam:PassedToService":"ecs.amazonaws.com"',
    );
  } finally {
    client.destroy();
    await plain.close();
  }
});
