import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  type IAMClient,
  paginateListAttachedRolePolicies,
  paginateListRolePolicies,
} from "@aws-sdk/client-iam";
import { parseArn, roleNameOf } from "../arn/arn.ts";
import type {
  AttachedPolicy,
  Fact,
  FactError,
  InlinePolicy,
  ManagedPolicy,
  PolicyDocument,
  RoleDetail,
  RoleFacts,
  RoleReference,
} from "../facts/types.ts";
import { decodePolicyDocument } from "../iam/decode.ts";
import { compareText } from "../order.ts";
import { mapLimit } from "./concurrency.ts";
import { gather, isNoSuchEntity } from "./fact.ts";

/** A policy document as IAM sent it (URL-encoded): decoded and parsed, or an error fact naming the API. */
export function documentFact(api: string, raw: string | undefined, what: string): PolicyDocument {
  if (raw === undefined)
    return {
      ok: false,
      error: { api, code: "MalformedResponse", message: `${what}: no document in the answer` },
    };
  const decoded = decodePolicyDocument(raw);
  return decoded.ok
    ? { ok: true, value: decoded.value }
    : { ok: false, error: { api, code: "MalformedPolicyDocument", message: `${what}: ${decoded.message}` } };
}

export interface IamCollectorOptions {
  /** Page size for list calls (IAM's MaxItems); IAM may return fewer. */
  pageSize?: number;
  concurrency?: number;
  /**
   * The account the credentials belong to (STS), when known: IAM answers only for that account. A promise lets
   * reads by name start before STS has answered.
   */
  callerAccount?: string | Promise<string | undefined>;
}

/** The facts of a role the credentials cannot see: every fact is the same error, so every rule is unknown. */
function unreachableRole(
  ref: string,
  name: string,
  referencedBy: RoleReference[],
  error: FactError,
): RoleFacts {
  const fact = { ok: false as const, error };
  return { ref, name, referencedBy, role: fact, attachedPolicies: fact, inlinePolicies: fact };
}

function crossAccount(ref: string, roleAccount: string, callerAccount: string): FactError {
  return {
    api: "iam:GetRole",
    code: "CrossAccountRole",
    message: `role ${ref} is in account ${roleAccount}, but the credentials are for account ${callerAccount}: IAM answers for its own account only, so run ecs-preflight with credentials for ${roleAccount} to check it`,
  };
}

/**
 * Collects roles and the managed policies they use. Each distinct managed policy (attached or boundary)
 * is fetched once per collector, however many roles share it.
 */
/** What IAM answers for a role name, before it is tied to the references that named it. */
type RoleAnswers = Pick<RoleFacts, "role" | "attachedPolicies" | "inlinePolicies">;

export class IamCollector {
  readonly managedPolicies = new Map<string, Promise<Fact<ManagedPolicy>>>();
  /** Reads by lower-cased name (IAM role names ignore case): a role seen twice, or early and then again, is read once. */
  private readonly reads = new Map<string, Promise<RoleAnswers>>();

  constructor(
    private readonly iam: IAMClient,
    private readonly options: IamCollectorOptions = {},
  ) {}

  async role(ref: string, referencedBy: RoleReference[]): Promise<RoleFacts> {
    const name = roleNameOf(ref);
    // GetRole takes a name and answers for the caller's account: a role ARN of another account must not be checked
    // as the caller's role of the same name.
    const refAccount = ref.startsWith("arn:") ? parseArn(ref)?.account : undefined;
    const callerAccount = refAccount ? await this.options.callerAccount : undefined;
    if (refAccount && callerAccount && refAccount !== callerAccount) {
      return unreachableRole(ref, name, referencedBy, crossAccount(ref, refAccount, callerAccount));
    }
    const facts: RoleFacts = { ref, name, referencedBy, ...(await this.read(name)) };
    const found =
      facts.role.ok && facts.role.value.exists ? parseArn(facts.role.value.arn)?.account : undefined;
    if (refAccount && found && found !== refAccount) {
      return unreachableRole(ref, name, referencedBy, crossAccount(ref, refAccount, found));
    }
    return facts;
  }

  /**
   * Starts reading a role of the caller's account by name, and the managed policies it uses; memoised, so the
   * scheduler can start it the moment the role is seen and `role()` later finds it read or under way.
   */
  read(name: string): Promise<RoleAnswers> {
    const key = name.toLowerCase();
    let pending = this.reads.get(key);
    if (!pending) {
      pending = this.readRole(name);
      this.reads.set(key, pending);
    }
    return pending;
  }

  /**
   * Starts reading the role a reference names, unless it is another account's (known once STS has answered):
   * IAM would answer for the caller's role of that name instead.
   */
  async prefetch(ref: string): Promise<void> {
    const refAccount = ref.startsWith("arn:") ? parseArn(ref)?.account : undefined;
    const callerAccount = refAccount ? await this.options.callerAccount : undefined;
    if (refAccount && callerAccount && refAccount !== callerAccount) return;
    await this.read(roleNameOf(ref));
  }

