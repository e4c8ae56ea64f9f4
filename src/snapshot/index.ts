import { chmod, readFile, writeFile } from "node:fs/promises";
import { InputError } from "../errors.ts";
import type { Facts } from "../facts/types.ts";

/** Reads and validates a snapshot file (a Facts object); any problem is an InputError naming the file. */
export async function readSnapshot(file: string): Promise<Facts> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(
      `${file}: cannot read snapshot (${code === "ENOENT" ? "no such file" : (code ?? String(err))})`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new InputError(`${file}: not valid JSON: ${(err as Error).message}`);
  }
  // The validator (≈150 KB of generated code) loads with the first snapshot read: a live check never compiles it.
  const { validateFacts } = await import("./validate.ts");
  return validateFacts(raw, file);
}

/** Writes facts as a snapshot, readable by the owner only (it describes the account's IAM in detail). */
export async function writeSnapshot(file: string, facts: Facts): Promise<void> {
  await writeFile(file, `${JSON.stringify(facts, null, 2)}\n`, { mode: 0o600 });
  await chmod(file, 0o600); // mode applies only when creating: an existing file keeps its own
}
