import { InputError } from "../../errors.ts";

/**
 * The part of Terraform's JSON plan (`terraform show -json tfplan`, internal/command/jsonplan) the gate needs,
 * checked field by field; everything else (output_changes, checks, relevant_attributes, identities, …) is ignored.
 */

/** Format versions written by Terraform 0.12 ("0.1") to 1.9 and later ("1.2"), and by OpenTofu. */
export const SUPPORTED_FORMAT_VERSIONS = ["0.1", "0.2", "1.0", "1.1", "1.2"] as const;

export type Attributes = Record<string, unknown>;

const KNOWN_ACTIONS = new Set(["no-op", "create", "read", "update", "delete", "forget"]);

export interface ResourceChange {
  address: string;
  moduleAddress?: string;
  mode: string;
  type: string;
  name: string;
  /** A count index (number) or a for_each key (string). */
  index?: string | number;
  providerName?: string;
  /** Set for a deposed object (create_before_destroy left behind): it repeats the address. */
  deposed?: string;
  actions: string[];
  before: Attributes | null;
  after: Attributes | null;
  /** Leaves true where the value is known only after apply; such values are left out of `after`. */
  afterUnknown: Attributes;
  actionReason?: string;
}

export interface Plan {
  file: string;
  formatVersion: string;
  terraformVersion?: string;
  errored: boolean;
  resourceChanges: ResourceChange[];
  /** The `configuration` section, read only to tell attributes the configuration sets from computed copies. */
  configuration?: unknown;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function parsePlan(raw: unknown, file: string): Plan {
  const fail = (where: string, expected: string): never => {
    throw new InputError(`--plan ${file}: ${where}: expected ${expected}`);
  };
  const notPlan = (what: string): never => {
    throw new InputError(
      `--plan ${file}: ${what}, not a Terraform JSON plan; run: terraform plan -out tfplan && terraform show -json tfplan > plan.json`,
    );
  };
  if (!isObject(raw)) return notPlan("the JSON is not an object");
  if (typeof raw.format_version !== "string") return notPlan("no format_version");
  if (!("planned_values" in raw) && !("resource_changes" in raw)) {
    return notPlan(
      "values" in raw
        ? "this is a state (terraform show -json without a plan file)"
        : "no planned_values or resource_changes",
    );
  }
  const formatVersion = raw.format_version;
  if (!(SUPPORTED_FORMAT_VERSIONS as readonly string[]).includes(formatVersion)) {
    throw new InputError(
      `--plan ${file}: format_version "${formatVersion}" is not one this tool reads (${SUPPORTED_FORMAT_VERSIONS.join(", ")}); write the plan with a Terraform that does: terraform show -json tfplan > plan.json`,
    );
  }
  if (raw.errored !== undefined && typeof raw.errored !== "boolean") fail("errored", "true or false");
  const changes = raw.resource_changes ?? [];
  if (!Array.isArray(changes)) fail("resource_changes", "an array");
  const resourceChanges = (changes as unknown[]).map((c, i) =>
    parseChange(c, `resource_changes[${i}]`, fail),
  );
  return {
    file,
    formatVersion,
    ...(typeof raw.terraform_version === "string" ? { terraformVersion: raw.terraform_version } : {}),
    errored: raw.errored === true,
    resourceChanges,
    ...(raw.configuration !== undefined ? { configuration: raw.configuration } : {}),
  };
}

function parseChange(
  c: unknown,
  at: string,
  fail: (where: string, expected: string) => never,
): ResourceChange {
  if (!isObject(c)) return fail(at, "an object");
  for (const key of ["address", "type", "name"] as const)
    if (typeof c[key] !== "string" || !c[key]) fail(`${at}.${key}`, "a non-empty string");
  const change = c.change;
  if (!isObject(change)) return fail(`${at}.change`, "an object");
  const actions = change.actions;
  if (!Array.isArray(actions) || !actions.length || actions.some((a) => typeof a !== "string"))
    fail(`${at}.change.actions`, 'an array of action names such as ["delete"]');
  // jsonplan's action names (internal/command/jsonplan actionString); another is a plan this tool cannot judge.
  const unknownAction = (actions as string[]).find((a) => !KNOWN_ACTIONS.has(a));
  if (unknownAction !== undefined)
    fail(
      `${at}.change.actions`,
      `Terraform's action names (${[...KNOWN_ACTIONS].join(", ")}), got "${unknownAction}"`,
    );
  const values = (key: "before" | "after"): Attributes | null => {
    const v = change[key];
    if (v === undefined || v === null) return null;
    if (!isObject(v)) return fail(`${at}.change.${key}`, "an object or null");
    return v;
  };
  const unknown = change.after_unknown;
  if (unknown !== undefined && unknown !== null && !isObject(unknown) && typeof unknown !== "boolean")
    fail(`${at}.change.after_unknown`, "an object");
  const index = c.index;
  return {
    address: c.address as string,
    ...(typeof c.module_address === "string" ? { moduleAddress: c.module_address } : {}),
    mode: typeof c.mode === "string" ? c.mode : "managed",
    type: c.type as string,
    name: c.name as string,
    ...(typeof index === "string" || typeof index === "number" ? { index } : {}),
    ...(typeof c.provider_name === "string" ? { providerName: c.provider_name } : {}),
    ...(typeof c.deposed === "string" ? { deposed: c.deposed } : {}),
    actions: actions as string[],
    before: values("before"),
    after: values("after"),
    // `after_unknown: true` (a whole object unknown) is rare; treat every attribute as unknown then.
    afterUnknown: isObject(unknown) ? unknown : unknown === true ? { "*": true } : {},
    ...(typeof c.action_reason === "string" ? { actionReason: c.action_reason } : {}),
  };
}
