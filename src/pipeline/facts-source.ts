import type { CollectOptions } from "../collect/index.ts";
import { type Config, EMPTY_CONFIG } from "../engine/config.ts";
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
  log?: Logger;
}

/**
 * What a config lets the collector read, for `check`, `snapshot` and library callers alike: a rule turned off is not
 * collected for, so its permission is never asked for (and, for leaked-volumes, the EC2 client is never loaded).
 */
export function collectSwitches(config: Config): { trail: boolean; volumes: boolean; passRole: boolean } {
  return {
    trail: config.rules["cloudtrail-errors"] !== "off",
    volumes: config.rules["leaked-volumes"] !== "off",
    passRole: config.rules["pass-role"] !== "off",
  };
}

/** Gathers the facts a check evaluates, and says where they came from. */
export async function gatherFacts(
  source: FactsSource,
  now: Date,
): Promise<{ facts: Facts; source: "aws" | "snapshot" }> {
  if (source.facts) return { facts: source.facts, source: "aws" };
  if (source.snapshot) return { facts: await readSnapshot(source.snapshot), source: "snapshot" };
  if (!source.aws) throw new TypeError("check: pass aws settings, a snapshot or facts");
  // The AWS SDK loads only when AWS is called: snapshot checks, rules and explain start fast.
  const { collect } = await import("../collect/index.ts");
  const facts = await collect({
    ...collectSwitches(source.config ?? EMPTY_CONFIG),
    ...source.collect,
    scope: source.scope,
    aws: source.aws,
    ...(source.log ? { log: source.log } : {}),
    now,
  });
  return { facts, source: "aws" };
}
