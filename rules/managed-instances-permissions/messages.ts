import { infrastructureUse } from "../../src/analysis/infrastructure-uses.ts";
import { usePermissionMessages } from "../use-permissions-rule.ts";

/** managed-instances-permissions's wording, by message id: the shared per-use wording for managed-instances. */
export const messages = usePermissionMessages(infrastructureUse("managed-instances"));
