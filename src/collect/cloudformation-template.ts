import type { Fact } from "../facts/types.ts";

/**
 * A template body as GetTemplate answers it: JSON, or YAML with CloudFormation's short-form tags (`!Ref X`,
 * `!GetAtt A.B`, `!Sub`, …) read as the long form ({"Ref": "X"}, {"Fn::GetAtt": ["A", "B"]}). The YAML reader loads
 * only for a YAML body.
 */

const FUNCTIONS = [
  "Base64",
  "Cidr",
  "FindInMap",
  "GetAZs",
  "ImportValue",
  "Join",
  "Select",
  "Split",
  "Sub",
  "Transform",
  "And",
  "Equals",
  "If",
  "Not",
  "Or",
];

interface Collection {
  toJSON(): unknown;
}
type Tag =
  | { tag: string; resolve: (value: string) => unknown }
  | { tag: string; collection: "seq" | "map"; resolve: (node: Collection) => unknown };

function shortForms(): Tag[] {
  const forms = (name: string, key: string, scalar: (s: string) => unknown = (s) => s): Tag[] => [
    { tag: `!${name}`, resolve: (s: string) => ({ [key]: scalar(s) }) },
    { tag: `!${name}`, collection: "seq", resolve: (n: Collection) => ({ [key]: n.toJSON() }) },
    { tag: `!${name}`, collection: "map", resolve: (n: Collection) => ({ [key]: n.toJSON() }) },
  ];
  return [
    ...FUNCTIONS.flatMap((f) => forms(f, `Fn::${f}`)),
    ...forms("Ref", "Ref"),
    ...forms("Condition", "Condition"),
    ...forms("GetAtt", "Fn::GetAtt", (s) => s.split(".")),
  ];
}

export async function parseTemplateBody(body: string | undefined, api: string): Promise<Fact<unknown>> {
  if (!body?.trim())
    return { ok: false, error: { api, code: "EmptyTemplate", message: "GetTemplate returned no body" } };
  try {
    return { ok: true, value: JSON.parse(body) };
  } catch {
    // Not JSON: a YAML template.
  }
  try {
    const { parse } = await import("yaml");
    return { ok: true, value: parse(body, { customTags: shortForms() as never[] }) };
  } catch (err) {
    const message = (err as Error).message.split("\n", 1)[0] ?? String(err);
    return { ok: false, error: { api, code: "MalformedTemplate", message } };
  }
}
