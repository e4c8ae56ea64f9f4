import { expect } from "vitest";
import type {
  DeployingPrincipal,
  Fact,
  Facts,
  GroupFacts,
  ManagedPolicy,
  PrincipalFacts,
  RoleReference,
  ServiceFacts,
} from "../../src/facts/types.ts";
import {
  ACCOUNT,
  deletedRole,
  err,
  facts,
  managed,
  ok,
  policy,
  REGION,
  role,
} from "../../test/support/facts.ts";
import { testRule } from "../../test/support/rule-tester.ts";
import rule from "./index.ts";

const INFRA = "ecsInfrastructureRole";
const INFRA_ARN = `arn:aws:iam::${ACCOUNT}:role/${INFRA}`;
const OTHER_ARN = `arn:aws:iam::${ACCOUNT}:role/otherInfra`;
const GROUP_POLICY = `arn:aws:iam::${ACCOUNT}:policy/deployers`;
const BOUNDARY = `arn:aws:iam::${ACCOUNT}:policy/boundaries/developer`;
const ROLE_POLICY = `arn:aws:iam::${ACCOUNT}:policy/deploy-role`;

/** The PassRole policy AWS documents, for `resource`; `service` replaces ecs.amazonaws.com. */
const documented = (
  resource: string | string[] = "arn:aws:iam::*:role/ecsInfrastructureRole",
  service = "ecs.amazonaws.com",
) =>
  policy({
    Action: "iam:PassRole",
    Effect: "Allow",
    Resource: resource,
    Condition: { StringEquals: { "iam:PassedToService": service } },
  });
const allowPassRole = (Resource: unknown, extra: Record<string, unknown> = {}) => ({
  Effect: "Allow",
  Action: "iam:PassRole",
  Resource,
  ...extra,
});
const nothing = policy({ Effect: "Allow", Action: "ecs:Describe*", Resource: "*" });

const inline = (docs: Record<string, unknown>) =>
  ok(Object.entries(docs).map(([name, document]) => ({ name, document: ok(document) })));
const attached = (...arns: string[]) => ok(arns.map((arn) => ({ name: arn.split("/").pop() ?? arn, arn })));
const none = () => ok([]);

interface UserSpec {
  path?: string;
  inline?: Record<string, unknown>;
  attached?: string[];
  boundaryArn?: string;
  groups?: Fact<GroupFacts[]>;
  ref?: string;
  source?: "flag" | "caller";
}
function user(name: string, spec: UserSpec = {}): Fact<PrincipalFacts> {
  const arn = `arn:aws:iam::${ACCOUNT}:user${spec.path ?? "/"}${name}`;
  return ok({
    kind: "user",
    ref: spec.ref ?? arn,
    source: spec.source ?? "caller",
    arn,
    name,
    path: spec.path ?? "/",
    ...(spec.boundaryArn ? { permissionsBoundaryArn: spec.boundaryArn } : {}),
    inlinePolicies: inline(spec.inline ?? {}),
    attachedPolicies: attached(...(spec.attached ?? [])),
    groups: spec.groups ?? none(),
  });
}
const group = (
  name: string,
  spec: { inline?: Record<string, unknown>; attached?: string[] } = {},
): GroupFacts => ({
  name,
  arn: `arn:aws:iam::${ACCOUNT}:group/${name}`,
  inlinePolicies: inline(spec.inline ?? {}),
  attachedPolicies: attached(...(spec.attached ?? [])),
});
function deployRole(
  name: string,
  spec: {
    path?: string;
    inline?: Record<string, unknown>;
    attached?: string[];
    ref?: string;
    source?: "flag" | "caller" | "created-by";
  } = {},
): Fact<PrincipalFacts> {
  const arn = `arn:aws:iam::${ACCOUNT}:role${spec.path ?? "/"}${name}`;
  return ok({
    kind: "role",
    ref: spec.ref ?? arn,
    source: spec.source ?? "flag",
    arn,
    name,
    path: spec.path ?? "/",
    inlinePolicies: inline(spec.inline ?? {}),
    attachedPolicies: attached(...(spec.attached ?? [])),
  });
}

function judged(
  principal: Fact<PrincipalFacts> | undefined,
  extra: { policies?: [string, Fact<ManagedPolicy>][]; roles?: ReturnType<typeof role>[] } = {},
): Facts {
  // Named with --principal (the checker only because it is named: the caller is never judged by default).
  const ref = principal?.ok ? principal.value.ref : `arn:aws:iam::${ACCOUNT}:user/deployer`;
  return facts(extra.roles ?? [role(INFRA)], {
    ...(principal ? { principals: [{ ref, origin: { kind: "flag" as const }, facts: principal }] } : {}),
    ...(extra.policies ? { policies: extra.policies } : {}),
  });
}

