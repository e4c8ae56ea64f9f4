import { readFile } from "node:fs/promises";
import { InputError } from "../errors.ts";
import { decodeChangeFile } from "./decode.ts";
import type { ChangeFileFormat } from "./format.ts";
import type { ChangeList } from "./model.ts";

/**
 * `check --plan FILE`: whichever format the file is, told by its content; a file that is none of them is one
 * InputError line naming the file, what each format lacks, and what to run.
 */

function refusal(file: string, why: string, formats: readonly ChangeFileFormat[]): InputError {
  return new InputError(
    `--plan ${file}: ${why}; run: ${formats.map((f) => f.howTo.replace(/^run: /, "")).join(", or: ")}`,
  );
}

export function parseChangeText(
  file: string,
  bytes: Uint8Array,
  formats: readonly ChangeFileFormat[],
): ChangeList {
  const text = decodeChangeFile(bytes).trim();
  for (const f of formats) {
    const misfit = f.misfit(file, bytes, text);
    if (misfit) throw new InputError(misfit);
  }
  const names = formats.map((f) => f.name).join(" or ");
  if (!text) throw refusal(file, `the file is empty, not ${names}`, formats);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw refusal(file, `not valid JSON (${(err as Error).message})`, formats);
  }
  const whyNot: string[] = [];
  for (const f of formats) {
    const why = f.whyNot(raw);
    if (why === undefined) return f.read(raw, file);
    whyNot.push(`${f.name} (${why})`);
  }
  throw refusal(file, `neither ${whyNot.join(" nor ")}`, formats);
}

export async function readChangeFile(
  file: string,
  formats: readonly ChangeFileFormat[],
): Promise<ChangeList> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(
      `--plan ${file}: cannot read the plan (${code === "ENOENT" ? "no such file" : (code ?? String(err))})`,
    );
  }
  return parseChangeText(file, bytes, formats);
}
