import {
  GetGroupPolicyCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  type IAMClient,
  paginateListAttachedGroupPolicies,
  paginateListAttachedUserPolicies,
  paginateListGroupPolicies,
  paginateListGroupsForUser,
  paginateListUserPolicies,
} from "@aws-sdk/client-iam";
import { parseArn, roleNameOf } from "../arn/arn.ts";
import type { PrincipalTarget } from "../arn/principal-arn.ts";
import type {
  AttachedPolicy,
  Fact,
  GroupFacts,
  InlinePolicy,
  PrincipalFacts,
  PrincipalIdentity,
  PrincipalSource,
} from "../facts/types.ts";
import { principalFromAuthorizationDetails } from "./authorization-details.ts";
import { mapLimit } from "./concurrency.ts";
import { gather } from "./fact.ts";
import { documentFact, type IamCollector } from "./iam.ts";

/**
 * The deploying principal's own policies, for pass-role: a role's through the IAM collector (GetRole, its policy
 * lists), a user's and its groups' here. Managed policies go through the collector's memo, fetched once per run.
 */

export interface PrincipalCollectorOptions {
  pageSize?: number;
  concurrency?: number;
  /** The account the credentials belong to: IAM answers for it only. */
  callerAccount?: string;
}

type Page<K extends string, V> = { [key in K]?: V[] };

/** A list call followed to its last page, then one Get per name: an inline policy set. */
async function inlineSet<P extends Page<"PolicyNames", string>>(
  listApi: string,
  pages: () => AsyncIterable<P>,
  getApi: string,
  get: (name: string) => Promise<{ PolicyDocument?: string | undefined }>,
  concurrency: number,
): Promise<Fact<InlinePolicy[]>> {
  return gather(listApi, async () => {
    const names: string[] = [];
    for await (const page of pages()) names.push(...(page.PolicyNames ?? []));
    return mapLimit(names, concurrency, async (name) => {
      const got = await gather(getApi, () => get(name));
      return {
        name,
        document: got.ok ? documentFact(getApi, got.value.PolicyDocument, `inline policy ${name}`) : got,
      };
    });
  });
}

async function attachedSet<
  P extends Page<"AttachedPolicies", { PolicyArn?: string | undefined; PolicyName?: string | undefined }>,
>(api: string, pages: () => AsyncIterable<P>): Promise<Fact<AttachedPolicy[]>> {
  return gather(api, async () => {
    const out: AttachedPolicy[] = [];
    for await (const page of pages())
      for (const p of page.AttachedPolicies ?? [])
        if (p.PolicyArn) out.push({ name: p.PolicyName ?? roleNameOf(p.PolicyArn), arn: p.PolicyArn });
    return out;
  });
}

function crossAccount(
  api: string,
  ref: string,
  account: string,
  callerAccount: string,
): Fact<PrincipalFacts> {
  return {
    ok: false,
    error: {
      api,
      code: "CrossAccountPrincipal",
      message: `principal ${ref} is in account ${account}, but the credentials are for account ${callerAccount}: IAM answers for its own account only`,
    },
  };
}

/**
 * IAM answers a name with its own account's entity: when the caller's account was not known beforehand, a principal
 * of another account is caught here, by the account of the ARN IAM answered with.
 */
function sameAccount(fact: Fact<PrincipalFacts>, ref: string, target: PrincipalTarget): Fact<PrincipalFacts> {
  if (!fact.ok || fact.value.kind === "unsupported" || target.kind === "unsupported") return fact;
  const answered = parseArn(fact.value.arn)?.account;
  if (answered === target.account) return fact;
  return crossAccount(
    fact.value.kind === "role" ? "iam:GetRole" : "iam:GetUser",
    ref,
    target.account,
    answered ?? "unknown",
  );
}

const DENIED = /AccessDenied|UnauthorizedOperation|NotAuthorized/i;

/** The first denied read among a principal's facts (its own, its policy lists, its groups' and their documents). */
function firstDenial(fact: Fact<PrincipalFacts>): string | undefined {
  if (!fact.ok) return DENIED.test(fact.error.code) ? fact.error.api : undefined;
  const p = fact.value;
  if (p.kind === "unsupported") return undefined;
  const sets: Fact<InlinePolicy[] | AttachedPolicy[]>[] = [p.inlinePolicies, p.attachedPolicies];
  if (p.kind === "user") {
    if (!p.groups.ok) return DENIED.test(p.groups.error.code) ? p.groups.error.api : undefined;
    for (const g of p.groups.value) sets.push(g.inlinePolicies, g.attachedPolicies);
  }
  for (const set of sets) {
    if (!set.ok) {
      if (DENIED.test(set.error.code)) return set.error.api;
      continue;
    }
    for (const item of set.value)
      if ("document" in item && !item.document.ok && DENIED.test(item.document.error.code))
        return item.document.error.api;
  }
  return undefined;
}

export class PrincipalCollector {
  constructor(
    private readonly client: IAMClient,
    private readonly iam: IamCollector,
    private readonly options: PrincipalCollectorOptions = {},
  ) {}

  /**
   * The principal's facts; when a read the direct calls needed was denied, GetAccountAuthorizationDetails (which
   * audit policies often grant on its own) stands in, and when that fails too the first denial is the answer.
   */
  async collect(
    ref: string,
    source: PrincipalSource,
    target: PrincipalTarget,
  ): Promise<Fact<PrincipalFacts>> {
    const direct = await this.direct(ref, source, target);
    if (target.kind === "unsupported" || !firstDenial(direct)) return sameAccount(direct, ref, target);
    const listed = await principalFromAuthorizationDetails(this.paging(), ref, source, target);
    if (!listed) return direct;
    if (listed.ok) await this.fetchManaged(listed.value);
    return sameAccount(listed, ref, target);
  }

