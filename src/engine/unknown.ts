import type { FactError } from "../facts/types.ts";
import type { RuleFinding, UnknownDetails } from "./finding.ts";

const DENIED = /AccessDenied|UnauthorizedOperation|NotAuthorized/i;

/** The common wording of a check that could not be made, shared by every rule. */
export function couldNotCheck(what: string, error: FactError): string {
  const hint = DENIED.test(error.code) ? ` Grant the tool's credentials ${error.api}.` : "";
  return `Could not check ${what}: ${error.api} failed with ${error.code}: ${error.message}.${hint}`.replace(
    /\.\./g,
    ".",
  );
}

/** The finding for a check that could not be made: names the API, the error and, when denied, the permission. */
export function unknownFinding(
  resource: string,
  what: string,
  error: FactError,
): RuleFinding<UnknownDetails> & { details: UnknownDetails } {
  const denied = DENIED.test(error.code);
  return {
    status: "unknown",
    resource,
    message: couldNotCheck(what, error),
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
