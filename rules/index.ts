import type { Rule } from "../src/engine/rule.ts";
import cloudtrailErrors from "./cloudtrail-errors/index.ts";
import ecsScope from "./ecs-scope/index.ts";
import expressPermissions from "./express-permissions/index.ts";
import leakedVolumes from "./leaked-volumes/index.ts";
import loadBalancerPermissions from "./load-balancer-permissions/index.ts";
import managedInstancesPermissions from "./managed-instances-permissions/index.ts";
import managedPolicy from "./managed-policy/index.ts";
import passRole from "./pass-role/index.ts";
import plannedRoleChanges from "./planned-role-changes/index.ts";
import roleExists from "./role-exists/index.ts";
import roleInUse from "./role-in-use/index.ts";
import tasksDeprovisioning from "./tasks-deprovisioning/index.ts";
import tlsPermissions from "./tls-permissions/index.ts";
import trustPolicy from "./trust-policy/index.ts";
import volumePermissions from "./volume-permissions/index.ts";
import vpcLatticePermissions from "./vpc-lattice-permissions/index.ts";

/** Every rule, in the order reports list them. A test checks each has docs, tests and a README row. */
export const rules: readonly Rule[] = [
  ecsScope,
  roleExists,
  trustPolicy,
  volumePermissions,
  managedPolicy,
  tlsPermissions,
  managedInstancesPermissions,
  expressPermissions,
  vpcLatticePermissions,
  loadBalancerPermissions,
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
