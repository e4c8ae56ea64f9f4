import { readFileSync } from "node:fs";
import { parse, type Tags } from "yaml";

/**
 * Reads a CloudFormation YAML template as CloudFormation does: the short-form intrinsic tags (`!Sub`, `!GetAtt`, …)
 * become their long forms (`{"Fn::Sub": …}`), so a test can walk the template as plain data.
 */

const FUNCTIONS = [
  "Base64",
  "Cidr",
  "Equals",
  "FindInMap",
  "GetAZs",
  "If",
  "ImportValue",
  "Join",
  "Not",
  "And",
  "Or",
  "Select",
  "Split",
  "Sub",
  "Transform",
];

function longForm(name: string, value: unknown): Record<string, unknown> {
  if (name === "Ref") return { Ref: value };
  if (name === "Condition") return { Condition: value };
  if (name === "GetAtt") return { "Fn::GetAtt": typeof value === "string" ? value.split(".") : value };
  return { [`Fn::${name}`]: value };
}

const customTags: Tags = ["Ref", "Condition", "GetAtt", ...FUNCTIONS].flatMap((name) => [
  { tag: `!${name}`, resolve: (value: string) => longForm(name, value) },
  {
    tag: `!${name}`,
    collection: "seq" as const,
    resolve: (value: { toJSON(): unknown }) => longForm(name, value.toJSON()),
  },
  {
    tag: `!${name}`,
    collection: "map" as const,
    resolve: (value: { toJSON(): unknown }) => longForm(name, value.toJSON()),
  },
]);

export type Template = {
  Parameters?: Record<string, { Type: string; Default?: unknown }>;
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
};

export function parseTemplate(text: string): Template {
  return parse(text, { customTags }) as Template;
}

export function readTemplate(path: string): Template {
  return parseTemplate(readFileSync(path, "utf8"));
}