  private async readRole(name: string): Promise<RoleAnswers> {
    const pageSize = this.options.pageSize;
    const [role, attachedPolicies, inlinePolicies] = await Promise.all([
      this.getRole(name),
      gather<AttachedPolicy[]>("iam:ListAttachedRolePolicies", async () => {
        const out: AttachedPolicy[] = [];
        for await (const page of paginateListAttachedRolePolicies(
          { client: this.iam, ...(pageSize ? { pageSize } : {}) },
          { RoleName: name },
        )) {
          for (const p of page.AttachedPolicies ?? [])
            if (p.PolicyArn) out.push({ name: p.PolicyName ?? roleNameOf(p.PolicyArn), arn: p.PolicyArn });
        }
        return out;
      }),
      this.inlinePolicies(name),
    ]);
    const facts: RoleAnswers = { role, attachedPolicies, inlinePolicies };
    // Fetch what the role's permissions depend on now, so the rules find every policy in Facts.
    const arns = [
      ...(attachedPolicies.ok ? attachedPolicies.value.map((p) => p.arn) : []),
      ...(role.ok && role.value.exists && role.value.permissionsBoundaryArn
        ? [role.value.permissionsBoundaryArn]
        : []),
    ];
    await Promise.all(arns.map((arn) => this.managedPolicy(arn)));
    return facts;
  }

  private getRole(name: string): Promise<Fact<RoleDetail>> {
    return gather<RoleDetail>("iam:GetRole", async () => {
      try {
        const { Role: r } = await this.iam.send(new GetRoleCommand({ RoleName: name }));
        if (!r?.Arn || !r.RoleName)
          throw Object.assign(new Error("GetRole answered without a role"), { name: "MalformedResponse" });
        return {
          exists: true,
          arn: r.Arn,
          name: r.RoleName,
          path: r.Path ?? "/",
          roleId: r.RoleId ?? "",
          ...(r.CreateDate ? { createDate: r.CreateDate.toISOString() } : {}),
          trustPolicy: documentFact("iam:GetRole", r.AssumeRolePolicyDocument, "trust policy"),
          ...(r.PermissionsBoundary?.PermissionsBoundaryArn
            ? { permissionsBoundaryArn: r.PermissionsBoundary.PermissionsBoundaryArn }
            : {}),
          ...(r.Tags?.some((t) => t.Key)
            ? {
                tags: Object.fromEntries(
                  r.Tags.flatMap((t) => (t.Key ? [[t.Key, t.Value ?? ""] as const] : [])),
                ),
              }
            : {}),
        };
      } catch (err) {
        if (isNoSuchEntity(err)) return { exists: false };
        throw err;
      }
    });
  }

  private inlinePolicies(name: string): Promise<Fact<InlinePolicy[]>> {
    return gather<InlinePolicy[]>("iam:ListRolePolicies", async () => {
      const names: string[] = [];
      const pageSize = this.options.pageSize;
      for await (const page of paginateListRolePolicies(
        { client: this.iam, ...(pageSize ? { pageSize } : {}) },
        { RoleName: name },
      )) {
        names.push(...(page.PolicyNames ?? []));
      }
      return mapLimit(names, this.options.concurrency ?? 4, async (policyName) => {
        const got = await gather("iam:GetRolePolicy", () =>
          this.iam.send(new GetRolePolicyCommand({ RoleName: name, PolicyName: policyName })),
        );
        const document: PolicyDocument = got.ok
          ? documentFact("iam:GetRolePolicy", got.value.PolicyDocument, `inline policy ${policyName}`)
          : got;
        return { name: policyName, document };
      });
    });
  }

  /** GetPolicy, then GetPolicyVersion at the default version (never an older one); memoised per ARN. */
  managedPolicy(arn: string): Promise<Fact<ManagedPolicy>> {
    let pending = this.managedPolicies.get(arn);
    if (!pending) {
      pending = (async (): Promise<Fact<ManagedPolicy>> => {
        const policy = await gather("iam:GetPolicy", () =>
          this.iam.send(new GetPolicyCommand({ PolicyArn: arn })),
        );
        if (!policy.ok) return policy;
        const versionId = policy.value.Policy?.DefaultVersionId;
        if (!versionId) {
          return {
            ok: false,
            error: {
              api: "iam:GetPolicy",
              code: "MalformedResponse",
              message: `${arn}: no DefaultVersionId`,
            },
          };
        }
        const version = await gather("iam:GetPolicyVersion", () =>
          this.iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: versionId })),
        );
        if (!version.ok) return version;
        return {
          ok: true,
          value: {
            arn,
            name: policy.value.Policy?.PolicyName ?? roleNameOf(arn),
            defaultVersionId: versionId,
            document: documentFact(
              "iam:GetPolicyVersion",
              version.value.PolicyVersion?.Document,
              `${arn} ${versionId}`,
            ),
          },
        };
      })();
      this.managedPolicies.set(arn, pending);
    }
    return pending;
  }

  async collectedPolicies(): Promise<Record<string, Fact<ManagedPolicy>>> {
    const entries = await Promise.all(
      [...this.managedPolicies].map(async ([arn, p]) => [arn, await p] as const),
    );
    return Object.fromEntries(entries.sort(([a], [b]) => compareText(a, b)));
  }
}
