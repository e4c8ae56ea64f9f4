import type { CauseRules } from "../src/analysis/stuck-task-causes.ts";
import cloudtrailErrors from "./cloudtrail-errors/index.ts";
import roleExists from "./role-exists/index.ts";
import trustPolicy from "./trust-policy/index.ts";
import volumePermissions from "./volume-permissions/index.ts";

/**
 * The rules a stuck task's or a leaked volume's likely cause points to (tasks-deprovisioning, leaked-volumes): the
 * role checks that confirm it, and CloudTrail's failed calls. Named by the rules' own ids, so a rename follows.
 */
export const CAUSE_RULES: CauseRules = {
  exists: roleExists.id,
  trust: trustPolicy.id,
  permissions: volumePermissions.id,
  trail: cloudtrailErrors.id,
};
