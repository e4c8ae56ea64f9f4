import type { Config } from "../engine/config.ts";
import type { Rule } from "../engine/rule.ts";

/**
 * The levels `stop`'s check starts from: the rules whose metadata says they judge nothing about stopping the named
 * tasks are off (a config that sets a level for one turns it back on).
 */
export function levelsForStop(rules: readonly Rule[]): Config["rules"] {
  return Object.fromEntries(rules.filter((r) => r.offWhenStopping).map((r) => [r.id, "off"]));
}
