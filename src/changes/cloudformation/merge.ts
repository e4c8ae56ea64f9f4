import type { ChangeSet, ResourceChange } from "./change-set.ts";
import { INCOMPLETE_VALUES_WARNING } from "./change-set.ts";

/**
 * CloudFormation may leave resource changes out of a description with property values, saying so only in a
 * StatusReason starting `[WARN] --include-property-values`. Described again without values, the change set lists
 * them: as the CDK does (aws-cdk-cli toolkit-lib change-set-describer.ts, mergeDescriptions), the description with
 * values is the base and what only the other has is put back, marked as seen without values.
 */

export function leavesChangesOut(set: ChangeSet): boolean {
  return set.statusReason?.includes(INCOMPLETE_VALUES_WARNING) ?? false;
}

export function mergeDescriptions(detailed: ChangeSet, plain: ChangeSet): ChangeSet {
  const seen = new Set(detailed.changes.map((c) => c.logicalId));
  const restored: ResourceChange[] = plain.changes
    .filter((c) => !seen.has(c.logicalId))
    .map((c) => ({ ...c, withoutValues: true }));
  // The plain description's reason is the real one: the detailed one is the warning itself, answered by this merge.
  const { statusReason: _warning, ...rest } = detailed;
  return {
    ...rest,
    ...(plain.statusReason !== undefined ? { statusReason: plain.statusReason } : {}),
    changes: [...detailed.changes, ...restored],
  };
}
