import type { ResourceChange } from "./parse.ts";

/**
 * Whether the configuration itself sets an attribute of a resource (jsonconfig: `configuration.root_module`, its
 * `module_calls.<name>.module`, each resource's `expressions`). The AWS provider fills `managed_policy_arns` and
 * `inline_policy` of aws_iam_role from what is attached today when the configuration leaves them out: only a
 * configured one says what the role will have.
 */
export function configures(
  configuration: unknown,
  rc: ResourceChange,
  attribute: string,
): boolean | undefined {
  const root = (configuration as { root_module?: unknown } | undefined)?.root_module;
  if (!isObject(root)) return undefined;
  let module: Record<string, unknown> | undefined = root;
  // module.a["k"].module.b[0] → a, b: the configuration has one module block per call, whatever its instances.
  for (const m of (rc.moduleAddress ?? "").matchAll(/module\.([^.[\]]+)(?:\[[^\]]*\])?/g)) {
    const calls: unknown = module?.module_calls;
    const call: unknown = isObject(calls) ? calls[m[1] as string] : undefined;
    module = isObject(call) && isObject(call.module) ? call.module : undefined;
  }
  if (!module) return undefined;
  const resources = Array.isArray(module.resources) ? module.resources : [];
  const resource = resources.find(
    (r: unknown) => isObject(r) && r.address === `${rc.type}.${rc.name}` && (r.mode ?? "managed") === rc.mode,
  ) as Record<string, unknown> | undefined;
  if (!resource) return undefined;
  return isObject(resource.expressions) && attribute in resource.expressions;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
