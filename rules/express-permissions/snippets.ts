import { infrastructureUse } from "../../src/analysis/infrastructure-uses.ts";
import { attachUsePolicySnippets } from "../use-permissions-rule.ts";

/** express-permissions: the use's AWS managed policy attached. */
export const ATTACH_EXPRESS_POLICY = attachUsePolicySnippets(infrastructureUse("express"));
