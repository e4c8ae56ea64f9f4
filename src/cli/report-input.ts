import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import reportSchema from "../../schema/report.schema.json" with { type: "json" };
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
  return value as Report;
}
