import type { Rule } from "../src/engine/types.ts";
import cloudtrailErrors from "./cloudtrail-errors.ts";
import ecsScope from "./ecs-scope.ts";
import leakedVolumes from "./leaked-volumes.ts";
import managedPolicy from "./managed-policy.ts";
import passRole from "./pass-role.ts";
import plannedRoleChanges from "./planned-role-changes.ts";
import roleExists from "./role-exists.ts";
import roleInUse from "./role-in-use.ts";
import tasksDeprovisioning from "./tasks-deprovisioning.ts";
import tlsPermissions from "./tls-permissions.ts";
import trustPolicy from "./trust-policy.ts";
import volumePermissions from "./volume-permissions.ts";

/** Every rule, in the order reports list them. A test checks each has docs, tests and a README row. */
export const rules: readonly Rule[] = [
  ecsScope,
  roleExists,
  trustPolicy,
  volumePermissions,
  managedPolicy,
  tlsPermissions,
  passRole,
  tasksDeprovisioning,
  leakedVolumes,
  cloudtrailErrors,
  roleInUse,
  plannedRoleChanges,
];

export function findRule(id: string): Rule | undefined {
  return rules.find((r) => r.id === id);
}
