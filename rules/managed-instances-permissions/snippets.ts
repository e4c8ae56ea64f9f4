import { infrastructureUse } from "../../src/analysis/infrastructure-uses.ts";
import { attachUsePolicySnippets } from "../use-permissions-rule.ts";

/** managed-instances-permissions: the use's AWS managed policy attached. */
export const ATTACH_MANAGED_INSTANCES_POLICY = attachUsePolicySnippets(
  infrastructureUse("managed-instances"),
);
