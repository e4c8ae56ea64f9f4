import { rules as allRules } from "../../rules/index.ts";
import { leakedVolumeTotal } from "../analysis/volume-cost.ts";
import type { CollectOptions } from "../collect/index.ts";
import type { Facts, Scope } from "../facts/types.ts";
import type { Logger } from "../log.ts";
import { trailSummary } from "../report/trail.ts";
import type { Report } from "../report/types.ts";
import { readSnapshot } from "../snapshot/index.ts";
import { VERSION } from "../version.ts";
import { type Config, EMPTY_CONFIG } from "./config.ts";
import { runRules } from "./run.ts";
import type { Rule } from "./types.ts";
import { exitCodeFor, type FailOn, summarise, verdictOf } from "./verdict.ts";

export interface CheckOptions {
  scope: Scope;
  /** Where facts come from: a snapshot file, facts in memory, or AWS (the default). */
  snapshot?: string;
  facts?: Facts;
  aws?: CollectOptions["aws"];
  collect?: Omit<CollectOptions, "scope" | "aws" | "log">;
  config?: Config;
  failOn?: FailOn;
  stuckAfterMs?: number;
  rules?: readonly Rule[];
  log?: Logger;
}

export const DEFAULT_STUCK_AFTER_MS = 15 * 60_000;

/** Evaluates already-gathered facts into a report: the pure half of a check. */
export function evaluate(
  facts: Facts,
  options: Omit<CheckOptions, "facts" | "snapshot" | "aws" | "collect"> & {
    startedAt?: Date;
    source?: Report["scope"]["source"];
    snapshot?: string;
  },
): Report {
  const startedAt = options.startedAt ?? new Date();
  const config = options.config ?? EMPTY_CONFIG;
  const failOn = options.failOn ?? config.failOn ?? "fail";
  const findings = runRules(
    facts,
    options.rules ?? allRules,
    {
      now: new Date(facts.collectedAt),
      stuckAfterMs: options.stuckAfterMs ?? DEFAULT_STUCK_AFTER_MS,
      ...(config.prices ? { volumePrices: config.prices } : {}),
    },
    config,
    startedAt,
  );
  const verdict = verdictOf(findings);
  // Every leaked-volume finding carries monthlyCostUsd (null when unknown); a suppressed leak still costs money.
  const leaks = findings.filter(
    (f) => f.rule === "leaked-volumes" && f.details && "monthlyCostUsd" in f.details,
  );
  const leakedVolumes = leaks.length
    ? leakedVolumeTotal(leaks.map((f) => (f.details?.monthlyCostUsd as number | null | undefined) ?? null))
    : undefined;
  return {
    schemaVersion: 1,
    tool: { name: "ecs-preflight", version: VERSION },
    verdict,
    exitCode: exitCodeFor(verdict, failOn),
    failOn,
    region: facts.region,
    account: facts.caller.ok ? facts.caller.value.account : null,
    scope: {
      ...facts.scope,
      source: options.source ?? "aws",
      ...(options.snapshot ? { snapshot: options.snapshot } : {}),
    },
    startedAt: startedAt.toISOString(),
    collectedAt: facts.collectedAt,
    durationMs: Date.now() - startedAt.getTime(),
    summary: summarise(findings),
    findings,
    trail: trailSummary(facts),
    ...(leakedVolumes ? { leakedVolumes } : {}),
  };
}

/**
 * The whole check: gather facts (from AWS, a snapshot, or memory), run the rules, build the report.
 * `import { check } from "ecs-preflight"` is the same function the CLI calls.
 */
export async function check(options: CheckOptions): Promise<Report> {
  const startedAt = new Date();
  let facts: Facts;
  let source: Report["scope"]["source"] = "aws";
  if (options.facts) facts = options.facts;
  else if (options.snapshot) {
    facts = await readSnapshot(options.snapshot);
    source = "snapshot";
  } else {
    if (!options.aws) throw new TypeError("check: pass aws settings, a snapshot or facts");
    // The AWS SDK loads only when AWS is called: snapshot checks, rules and explain start fast.
    const { collect } = await import("../collect/index.ts");
    // A user who turned cloudtrail-errors off is not asked for cloudtrail:LookupEvents.
    const trail = (options.config ?? EMPTY_CONFIG).rules["cloudtrail-errors"] !== "off";
    // Likewise leaked-volumes and ec2:DescribeVolumes (and the EC2 client is then never loaded).
    const volumes = (options.config ?? EMPTY_CONFIG).rules["leaked-volumes"] !== "off";
    facts = await collect({
      trail,
      volumes,
      ...options.collect,
      scope: options.scope,
      aws: options.aws,
      ...(options.log ? { log: options.log } : {}),
      now: startedAt,
    });
  }
  return evaluate(facts, {
    ...options,
    startedAt,
    source,
    ...(options.snapshot ? { snapshot: options.snapshot } : {}),
  });
}