const remediationOf = (f: { remediation?: string } | undefined) => f?.remediation ?? "";

testRule(rule, {
  valid: [
    {
      name: "the caller is an assumed role whose role has a path: its real ARN (from GetRole) is what policies see",
      facts: judged(
        deployRole("deployer", {
          path: "/teams/platform/",
          ref: `arn:aws:sts::${ACCOUNT}:assumed-role/deployer/ci-run-42`,
          source: "caller",
          attached: [ROLE_POLICY],
          inline: {
            // Built from the STS ARN the path would be lost, and this Deny would apply.
            "only-platform": policy({
              Effect: "Deny",
              Action: "iam:PassRole",
              Resource: "*",
              Condition: { ArnNotLike: { "aws:PrincipalArn": "arn:aws:iam::*:role/teams/platform/*" } },
            }),
          },
        }),
        { policies: [managed(ROLE_POLICY, documented(), "v1")] },
      ),
      expect: { [INFRA_ARN]: "pass" },
      message: {
        [INFRA_ARN]:
          /role arn:aws:iam::111122223333:role\/teams\/platform\/deployer \(the caller, as arn:aws:sts::111122223333:assumed-role\/deployer\/ci-run-42\) may pass ecsInfrastructureRole/,
      },
    },
    {
      name: "an IAM user with a path, granted on its own ARN through aws:PrincipalArn",
      facts: judged(
        user("deployer", {
          path: "/ci/",
          inline: {
            pass: policy(
              allowPassRole("*", {
                Condition: {
                  StringEquals: {
                    "iam:PassedToService": "ecs.amazonaws.com",
                    "aws:PrincipalArn": `arn:aws:iam::${ACCOUNT}:user/ci/deployer`,
                  },
                },
              }),
            ),
          },
        }),
      ),
      expect: { [INFRA_ARN]: "pass" },
      message: { [INFRA_ARN]: /user arn:aws:iam::111122223333:user\/ci\/deployer \(the caller\)/ },
    },
    {
      name: "the grant comes only from a group's managed policy, at default version v3 (v1 granted nothing)",
      facts: judged(
        user("dev", { groups: ok([group("readers"), group("deployers", { attached: [GROUP_POLICY] })]) }),
        {
          policies: [managed(GROUP_POLICY, documented(`arn:aws:iam::${ACCOUNT}:role/ecs*`), "v3")],
        },
      ),
      expect: { [INFRA_ARN]: "pass" },
      message: {
        [INFRA_ARN]:
          /managed policy arn:aws:iam::111122223333:policy\/deployers \(v3\) statement 1 of group deployers/,
      },
    },
    {
      name: "role/* with no condition passes any role to any service, ECS included",
      facts: judged(
        deployRole("deployer", { inline: { all: policy(allowPassRole("arn:aws:iam::*:role/*")) } }),
      ),
      expect: { [INFRA_ARN]: "pass" },
      assert: ([f]) =>
        expect(f?.details).toMatchObject({ decision: "allow", passedToService: "ecs.amazonaws.com" }),
    },
    {
      name: "the documented policy verbatim, on a user's group's inline policy",
      facts: judged(user("dev", { groups: ok([group("deployers", { inline: { ecs: documented() } })]) })),
      expect: { [INFRA_ARN]: "pass" },
    },
    {
      name: "a deleted infrastructure role is left to role-exists",
      facts: judged(deployRole("deployer"), { roles: [deletedRole(INFRA)] }),
      expect: {},
    },
    {
      name: "the principal was not collected (rule off, or an older snapshot): nothing to report",
      facts: judged(undefined),
      expect: {},
    },
  ],
  invalid: [
    {
      name: "--principal names a deploy role with no grant, whatever the caller may do: fail, put-role-policy",
      facts: judged(deployRole("deployer", { inline: { ecs: nothing } })),
      expect: { [INFRA_ARN]: "fail" },
      message: {
        [INFRA_ARN]:
          /role arn:aws:iam::111122223333:role\/deployer may not pass ecsInfrastructureRole to ECS: no policy allows/,
      },
      assert: ([f]) => {
        const fix = remediationOf(f);
        expect(fix).toMatch(
          /^aws iam put-role-policy --role-name deployer --policy-name PassEcsInfrastructureRole --policy-document '/,
        );
        const document = JSON.parse(fix.slice(fix.indexOf("'") + 1, fix.lastIndexOf("'")));
        expect(document.Statement[0]).toEqual({
          Action: "iam:PassRole",
          Effect: "Allow",
          Resource: [INFRA_ARN],
          Condition: { StringEquals: { "iam:PassedToService": "ecs.amazonaws.com" } },
        });
      },
    },
    {
      name: "a grant conditioned on iam:PassedToService = ec2.amazonaws.com does not pass the role to ECS",
      facts: judged(
        user("dev", { inline: { ec2: documented("arn:aws:iam::*:role/*", "ec2.amazonaws.com") } }),
      ),
      expect: { [INFRA_ARN]: "fail" },
      assert: ([f]) => expect(remediationOf(f)).toMatch(/^aws iam put-user-policy --user-name dev /),
    },
    {
      name: "an explicit Deny in the user's inline policy on role/ecsInfrastructure* wins over the group's grant",
      facts: judged(
        user("dev", {
          inline: {
            guard: policy({
              Sid: "NoInfraRoles",
              Effect: "Deny",
              Action: "iam:PassRole",
              Resource: "arn:aws:iam::*:role/ecsInfrastructure*",
            }),
          },
          groups: ok([group("deployers", { inline: { all: policy(allowPassRole("*")) } })]),
        }),
      ),
      expect: { [INFRA_ARN]: "fail" },
      message: { [INFRA_ARN]: /denied by inline policy "guard" Sid "NoInfraRoles" of user dev/ },
      assert: ([f]) => {
        expect(remediationOf(f)).toContain("aws iam get-user-policy --user-name dev --policy-name guard");
        expect(remediationOf(f)).toContain('statement "NoInfraRoles"');
      },
    },
    {
      name: "the user's boundary at its default version v2 leaves iam:PassRole out (v1 had it)",
      facts: judged(user("dev", { boundaryArn: BOUNDARY, inline: { pass: documented() } }), {
        policies: [
          managed(
            BOUNDARY,
            policy({ Effect: "Allow", Action: ["ecs:*", "ec2:Describe*"], Resource: "*" }),
            "v2",
          ),
        ],
      }),
      expect: { [INFRA_ARN]: "fail" },
      message: {
        [INFRA_ARN]:
          /allowed by inline policy "pass" statement 1 of user dev, but the permissions boundary arn:aws:iam::111122223333:policy\/boundaries\/developer \(v2\) does not allow it/,
      },
      assert: ([f]) => {
        expect(remediationOf(f)).toContain("--version-id v2");
        expect(remediationOf(f)).toContain("aws iam delete-user-permissions-boundary --user-name dev");
        expect(remediationOf(f)).not.toContain("put-user-policy");
      },
    },
    {
      name: "a grant that hinges on a key a deployment's request may or may not carry is unknown, never a pass",
      facts: judged(
        deployRole("deployer", {
          inline: {
            ip: policy(allowPassRole("*", { Condition: { IpAddress: { "aws:SourceIp": "10.0.0.0/8" } } })),
          },
        }),
      ),
      expect: { [INFRA_ARN]: "unknown" },
      message: { [INFRA_ARN]: /only conditionally: .*aws:SourceIp/ },
    },
    {
      name: "the root user deploys: IAM does not limit it, so it may pass the role; a warning not to deploy as root",
      facts: judged(
        ok({
          kind: "unsupported",
          ref: `arn:aws:iam::${ACCOUNT}:root`,
          source: "caller",
          reason: "it is the account's root user, which IAM policies do not limit",
        }),
      ),
      expect: { [INFRA_ARN]: "warn" },
      message: {
        [INFRA_ARN]:
          /arn:aws:iam::111122223333:root, the account's root user: it may pass .* deployments should not run as root.*--principal/,
      },
    },
    {
      name: "--principal names a federated user: cannot be evaluated, said so",
      facts: judged(
        ok({
          kind: "unsupported",
          ref: `arn:aws:sts::${ACCOUNT}:federated-user/bob`,
          source: "flag",
          reason: "it is an STS federated user",
        }),
      ),
      expect: { [INFRA_ARN]: "unknown" },
      message: { [INFRA_ARN]: /federated-user\/bob may pass .*federated user/ },
    },
    {
      name: "GetUser denied: unknown, naming every permission the checker needs for a user",
      facts: judged(err("iam:GetUser")),
      expect: { [INFRA_ARN]: "unknown" },
      assert: ([f]) => {
        expect(f?.message).toMatch(/iam:GetUser failed with AccessDenied/);
        expect(f?.message).toMatch(
          /need iam:GetUser, iam:ListUserPolicies, .*iam:ListGroupsForUser, .*iam:GetPolicyVersion/,
        );
        expect(f?.details).toMatchObject({ missingPermission: "iam:GetUser" });
      },
    },
    {
      name: "a user's groups unreadable (ListGroupsForUser denied): unknown, not judged on the rest",
      facts: judged(
        user("dev", { inline: { all: policy(allowPassRole("*")) }, groups: err("iam:ListGroupsForUser") }),
      ),
      expect: { [INFRA_ARN]: "unknown" },
      message: { [INFRA_ARN]: /iam:ListGroupsForUser failed .* need iam:GetUser/ },
    },
    {
      name: "a role principal's managed policy unreadable: unknown, naming the role's permissions",
      facts: judged(deployRole("deployer", { attached: [ROLE_POLICY] }), {
        policies: [[ROLE_POLICY, err("iam:GetPolicyVersion")]],
      }),
      expect: { [INFRA_ARN]: "unknown" },
      message: {
        [INFRA_ARN]:
          /need iam:GetRole, iam:ListRolePolicies, iam:GetRolePolicy, iam:ListAttachedRolePolicies, iam:GetPolicy, iam:GetPolicyVersion\.$/,
      },
    },
    {
      name: "one finding per role: one granted by name, one not",
      facts: judged(deployRole("deployer", { inline: { one: documented(INFRA_ARN) } }), {
        roles: [role(INFRA), role("otherInfra")],
      }),
      expect: { [INFRA_ARN]: "pass", [OTHER_ARN]: "fail" },
    },
    {
      name: "an infrastructure role of another account: unknown, as the other rules say",
      facts: judged(deployRole("deployer", { inline: { all: policy(allowPassRole("*")) } }), {
        roles: [
          role("foreign", {
            role: err(
              "iam:GetRole",
              "CrossAccountRole",
              "role arn:aws:iam::444455556666:role/foreign is in account 444455556666",
            ),
          }),
        ],
      }),
      expect: { [`arn:aws:iam::${ACCOUNT}:role/foreign`]: "unknown" },
    },
  ],
});

