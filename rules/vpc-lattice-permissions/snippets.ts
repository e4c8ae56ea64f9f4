import { infrastructureUse } from "../../src/analysis/infrastructure-uses.ts";
import { attachUsePolicySnippets } from "../use-permissions-rule.ts";

/** vpc-lattice-permissions: the use's AWS managed policy attached. */
export const ATTACH_VPC_LATTICE_POLICY = attachUsePolicySnippets(infrastructureUse("vpc-lattice"));
