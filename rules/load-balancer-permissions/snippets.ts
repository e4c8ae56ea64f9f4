import { infrastructureUse } from "../../src/analysis/infrastructure-uses.ts";
import { attachUsePolicySnippets } from "../use-permissions-rule.ts";

/** load-balancer-permissions: the use's AWS managed policy attached. */
export const ATTACH_LOAD_BALANCER_POLICY = attachUsePolicySnippets(infrastructureUse("load-balancer"));
