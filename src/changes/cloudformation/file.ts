import type { ChangeFileFormat } from "../format.ts";
import { changeSetChanges } from "./adapter.ts";
import { parseChangeSet } from "./change-set.ts";

/** What to run instead, said in every refusal: the JSON the AWS CLI prints for a change set, with its values. */
export const DESCRIBE_CHANGE_SET =
  "run: aws cloudformation describe-change-set --stack-name STACK --change-set-name NAME --include-property-values --output json > change-set.json";

/**
 * A change set saved as JSON among the formats `check --plan` reads: told by DescribeChangeSet's own keys. Its
 * nested stacks' change sets are not in the file, so a nested stack's changes are unknown (check --change-set
 * describes them).
 */
export const CHANGE_SET_FILE: ChangeFileFormat = {
  name: "a CloudFormation change set",
  howTo: DESCRIBE_CHANGE_SET,
  misfit: () => undefined,
  whyNot(raw) {
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return "the JSON is not an object";
    const o = raw as Record<string, unknown>;
    return typeof o.ChangeSetId === "string" || (Array.isArray(o.Changes) && typeof o.StackName === "string")
      ? undefined
      : "no ChangeSetId, or Changes and StackName";
  },
  read: (raw, file) =>
    changeSetChanges(
      { set: parseChangeSet(raw, `--plan ${file}`), nested: [], removedStacks: [], unread: [] },
      { file },
    ),
};
