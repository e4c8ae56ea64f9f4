import { describe, expect, it } from "vitest";
import { listTargets, validateTargetFlags, wantsTargets } from "../../src/targets/account-regions.ts";

describe("listTargets", () => {
  it("crosses accounts with their Regions once each; only other accounts assume the role", () => {
    expect(
      listTargets({
        accounts: ["111122223333", "444455556666", "111122223333"],
        regionsOf: (a) => (a === "111122223333" ? ["us-east-1", "eu-west-1", "us-east-1"] : ["us-east-1"]),
        callerAccount: "111122223333",
        partition: "aws-us-gov",
        assumeRole: "audit/EcsPreflight",
      }),
    ).toEqual([
      { account: "111122223333", region: "us-east-1" },
      { account: "111122223333", region: "eu-west-1" },
      {
        account: "444455556666",
        region: "us-east-1",
        roleArn: "arn:aws-us-gov:iam::444455556666:role/audit/EcsPreflight",
      },
    ]);
  });
});

describe("validateTargetFlags", () => {
  const bad = (flags: Parameters<typeof validateTargetFlags>[0], message: RegExp) =>
    expect(() => validateTargetFlags(flags)).toThrow(message);

  it("refuses what cannot be planned, naming the flag", () => {
    bad({ accounts: ["444455556666"] }, /--accounts needs --assume-role/);
    bad({ allAccounts: true }, /--all-accounts needs --assume-role/);
    bad({ accounts: ["4444"], assumeRole: "r" }, /12-digit/);
    bad({ regions: ["Europe"] }, /--regions: expected Regions/);
    bad({ externalId: "abc" }, /--external-id is sent with AssumeRole/);
    bad({ assumeRole: "arn:aws:iam::1:role/x" }, /--assume-role: expected a role name/);
    bad({ assumeRole: "r", externalId: "x" }, /2 to 1224/);
  });

  it("accepts a role with a path and the caller's Regions alone", () => {
    expect(() =>
      validateTargetFlags({ assumeRole: "audit/EcsPreflight", accounts: ["444455556666"] }),
    ).not.toThrow();
    expect(() => validateTargetFlags({ regions: ["us-east-1", "eu-west-1"] })).not.toThrow();
    expect(wantsTargets({})).toBe(false);
    expect(wantsTargets({ regions: ["us-east-1"] })).toBe(true);
  });
});
