import { parseArn } from "../../arn/arn.ts";
import type { FactError } from "../../facts/types.ts";
import type { ChangeList } from "../model.ts";
import type { ChangeSet } from "./change-set.ts";
import { leavesChangesOut, mergeDescriptions } from "./merge.ts";
import { API, type StackScope } from "./resource.ts";
import { addStackChanges, emptyStackChanges, type StackChanges, stackChanges } from "./resources.ts";
import { type StackDeletionReading, stackDeletionChanges } from "./stack-deletion.ts";

/**
 * The CloudFormation adapter for change sets: a change set (a file, or described live with every nested stack's
 * change set) as the change model's ChangeList. A change set that is not CREATE_COMPLETE and AVAILABLE, or that
 * CloudFormation says may leave changes out, is incomplete: it never passes.
 */

/** What was read of one change set: its description with values, and when CloudFormation warned, the one without. */
export interface ChangeSetReading {
  set: ChangeSet;
  /** Described again without property values (the `[WARN] --include-property-values` case). */
  plain?: ChangeSet;
  /** The nested stacks' change sets, described the same way. */
  nested: ChangeSetReading[];
  /** Nested stacks the change set removes, read as a deletion (their resources and template). */
  removedStacks: StackDeletionReading[];
  /** What could not be read: a nested change set or a removed nested stack, by its id. */
  unread: { id: string; error: FactError }[];
}

export interface ChangeSetOptions {
  /** The change set file (`--plan FILE`). */
  file?: string;
  /** The template file the root stack is deployed from (`--template`). */
  template?: string;
}

/** Why a change set cannot be judged whole, or undefined when it can. */
function notReady(set: ChangeSet, merged: boolean): string | undefined {
  const name = set.name ?? set.id ?? `of stack ${set.stackName}`;
  const reason = set.statusReason ? ` (${set.statusReason})` : "";
  // Missing (a trimmed file, another command's output, a partial answer): whether it is whole is not known.
  const missing = [
    ...(set.status === undefined ? ["Status"] : []),
    ...(set.executionStatus === undefined ? ["ExecutionStatus"] : []),
  ];
  if (missing.length)
    return `change set ${name} has no ${missing.join(" and ")}, so whether it is complete and can run as described is not known (save the whole answer of describe-change-set)`;
  // Without its ARNs, the account and Region it belongs to cannot be checked against the facts read.
  if (!set.stackId && !set.id)
    return `change set ${name} has no StackId or ChangeSetId, so its account and Region are not known (save the whole answer of describe-change-set)`;
  if (set.status !== "CREATE_COMPLETE")
    return `change set ${name} is ${set.status}${reason}, not CREATE_COMPLETE`;
  if (set.executionStatus !== "AVAILABLE")
    return `change set ${name} has ExecutionStatus ${set.executionStatus}${reason}: it is not one that can run as described${set.executionStatus === "OBSOLETE" ? " (the stack changed since it was created)" : ""}`;
  if (!merged && leavesChangesOut(set))
    return `CloudFormation says change set ${name} may leave changes out${reason}; check --change-set describes it again without property values and merges the two`;
  if (set.nextToken)
    return `change set ${name} was saved with a NextToken: the changes after it are not in the file`;
  return undefined;
}

function scopeOf(set: ChangeSet, template?: string): StackScope {
  const arn = parseArn(set.stackId ?? set.id ?? "");
  return {
    stack: set.stackName,
    ...(template ? { template } : {}),
    ...(arn?.account ? { account: arn.account } : {}),
    partition: arn?.partition ?? "aws",
  };
}

/** One change set and, through its nested stacks, every one below it. */
function readingChanges(reading: ChangeSetReading, template?: string): StackChanges {
  const set = reading.plain ? mergeDescriptions(reading.set, reading.plain) : reading.set;
  const out = emptyStackChanges();
  const ready = notReady(set, reading.plain !== undefined);
  if (ready) out.incomplete.push(ready);
  const changes = stackChanges(scopeOf(set, template), set.changes, (change) => {
    const unread = reading.unread.find((u) => u.id === (change.changeSetId ?? change.physicalId));
    if (unread) {
      // The nested stack is then judged unknown (./resources.ts), and the reason stays with the change set.
      out.incomplete.push(
        `${set.stackName}/${change.logicalId}: ${unread.error.api} failed with ${unread.error.code}: ${unread.error.message}`,
      );
      return undefined;
    }
    if (change.action === "Remove") {
      const removed = reading.removedStacks.find((r) => r.stackId === change.physicalId);
      return removed ? stackDeletionChanges(removed) : undefined;
    }
    const nested = reading.nested.find((n) => n.set.id === change.changeSetId);
    return nested ? readingChanges(nested) : undefined;
  });
  addStackChanges(out, changes);
  return out;
}

export function changeSetChanges(reading: ChangeSetReading, options: ChangeSetOptions = {}): ChangeList {
  const changes = readingChanges(reading, options.template);
  const set = reading.set;
  const nestedIds = (r: ChangeSetReading): string[] =>
    r.nested.flatMap((n) => [...(n.set.id ? [n.set.id] : []), ...nestedIds(n)]);
  return {
    source: {
      format: "cloudformation",
      kind: "change-set",
      ...(options.file ? { file: options.file } : {}),
      stack: set.stackName,
      ...(set.stackId ? { stackId: set.stackId } : {}),
      ...(set.name ? { changeSetName: set.name } : {}),
      ...(set.id ? { changeSetId: set.id } : {}),
      nested: nestedIds(reading),
      ...(options.template ? { template: options.template } : {}),
    },
    ...(changes.incomplete.length ? { incomplete: changes.incomplete.join("; ") } : {}),
    api: API,
    touches: changes.touches,
    policies: changes.policies,
    reach: changes.reach,
    deletedServices: changes.deletedServices,
    deployedServices: changes.deployedServices,
  };
}
