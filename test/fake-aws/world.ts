import type { FakeAccount } from "./account.ts";
import { AwsError } from "./errors.ts";
import { createState, type FakeState, type PageSizes, stableId } from "./state.ts";

/**
 * Several accounts and Regions behind one server. A request is answered as the account its credentials belong to
 * (the SigV4 `Credential=AKID/date/REGION/service/aws4_request` access key id: the dummy key is the primary account,
 * an AssumeRole key the account of its role) and in its scope's Region. IAM and STS are global: they answer from the
 * account's first entry (its home).
 */

export interface FakeOrgMember {
  id: string;
  name?: string;
  /** ACTIVE (default), SUSPENDED or PENDING_CLOSURE. */
  status?: "ACTIVE" | "SUSPENDED" | "PENDING_CLOSURE";
  /** Which status field ListAccounts sends: `State` (default; `Status` was retired in September 2026), `Status`, or both. */
  fields?: "state" | "status" | "both";
}

export interface WorldOptions {
  /** Further account-Regions (an account id may repeat with other Regions); the primary account is the caller. */
  accounts?: FakeAccount[];
  /** Organizations ListAccounts answers these (default: every account the server knows, ACTIVE). */
  members?: FakeOrgMember[];
  /** EC2 DescribeRegions per account: the enabled Regions (default: the Regions its entries name). */
  enabledRegions?: Record<string, string[]>;
  /** Regions that exist but are not opted in (DescribeRegions with AllRegions=true shows them as not-opted-in). */
  notOptedInRegions?: string[];
  /** Lifetime of AssumeRole sessions in seconds, overriding DurationSeconds (0 = expired at once). */
  sessionSeconds?: number;
  /** S3 buckets that exist (objects start empty). */
  buckets?: string[];
}

export interface FakeSession {
  accessKeyId: string;
  accountId: string;
  roleArn: string;
  arn: string;
  userId: string;
  expiresAt: number;
}

export const DUMMY_ACCESS_KEY_ID = "AKIDFAKEAWSLOCALTEST";
const CREDENTIAL = /Credential=([^/,\s]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/;

export class FakeWorld {
  readonly primary: FakeState;
  private readonly states = new Map<string, FakeState>();
  private readonly homes = new Map<string, FakeState>();
  readonly sessions = new Map<string, FakeSession>();
  /** bucket -> key -> body */
  readonly buckets = new Map<string, Map<string, string>>();
  private issued = 0;

  constructor(
    primary: FakeAccount,
    readonly options: WorldOptions,
    private readonly pageSize: PageSizes,
    readonly now: () => Date,
  ) {
    this.primary = this.add(primary);
    for (const account of options.accounts ?? []) this.add(account);
    for (const bucket of options.buckets ?? []) this.buckets.set(bucket, new Map());
  }

  private add(account: FakeAccount): FakeState {
    const state = createState(account, this.pageSize, this.now);
    const key = `${state.accountId}/${state.region}`;
    if (this.states.has(key)) throw new Error(`fake-aws: account-Region ${key} given twice`);
    this.states.set(key, state);
    if (!this.homes.has(state.accountId)) this.homes.set(state.accountId, state);
    return state;
  }

  accountIds(): string[] {
    return [...this.homes.keys()];
  }

  /** The state for an account (known, or a member of the organisation) in a Region; empty when nothing is there. */
  stateFor(accountId: string, region: string, global: boolean): FakeState | undefined {
    const home = this.homes.get(accountId);
    if (!home) {
      if (!(this.options.members ?? []).some((m) => m.id === accountId)) return undefined;
      return this.add({ accountId, region });
    }
    // Without further accounts the fake is one account-Region, whatever Region a request is signed for (as before).
    if (global || !this.options.accounts) return home;
    return this.states.get(`${accountId}/${region}`) ?? this.add({ accountId, region });
  }

  regionsOf(accountId: string): string[] {
    const listed = this.options.enabledRegions?.[accountId];
    if (listed) return listed;
    return [...this.states.values()].filter((s) => s.accountId === accountId).map((s) => s.region);
  }

  /**
   * Who is asking and where: the state that answers a request, with the caller its credentials name. Unsigned
   * requests (no Authorization) are the primary account in its own Region.
   */
  resolve(authorization: string | undefined, global: boolean): FakeState {
    const scope = authorization ? CREDENTIAL.exec(authorization) : null;
    if (!scope) return this.primary;
    const [, accessKeyId = "", region = this.primary.region] = scope;
    const session = this.sessions.get(accessKeyId);
    if (!session) {
      if (accessKeyId.startsWith("ASIA"))
        throw new AwsError(
          "InvalidClientTokenId",
          "The security token included in the request is invalid.",
          403,
        );
      return this.stateFor(this.primary.accountId, region, global) ?? this.primary;
    }
    if (session.expiresAt <= this.now().getTime())
      throw new AwsError("ExpiredToken", "The security token included in the request is expired", 403);
    const state = this.stateFor(session.accountId, region, global);
    if (!state)
      throw new AwsError(
        "InvalidClientTokenId",
        "The security token included in the request is invalid.",
        403,
      );
    return { ...state, caller: { arn: session.arn, userId: session.userId } };
  }

  /** A new session for an assumed role. */
  issue(accountId: string, roleArn: string, sessionName: string, durationSeconds: number): FakeSession {
    this.issued += 1;
    const roleName = roleArn.slice(roleArn.lastIndexOf("/") + 1);
    const roleId = stableId("AROA", roleArn, 17);
    const seconds = this.options.sessionSeconds ?? durationSeconds;
    const session: FakeSession = {
      accessKeyId: stableId("ASIA", `${roleArn}#${this.issued}`, 16),
      accountId,
      roleArn,
      arn: `arn:aws:sts::${accountId}:assumed-role/${roleName}/${sessionName}`,
      userId: `${roleId}:${sessionName}`,
      expiresAt: this.now().getTime() + seconds * 1000,
    };
    this.sessions.set(session.accessKeyId, session);
    return session;
  }
}
