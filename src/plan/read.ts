import { readFile } from "node:fs/promises";
import { InputError } from "../errors.ts";
import { type Plan, parsePlan } from "./parse.ts";

/** What to run instead, said in every refusal: the gate reads the JSON form of a saved plan. */
export const SHOW_JSON = "run: terraform plan -out tfplan && terraform show -json tfplan > plan.json";

/**
 * Decodes a plan file's bytes. `terraform show -json` writes UTF-8; Windows PowerShell's `>` rewrites it as UTF-16LE
 * with a byte-order mark, and some editors add a UTF-8 BOM.
 */
export function decodePlanBytes(bytes: Uint8Array): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder("utf-16le").decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder("utf-16be").decode(bytes.subarray(2));
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf)
    return new TextDecoder("utf-8").decode(bytes.subarray(3));
  // UTF-16LE without a BOM: ASCII JSON then has a NUL after every character.
  if (bytes.length >= 4 && bytes[0] !== 0 && bytes[1] === 0 && bytes[3] === 0)
    return new TextDecoder("utf-16le").decode(bytes);
  return new TextDecoder("utf-8").decode(bytes);
}

/** True for `terraform plan -json` output: JSON Lines of UI messages ({"@level","@message","type",…}). */
function isUiMessage(line: string): boolean {
  try {
    const v = JSON.parse(line) as Record<string, unknown>;
    return typeof v === "object" && v !== null && ("@message" in v || "@level" in v);
  } catch {
    return false;
  }
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
  if (bytes[0] === 0x50 && bytes[1] === 0x4b)
    throw new InputError(
      `--plan ${file}: this is a binary plan file (a zip archive), not its JSON form; ${SHOW_JSON}`,
    );
  const text = decodePlanBytes(bytes).trim();
  if (!text)
    throw new InputError(`--plan ${file}: the file is empty, not a Terraform JSON plan; ${SHOW_JSON}`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    const first = text.split("\n", 1)[0] ?? "";
    if (isUiMessage(first))
      throw new InputError(
        `--plan ${file}: this is the log of \`terraform plan -json\` (JSON Lines of UI messages), not a plan; ${SHOW_JSON}`,
      );
    throw new InputError(`--plan ${file}: not valid JSON (${(err as Error).message}); ${SHOW_JSON}`);
  }
  if (isUiMessage(text))
    throw new InputError(
      `--plan ${file}: this is the log of \`terraform plan -json\` (a UI message), not a plan; ${SHOW_JSON}`,
    );
  return parsePlan(raw, file);
}
