import { infrastructureUse } from "../../src/analysis/infrastructure-uses.ts";
import { usePermissionMessages } from "../use-permissions-rule.ts";

/** express-permissions's wording, by message id: the shared per-use wording for express. */
export const messages = usePermissionMessages(infrastructureUse("express"));
