import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import reportSchema from "../../schema/report.schema.json" with { type: "json" };
import { summarise, verdictOf } from "../engine/verdict.ts";
import { InputError } from "../errors.ts";
import type { Report } from "../report/types.ts";

/** Reads a JSON report written by another run (for `merge`): anything that is not a report of this schema is exit 2. */

let validator: ValidateFunction | undefined;

function where(error: ErrorObject): string {
  const path = error.instancePath
    .split("/")
    .slice(1)
    .reduce((acc, part) => (/^\d+$/.test(part) ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part), "");
  const p = error.params as Record<string, unknown>;
  const what =
    error.keyword === "required"
      ? `missing required property "${p.missingProperty}"`
      : error.keyword === "additionalProperties"
        ? `unexpected property "${p.additionalProperty}"`
        : (error.message ?? error.keyword);
  return `${path || "(root)"}: ${what}`;
}

export function parseReport(text: string, name: string): Report {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new InputError(
      `${name}: not JSON (${(err as Error).message}); expected an ecs-preflight JSON report`,
    );
  }
  validator ??= new Ajv2020({ strict: false, allErrors: true }).compile(reportSchema);
  if (!validator(value)) {
    const first = validator.errors?.[0];
    throw new InputError(
      `${name}: not an ecs-preflight JSON report (schema/report.schema.json)${first ? `: ${where(first)}` : ""}`,
    );
  }
  return consistent(value as Report, name);
}

const same = (a: object, b: object) =>
  Object.entries(a).every(([k, v]) => (b as Record<string, unknown>)[k] === v);

/**
 * A report whose counts disagree with its findings was cut or edited: merge recomputes the verdict from the findings,
 * so a dropped failing finding (or one naming no target, which no target would keep) would otherwise pass.
 */
function consistent(report: Report, name: string): Report {
  const cut = `${name}: its summary disagrees with its findings (a partial or edited report); expected the report as a run wrote it`;
  for (const key of ["startedAt", "collectedAt"] as const)
    if (!Number.isFinite(Date.parse(report[key])))
      throw new InputError(`${name}: ${key}: expected an ISO 8601 time, got ${JSON.stringify(report[key])}`);
  if (!same(report.summary, summarise(report.findings))) throw new InputError(cut);
  if (!report.targets) return report;
  // A run over targets always has one: an empty list is a report cut down to nothing, which would merge as a pass.
  if (!report.targets.length)
    throw new InputError(
      `${name}: lists no target (targets is empty); expected the report as a run wrote it`,
    );
  const keys = new Set<string>();
  for (const t of report.targets) {
    const key = `${t.account}/${t.region}`;
    if (keys.has(key)) throw new InputError(`${name}: targets name ${key} twice`);
    keys.add(key);
  }
  report.findings.forEach((f, i) => {
    if (!keys.has(`${f.account}/${f.region}`))
      throw new InputError(
        `${name}: findings[${i}] names ${f.account}/${f.region}, which is none of its targets`,
      );
  });
  for (const t of report.targets) {
    const own = report.findings.filter((f) => f.account === t.account && f.region === t.region);
    if (!same(t.summary, summarise(own)) || (!t.error && t.verdict !== verdictOf(own)))
      throw new InputError(cut);
  }
  return report;
}
