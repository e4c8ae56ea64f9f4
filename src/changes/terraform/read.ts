import { readFile } from "node:fs/promises";
import { InputError } from "../../errors.ts";
import { decodeChangeFile } from "../decode.ts";
import type { ChangeFileFormat } from "../format.ts";
import { terraformChanges } from "./adapter.ts";
import { type Plan, parsePlan } from "./parse.ts";

/** What to run instead, said in every refusal: the gate reads the JSON form of a saved plan. */
export const SHOW_JSON = "run: terraform plan -out tfplan && terraform show -json tfplan > plan.json";

/** True for `terraform plan -json` output: JSON Lines of UI messages ({"@level","@message","type",…}). */
function isUiMessage(line: string): boolean {
  try {
    const v = JSON.parse(line) as Record<string, unknown>;
    return typeof v === "object" && v !== null && ("@message" in v || "@level" in v);
  } catch {
    return false;
  }
}

/** Terraform's other outputs a user may save by mistake: the binary plan, and the log of `terraform plan -json`. */
export function misfitPlan(file: string, bytes: Uint8Array, text: string): string | undefined {
  if (bytes[0] === 0x50 && bytes[1] === 0x4b)
    return `--plan ${file}: this is a binary plan file (a zip archive), not its JSON form; ${SHOW_JSON}`;
  const lines = text.split("\n");
  if (!isUiMessage(lines[0] ?? "")) return undefined;
  return lines.length > 1
    ? `--plan ${file}: this is the log of \`terraform plan -json\` (JSON Lines of UI messages), not a plan; ${SHOW_JSON}`
    : `--plan ${file}: this is the log of \`terraform plan -json\` (a UI message), not a plan; ${SHOW_JSON}`;
}

/** Reads and checks a Terraform JSON plan; anything else is one InputError line naming the file and what to run. */
export async function readPlan(file: string): Promise<Plan> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(
      `--plan ${file}: cannot read the plan (${code === "ENOENT" ? "no such file" : (code ?? String(err))})`,
    );
  }
  return parsePlanText(file, bytes);
}

export function parsePlanText(file: string, bytes: Uint8Array): Plan {
  const text = decodeChangeFile(bytes).trim();
  const misfit = misfitPlan(file, bytes, text);
  if (misfit) throw new InputError(misfit);
  if (!text)
    throw new InputError(`--plan ${file}: the file is empty, not a Terraform JSON plan; ${SHOW_JSON}`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new InputError(`--plan ${file}: not valid JSON (${(err as Error).message}); ${SHOW_JSON}`);
  }
  return parsePlan(raw, file);
}

/** A Terraform JSON plan among the formats `check --plan` reads: it is one when it has a format_version. */
export const TERRAFORM_PLAN: ChangeFileFormat = {
  name: "a Terraform JSON plan",
  howTo: SHOW_JSON,
  misfit: misfitPlan,
  whyNot(raw) {
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return "the JSON is not an object";
    return typeof (raw as { format_version?: unknown }).format_version === "string"
      ? undefined
      : "no format_version";
  },
  read: (raw, file) => terraformChanges(parsePlan(raw, file)),
};
