import { InvalidArgumentError, Option } from "commander";
import { collectList } from "./options.ts";

/** Targets at once: the work waits on AWS, not on the CPU, but each target holds a few sockets. */
function concurrency(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 64)
    throw new InvalidArgumentError(`expected a whole number from 1 to 64, got "${value}"`);
  return n;
}

/** The account-Region flags of `check` and `targets` (DESIGN: Organisation scale). */
export function targetOptions(options: { concurrency: boolean } = { concurrency: true }): Option[] {
  return [
    new Option(
      "--accounts <ids>",
      "accounts to check (comma list or repeated); others than the caller's need --assume-role",
    )
      .argParser(collectList("a 12-digit account id"))
      .conflicts("allAccounts"),
    new Option(
      "--all-accounts",
      "every ACTIVE account of the organisation (organizations:ListAccounts, from the management or a delegated-administrator account)",
    ),
    new Option("--regions <regions>", "Regions to check (comma list or repeated); default: --region")
      .argParser(collectList("a Region"))
      .conflicts("allRegions"),
    new Option("--all-regions", "every Region enabled in each account (ec2:DescribeRegions)"),
    new Option(
      "--assume-role <name>",
      "role to assume in each account other than the caller's: arn:<partition>:iam::<account>:role/<name> (a path may lead the name)",
    ),
    new Option("--external-id <id>", "sts:ExternalId sent with each AssumeRole"),
    ...(options.concurrency
      ? [
          new Option("--concurrency <n>", "account-Regions checked at once (default: 8)").argParser(
            concurrency,
          ),
        ]
      : []),
  ];
}