  private async direct(
    ref: string,
    source: PrincipalSource,
    target: PrincipalTarget,
  ): Promise<Fact<PrincipalFacts>> {
    if (target.kind === "unsupported")
      return { ok: true, value: { kind: "unsupported", ref, source, reason: target.reason } };
    const callerAccount = this.options.callerAccount;
    if (callerAccount && target.account !== callerAccount)
      return crossAccount(
        target.kind === "role" ? "iam:GetRole" : "iam:GetUser",
        ref,
        target.account,
        callerAccount,
      );
    if (target.kind === "role") return this.role(ref, source, target.name);
    return this.user(ref, source, target.name);
  }

  /** GetRole by name: an assumed-role ARN has no path, and the role's ARN (with its path) is what policies name. */
  private async role(ref: string, source: PrincipalSource, name: string): Promise<Fact<PrincipalFacts>> {
    const facts = await this.iam.role(name, []);
    if (!facts.role.ok) return facts.role;
    if (!facts.role.value.exists)
      return {
        ok: false,
        error: {
          api: "iam:GetRole",
          code: "NoSuchEntity",
          message: `the role ${name} (${ref}) does not exist`,
        },
      };
    const { arn, path, permissionsBoundaryArn } = facts.role.value;
    return {
      ok: true,
      value: {
        kind: "role",
        ref,
        source,
        arn,
        name: facts.role.value.name,
        path,
        ...(permissionsBoundaryArn ? { permissionsBoundaryArn } : {}),
        inlinePolicies: facts.inlinePolicies,
        attachedPolicies: facts.attachedPolicies,
      },
    };
  }

  private paging() {
    const pageSize = this.options.pageSize;
    return { client: this.client, ...(pageSize ? { pageSize } : {}) };
  }

  private async user(ref: string, source: PrincipalSource, name: string): Promise<Fact<PrincipalFacts>> {
    const concurrency = this.options.concurrency ?? 4;
    const user = await gather("iam:GetUser", () => this.client.send(new GetUserCommand({ UserName: name })));
    if (!user.ok) return user;
    const u = user.value.User;
    if (!u?.Arn || !u.UserName)
      return {
        ok: false,
        error: { api: "iam:GetUser", code: "MalformedResponse", message: "GetUser answered without a user" },
      };
    const UserName = u.UserName;
    const [inlinePolicies, attachedPolicies, groups] = await Promise.all([
      inlineSet(
        "iam:ListUserPolicies",
        () => paginateListUserPolicies(this.paging(), { UserName }),
        "iam:GetUserPolicy",
        (PolicyName) => this.client.send(new GetUserPolicyCommand({ UserName, PolicyName })),
        concurrency,
      ),
      attachedSet("iam:ListAttachedUserPolicies", () =>
        paginateListAttachedUserPolicies(this.paging(), { UserName }),
      ),
      this.groups(UserName, concurrency),
    ]);
    const boundary = u.PermissionsBoundary?.PermissionsBoundaryArn;
    const identity: PrincipalIdentity = {
      ref,
      source,
      arn: u.Arn,
      name: UserName,
      path: u.Path ?? "/",
      ...(boundary ? { permissionsBoundaryArn: boundary } : {}),
      inlinePolicies,
      attachedPolicies,
    };
    const value: PrincipalFacts = { kind: "user", ...identity, groups };
    await this.fetchManaged(value);
    return { ok: true, value };
  }

  /** Every managed policy the principal's permissions depend on, through the run's memo, so the rules find them. */
  private async fetchManaged(p: PrincipalFacts): Promise<void> {
    if (p.kind === "unsupported") return;
    const sets = [
      p.attachedPolicies,
      ...(p.kind === "user" && p.groups.ok ? p.groups.value.map((g) => g.attachedPolicies) : []),
    ];
    const arns = sets.flatMap((set) => (set.ok ? set.value.map((a) => a.arn) : []));
    if (p.permissionsBoundaryArn) arns.push(p.permissionsBoundaryArn);
    await Promise.all([...new Set(arns)].map((arn) => this.iam.managedPolicy(arn)));
  }

  private groups(UserName: string, concurrency: number): Promise<Fact<GroupFacts[]>> {
    return gather("iam:ListGroupsForUser", async () => {
      const groups: { name: string; arn: string }[] = [];
      for await (const page of paginateListGroupsForUser(this.paging(), { UserName }))
        for (const g of page.Groups ?? [])
          if (g.GroupName && g.Arn) groups.push({ name: g.GroupName, arn: g.Arn });
      return mapLimit(groups, concurrency, async ({ name: GroupName, arn }) => {
        const [inlinePolicies, attachedPolicies] = await Promise.all([
          inlineSet(
            "iam:ListGroupPolicies",
            () => paginateListGroupPolicies(this.paging(), { GroupName }),
            "iam:GetGroupPolicy",
            (PolicyName) => this.client.send(new GetGroupPolicyCommand({ GroupName, PolicyName })),
            concurrency,
          ),
          attachedSet("iam:ListAttachedGroupPolicies", () =>
            paginateListAttachedGroupPolicies(this.paging(), { GroupName }),
          ),
        ]);
        return { name: GroupName, arn, inlinePolicies, attachedPolicies };
      });
    });
  }
}
