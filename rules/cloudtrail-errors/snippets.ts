import { ATTACH_CLI, CFN_VOLUMES_POLICY, TF_VOLUMES_POLICY } from "../../src/analysis/role-templates.ts";
import type { RemediationSnippets } from "../../src/engine/rule.ts";

/** cloudtrail-errors: the refused calls are usually the volume permissions; read them, then fix the role. */
export const READ_FAILED_CALLS: RemediationSnippets = {
  awsCli: [
    "# what ECS was refused, newest first:",
    "aws cloudtrail lookup-events --lookup-attributes AttributeKey=Username,AttributeValue=ECSTaskVolumesForEBS " +
      "--output json | jq -r '.Events[].CloudTrailEvent | fromjson | select(.errorCode != null) | " +
      "[.eventTime, .eventName, .errorCode] | @tsv'",
    ATTACH_CLI,
  ].join("\n"),
  cloudFormation: CFN_VOLUMES_POLICY,
  terraform: TF_VOLUMES_POLICY,
};
