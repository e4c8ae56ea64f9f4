import { infrastructureUse } from "../../src/analysis/infrastructure-uses.ts";
import { usePermissionMessages } from "../use-permissions-rule.ts";

/** load-balancer-permissions's wording, by message id: the shared per-use wording for load-balancer. */
export const messages = usePermissionMessages(infrastructureUse("load-balancer"));
