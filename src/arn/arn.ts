/** Parsed pieces of an ARN: arn:partition:service:region:account:resource. */
export interface ArnParts {
  partition: string;
  service: string;
  region: string;
  account: string;
  resource: string;
}

/**
 * The pieces of an ARN; undefined when it is not one. Memoised (the rules parse the same role, cluster and task ARNs
 * over and over: thousands of times on an account of 250 tasks), so the result is frozen: it is shared.
 */
export function parseArn(arn: string): Readonly<ArnParts> | undefined {
  const hit = parsed.get(arn);
  if (hit !== undefined) return hit ?? undefined;
  const parts = parseArnOnce(arn);
  if (parsed.size >= PARSED_LIMIT) parsed.clear();
  parsed.set(arn, parts ?? null);
  return parts;
}

const parsed = new Map<string, Readonly<ArnParts> | null>();
/** Enough for every ARN of a large account's run; past it the memo starts again (it only saves time). */
const PARSED_LIMIT = 16_384;

function parseArnOnce(arn: string): Readonly<ArnParts> | undefined {
  const parts = arn.split(":");
  if (parts.length < 6 || parts[0] !== "arn") return undefined;
  const [, partition = "", service = "", region = "", account = ""] = parts;
  return Object.freeze({ partition, service, region, account, resource: parts.slice(5).join(":") });
}

/** The role name from a role ARN (the last path segment) or the name itself. */
export function roleNameOf(ref: string): string {
  const parsed = parseArn(ref);
  if (!parsed) return ref;
  const path = parsed.resource.replace(/^role\//, "");
  return path.slice(path.lastIndexOf("/") + 1);
}

/**
 * Which role a name or ARN means: its account (the ARN's, else `account`) and lower-cased name. IAM role names
 * ignore case, and paths do not tell two roles apart.
 */
export function roleKey(arnOrName: string, account: string | undefined): string {
  const parsed = arnOrName.startsWith("arn:") ? parseArn(arnOrName) : undefined;
  return `${parsed?.account ?? account ?? ""}/${roleNameOf(arnOrName).toLowerCase()}`;
}

/** The last segment of an ECS ARN (cluster, service or task id), or the value itself. */
export function shortName(arnOrName: string): string {
  const parsed = parseArn(arnOrName);
  if (!parsed) return arnOrName;
  return parsed.resource.slice(parsed.resource.lastIndexOf("/") + 1);
}

/** The IAM path of a role ARN ("/teams/storage/"), "/" for a bare name or a root-path ARN. */
export function rolePathOf(ref: string): string {
  return /:role(\/.*\/)[^/]+$/.exec(ref)?.[1] ?? "/";
}