// ---------------------------------------------------------------------------------------------
// Who deploys: the services' createdBy by default, --principal replacing it, the caller never by default.

const CLUSTER = `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/prod`;
const serviceArn = (name: string) => `arn:aws:ecs:${REGION}:${ACCOUNT}:service/prod/${name}`;
/** A createdBy as ECS gives it: the role's ARN without its path. */
const createdByArn = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;

function service(name: string, createdBy: string | undefined, roleArn = INFRA_ARN): ServiceFacts {
  return {
    arn: serviceArn(name),
    name,
    status: "ACTIVE",
    infrastructureRoles: [{ roleArn, use: "ebs", deploymentId: "ecs-svc/1" }],
    deploymentIds: ["ecs-svc/1"],
    ...(createdBy ? { createdBy } : {}),
  };
}

/** A principal found as the creator of `services`. */
const creator = (ref: string, services: string[], fact: Fact<PrincipalFacts>): DeployingPrincipal => ({
  ref,
  origin: { kind: "created-by", services: services.map(serviceArn) },
  facts: fact,
});
const flagged = (ref: string, fact: Fact<PrincipalFacts>): DeployingPrincipal => ({
  ref,
  origin: { kind: "flag" },
  facts: fact,
});

/** A deploy role at path /ci/, found by its path-less createdBy ARN. */
const ciRole = (name: string, inline: Record<string, unknown>) =>
  deployRole(name, { path: "/ci/", ref: createdByArn(name), source: "created-by", inline });

