import type { CollectOptions } from "../collect/index.ts";
import { type Config, EMPTY_CONFIG } from "../engine/config.ts";
import type { Rule } from "../engine/rule.ts";
import type { Facts, Scope } from "../facts/types.ts";
import type { Logger } from "../log.ts";
import { readSnapshot } from "../snapshot/index.ts";

/** Where a check's facts come from: facts in memory, a snapshot file, or AWS (the default). */
export interface FactsSource {
  scope: Scope;
  facts?: Facts;
  snapshot?: string;
  aws?: CollectOptions["aws"];
  collect?: Omit<CollectOptions, "scope" | "aws" | "log">;
  config?: Config;
  /** The rules the facts are for: what the enabled ones need is what is collected (default: every rule). */
  rules?: readonly Rule[];
  log?: Logger;
}

/**
 * What the enabled rules need read beyond the scope's roles and ECS, for `check`, `snapshot` and library callers
 * alike: a rule turned off is not collected for, so its permission is never asked for (and when no enabled rule
 * needs volumes, the EC2 client is never loaded).
 */
export function collectionFor(
  rules: readonly Rule[],
  config: Config,
): { trail: boolean; volumes: boolean; passRole: boolean; organizations: boolean } {
  const needed = new Set(
    rules.filter((r) => r.required || config.rules[r.id] !== "off").flatMap((r) => r.needs),
  );
  return {
    trail: needed.has("trail"),
    volumes: needed.has("volumes"),
    passRole: needed.has("principals"),
    organizations: needed.has("organizations"),
  };
}

/**
 * What every rule together needs read: collectionFor(every rule, a config that turns none off), known without loading
 * the rules (test/pipeline/rule-needs.test.ts keeps the two equal), so a check's first requests need not wait for them.
 */
export const EVERY_READ = { trail: true, volumes: true, passRole: true, organizations: true } as const;

/** What to collect for these rules and config; the rules load only when the config turns one off. */
async function readsFor(source: FactsSource): Promise<ReturnType<typeof collectionFor>> {
  const config = source.config ?? EMPTY_CONFIG;
  if (source.rules) return collectionFor(source.rules, config);
  if (!Object.values(config.rules).includes("off")) return { ...EVERY_READ };
  const { rules } = await import("../../rules/index.ts");
  return collectionFor(rules, config);
}

/** Gathers the facts a check evaluates, and says where they came from. */
export async function gatherFacts(
  source: FactsSource,
  now: Date,
): Promise<{ facts: Facts; source: "aws" | "snapshot" }> {
  // Without AWS there is no first request to wait for: what comes next may load while the facts are read.
  if (!source.aws || source.facts || source.snapshot) source.collect?.afterFirstRequest?.();
  if (source.facts) return { facts: source.facts, source: "aws" };
  if (source.snapshot) return { facts: await readSnapshot(source.snapshot), source: "snapshot" };
  if (!source.aws) throw new TypeError("check: pass aws settings, a snapshot or facts");
  // The AWS SDK loads only when AWS is called: snapshot checks, rules and explain start fast.
  const { collect } = await import("../collect/index.ts");
  const facts = await collect({
    ...(await readsFor(source)),
    ...source.collect,
    scope: source.scope,
    aws: source.aws,
    ...(source.log ? { log: source.log } : {}),
    now,
  });
  return { facts, source: "aws" };
}
