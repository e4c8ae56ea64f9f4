import { infrastructureUse } from "../../src/analysis/infrastructure-uses.ts";
import { usePermissionMessages } from "../use-permissions-rule.ts";

/** vpc-lattice-permissions's wording, by message id: the shared per-use wording for vpc-lattice. */
export const messages = usePermissionMessages(infrastructureUse("vpc-lattice"));
