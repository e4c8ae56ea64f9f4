/**
 * What counts as a read of the audited account, spelled out: an action named Describe*, List* or Get*, or one of
 * the reads listed by name (CloudTrail's LookupEvents; IAM's SimulatePrincipalPolicy, access level Read in the
 * Service Authorization Reference: it evaluates policies and changes nothing). Anything else is a write, and only
 * `stop` may make one.
 */
const READ_PREFIXES = ["Describe", "List", "Get"] as const;
const READS_BY_NAME = new Set(["cloudtrail:LookupEvents", "iam:SimulatePrincipalPolicy"]);

/** `action` is "service:Name", e.g. "ecs:DescribeTasks". */
export function isReadAction(action: string): boolean {
  const name = action.slice(action.indexOf(":") + 1);
  return (
    READS_BY_NAME.has(action) ||
    READ_PREFIXES.some((p) => name.startsWith(p) && /^[A-Z]/.test(name.slice(p.length)))
  );
}
