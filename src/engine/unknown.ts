import type { FactError } from "../facts/types.ts";
import type { RuleFinding } from "./types.ts";

const DENIED = /AccessDenied|UnauthorizedOperation|NotAuthorized/i;

/** The finding for a check that could not be made: names the API, the error and, when denied, the permission. */
export function unknownFinding(resource: string, what: string, error: FactError): RuleFinding {
  const denied = DENIED.test(error.code);
  const hint = denied ? ` Grant the tool's credentials ${error.api}.` : "";
  return {
    status: "unknown",
    resource,
    message:
      `Could not check ${what}: ${error.api} failed with ${error.code}: ${error.message}.${hint}`.replace(
        /\.\./g,
        ".",
      ),
    details: {
      api: error.api,
      code: error.code,
      error: error.message,
      ...(denied ? { missingPermission: error.api } : {}),
    },
    ...(denied
      ? {
          remediation: `Allow ${error.api} for the identity running ecs-preflight (see README: Permissions).`,
        }
      : {}),
  };
}