const serviceRef = (s: ServiceFacts): RoleReference => ({
  kind: "service",
  cluster: CLUSTER,
  service: s.name,
  use: "ebs",
});

/** Facts of one cluster's services and tasks' references, the roles they name, and the principals collected. */
function deployed(
  services: ServiceFacts[],
  principals: DeployingPrincipal[],
  extra: { roles?: ReturnType<typeof role>[]; ecs?: boolean } = {},
): Facts {
  const roles = extra.roles ?? [role(INFRA, { referencedBy: services.map(serviceRef) })];
  return facts(roles, {
    principals,
    ...(extra.ecs === false
      ? {}
      : {
          ecs: {
            clusters: ok([{ arn: CLUSTER, name: "prod", services: ok(services), tasks: ok([]) }]),
          },
        }),
  });
}

const web = service("web", createdByArn("deployer"));
const allowed = ciRole("deployer", { pass: documented(INFRA_ARN) });
const refused = ciRole("deployer", { other: nothing });
const taskRef: RoleReference = { kind: "task", cluster: CLUSTER, task: "t-1", status: "RUNNING" };

testRule(rule, {
  valid: [
    {
      name: "a read-only checker: the services' creator is judged, not the caller, and may pass the role",
      facts: deployed([web], [creator(createdByArn("deployer"), ["web"], allowed)]),
      expect: { [INFRA_ARN]: "pass" },
      message: {
        [INFRA_ARN]:
          /^role arn:aws:iam::111122223333:role\/ci\/deployer \(created web\) may pass ecsInfrastructureRole/,
      },
      assert: ([f]) =>
        expect(f?.details).toMatchObject({
          principal: { ref: createdByArn("deployer"), arn: `arn:aws:iam::${ACCOUNT}:role/ci/deployer` },
        }),
    },
    {
      name: "one creator of services naming two roles: each role's finding names only the services that name it",
      facts: deployed(
        [web, service("api", createdByArn("deployer"), OTHER_ARN)],
        [
          creator(
            createdByArn("deployer"),
            ["web", "api"],
            ciRole("deployer", { p: documented(INFRA_ARN), q: documented(OTHER_ARN) }),
          ),
        ],
        {
          roles: [
            role(INFRA, { referencedBy: [serviceRef(web)] }),
            role("otherInfra", {
              referencedBy: [{ kind: "service", cluster: CLUSTER, service: "api", use: "ebs" }],
            }),
          ],
        },
      ),
      expect: { [INFRA_ARN]: "pass", [OTHER_ARN]: "pass" },
      message: {
        [INFRA_ARN]: /\(created web\) may pass ecsInfrastructureRole/,
        [OTHER_ARN]: /\(created api\) may pass otherInfra/,
      },
    },
    {
      name: "--principal replaces the creators: only the named principal is judged",
      facts: deployed(
        [web],
        [
          flagged(
            `arn:aws:iam::${ACCOUNT}:role/release`,
            deployRole("release", { inline: { p: documented() } }),
          ),
        ],
      ),
      expect: { [INFRA_ARN]: "pass" },
      message: { [INFRA_ARN]: /^role arn:aws:iam::111122223333:role\/release may pass/ },
    },
    {
      name: "two creators, each judged only for the role its own services name",
      facts: deployed(
        [web, service("api", createdByArn("other"), OTHER_ARN)],
        [
          creator(createdByArn("deployer"), ["web"], allowed),
          creator(createdByArn("other"), ["api"], ciRole("other", { p: documented(OTHER_ARN) })),
        ],
        {
          roles: [
            role(INFRA, { referencedBy: [serviceRef(web)] }),
            role("otherInfra", {
              referencedBy: [{ kind: "service", cluster: CLUSTER, service: "api", use: "ebs" }],
            }),
          ],
        },
      ),
      expect: { [INFRA_ARN]: "pass", [OTHER_ARN]: "pass" },
      message: { [OTHER_ARN]: /role\/ci\/other \(created api\)/ },
    },
  ],
  invalid: [
    {
      name: "the deployer may not pass the role: fail, and the fix is for the deployer, never the checker",
      facts: deployed([web], [creator(createdByArn("deployer"), ["web"], refused)]),
      expect: { [INFRA_ARN]: "fail" },
      message: { [INFRA_ARN]: /role\/ci\/deployer \(created web\) may not pass ecsInfrastructureRole/ },
      assert: ([f]) => {
        expect(remediationOf(f)).toMatch(/^aws iam put-role-policy --role-name deployer /);
        expect(remediationOf(f)).not.toContain("audit");
      },
    },
    {
      name: "two deployers of one role, one denied: a finding each, the deployer named in its resource",
      facts: deployed(
        [web, service("api", createdByArn("intern"))],
        [
          creator(createdByArn("deployer"), ["web"], allowed),
          creator(createdByArn("intern"), ["api"], ciRole("intern", { other: nothing })),
        ],
        { roles: [role(INFRA, { referencedBy: [serviceRef(web)] })] },
      ),
      expect: {
        [`${INFRA_ARN} (deployer ${createdByArn("deployer")})`]: "pass",
        [`${INFRA_ARN} (deployer ${createdByArn("intern")})`]: "fail",
      },
      assert: (findings) =>
        expect(findings.find((f) => f.status === "fail")?.remediation).toMatch(/--role-name intern /),
    },
    {
      name: "a deployer whose policies cannot be read stays unknown, naming what the checker needs",
      facts: deployed([web], [creator(createdByArn("deployer"), ["web"], err("iam:GetRole"))]),
      expect: { [INFRA_ARN]: "unknown" },
      message: { [INFRA_ARN]: /iam:GetRole failed with AccessDenied.*need iam:GetRole/ },
    },
    {
      name: "a --principal that is the caller is judged like any other (only because it is named)",
      facts: deployed(
        [web],
        [
          flagged(
            `arn:aws:sts::${ACCOUNT}:assumed-role/audit/ci`,
            deployRole("audit", {
              ref: `arn:aws:sts::${ACCOUNT}:assumed-role/audit/ci`,
              inline: { r: nothing },
            }),
          ),
        ],
      ),
      expect: { [INFRA_ARN]: "fail" },
      assert: ([f]) => expect(remediationOf(f)).toMatch(/--role-name audit /),
    },
    {
      name: "nobody known because a cluster's services could not be listed: unknown, never skipped",
      facts: facts([role(INFRA, { referencedBy: [taskRef] })], {
        principals: [],
        ecs: {
          clusters: ok([{ arn: CLUSTER, name: "prod", services: err("ecs:ListServices"), tasks: ok([]) }]),
        },
      }),
      expect: { [INFRA_ARN]: "unknown" },
      message: {
        [INFRA_ARN]: /Could not check who deploys with ecsInfrastructureRole: ecs:ListServices failed/,
      },
    },
    {
      name: "nobody known and the role itself unreadable: unknown, as the role's other checks",
      facts: deployed([], [], {
        roles: [role(INFRA, { referencedBy: [taskRef], role: err("iam:GetRole") })],
      }),
      expect: { [INFRA_ARN]: "unknown" },
    },
  ],
  skipped: [
    {
      name: "only standalone tasks use the role: nobody known, skipped naming --principal",
      facts: deployed([], [], { roles: [role(INFRA, { referencedBy: [taskRef] })] }),
      expect: { [INFRA_ARN]: "skipped" },
      message: { [INFRA_ARN]: /Not judged .*only standalone tasks.*--principal ARN/ },
      assert: ([f]) => {
        expect(f?.remediation).toMatch(/--principal arn:aws:iam::ACCOUNT:role\/DEPLOYER/);
        expect(f?.details).toMatchObject({ flag: "--principal" });
      },
    },
    {
      name: "the services do not say who created them: skipped, saying so",
      facts: deployed([service("web", undefined)], []),
      expect: { [INFRA_ARN]: "skipped" },
      message: { [INFRA_ARN]: /services that name it \(web\) do not say who created them/ },
    },
    {
      name: "the creator no longer exists (NoSuchEntity): skipped, never fail or unknown",
      facts: deployed(
        [web],
        [
          creator(
            createdByArn("deployer"),
            ["web"],
            err("iam:GetRole", "NoSuchEntity", "the role deployer does not exist"),
          ),
        ],
      ),
      expect: { [INFRA_ARN]: "skipped" },
      message: { [INFRA_ARN]: /role\/deployer \(created web\) .*no longer exists.*--principal/ },
    },
    {
      name: "a --role-only check read no ECS: nobody known, skipped",
      facts: deployed([], [], { ecs: false }),
      expect: { [INFRA_ARN]: "skipped" },
      message: { [INFRA_ARN]: /ECS was not read/ },
    },
    {
      name: "facts of an earlier version hold only the caller it judged by default: the checker is not judged, skipped",
      facts: facts([role(INFRA, { referencedBy: [serviceRef(web)] })], {
        principal: deployRole("audit", {
          ref: `arn:aws:sts::${ACCOUNT}:assumed-role/audit/ci`,
          source: "caller",
          inline: { r: nothing },
        }),
        ecs: { clusters: ok([{ arn: CLUSTER, name: "prod", services: ok([web]), tasks: ok([]) }]) },
      }),
      expect: { [INFRA_ARN]: "skipped" },
      message: { [INFRA_ARN]: /earlier version of ecs-preflight.*checker is not judged unless named/ },
      assert: ([f]) => expect(f?.remediation ?? "").not.toMatch(/audit/),
    },
  ],
});
