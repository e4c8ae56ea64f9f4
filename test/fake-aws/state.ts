import { createHash } from "node:crypto";
import type { AwsService, FakeAccount, FakeUser } from "./account.ts";

const DEFAULT_CALLER = "preflight";

/** The default caller may pass infrastructure roles to ECS (the policy AWS documents, for any role name). */
function defaultCaller(): FakeUser {
  return {
    name: DEFAULT_CALLER,
    inline: {
      "ecs-pass-role": {
        Version: "2012-10-17",
        Statement: [
          {
            Action: "iam:PassRole",
            Effect: "Allow",
            Resource: ["arn:aws:iam::*:role/*"],
            Condition: { StringEquals: { "iam:PassedToService": "ecs.amazonaws.com" } },
          },
        ],
      },
    },
  };
}

/** Page-size caps per service (tests use 2 to exercise every paginator). */
export type PageSizes = Partial<Record<Exclude<AwsService, "sts">, number>>;

/** What every service handler reads: the live account (a copy the server owns and StopTask mutates) and settings. */
export interface FakeState {
  account: FakeAccount;
  accountId: string;
  region: string;
  caller: { arn: string; userId: string };
  pageSize: PageSizes;
  /** The simulated clock (CloudTrail's default window, StopTask times). */
  now: () => Date;
}

export function createState(account: FakeAccount, pageSize: PageSizes, now: () => Date): FakeState {
  for (const [service, size] of Object.entries(pageSize)) {
    // A zero cap would page forever: every page empty, every page "truncated".
    if (size !== undefined && (!Number.isInteger(size) || size < 1)) {
      throw new Error(`fake-aws: pageSize.${service} must be a positive integer, got ${size}`);
    }
  }
  const copy = structuredClone(account);
  if (!copy.caller && !copy.users?.some((u) => u.name === DEFAULT_CALLER)) {
    copy.users = [...(copy.users ?? []), defaultCaller()];
  }
  return {
    account: copy,
    accountId: copy.accountId,
    region: copy.region ?? "us-east-1",
    caller: copy.caller ?? {
      arn: `arn:aws:iam::${copy.accountId}:user/${DEFAULT_CALLER}`,
      userId: stableId("AIDA", copy.accountId, 17),
    },
    pageSize,
    now,
  };
}

/** A deterministic id in AWS style (`AROA…`, `ANPA…`, hex task ids): same seed, same id, every run. */
export function stableId(
  prefix: string,
  seed: string,
  length: number,
  alphabet: "upper" | "hex" = "upper",
): string {
  const digest = createHash("sha256").update(seed).digest();
  const chars = alphabet === "hex" ? "0123456789abcdef" : "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let id = "";
  for (let i = 0; id.length < length; i++) id += chars[(digest[i % digest.length] ?? 0) % chars.length];
  return prefix + id;
}

/** ISO 8601 without milliseconds, as IAM and CloudTrail records write times. */
export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}
