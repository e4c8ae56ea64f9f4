import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * Where newcomers edit, no function is longer than a screen: split it by what each part decides. Biome's
 * noExcessiveLinesPerFunction measures the bodies (blank lines not counted); this test runs it on the folders below.
 * Extend the list as a folder is brought under the limit.
 */
const SHORT_FUNCTION_FOLDERS = ["rules", "src/pipeline"];

/** The most lines a function body may have there. */
const MAX_FUNCTION_LINES = 60;

const ROOT = join(import.meta.dirname, "../..");
const biome = join(createRequire(import.meta.url).resolve("@biomejs/biome/package.json"), "../bin/biome");

/** Biome's diagnostics for the rule alone, as `path:line` of each function over the limit. */
function longFunctions(paths: readonly string[], maxLines: number): string[] {
  const dir = mkdtempSync(join(tmpdir(), "function-length-"));
  writeFileSync(
    join(dir, "biome.json"),
    JSON.stringify({
      files: { includes: ["**", "!**/*.test.ts"] },
      formatter: { enabled: false },
      assist: { enabled: false },
      linter: {
        enabled: true,
        rules: {
          recommended: false,
          complexity: {
            noExcessiveLinesPerFunction: { level: "error", options: { maxLines, skipBlankLines: true } },
          },
        },
      },
    }),
  );
  let out: string;
  try {
    out = execFileSync(
      biome,
      ["lint", `--config-path=${dir}`, "--reporter=github", "--max-diagnostics=none", ...paths],
      {
        cwd: ROOT,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
  } catch (err) {
    // Biome exits 1 when it reports: its stdout still holds the diagnostics.
    out = String((err as { stdout?: string }).stdout ?? "");
  }
  return [
    ...out.matchAll(/^::error title=lint\/complexity\/noExcessiveLinesPerFunction,file=([^,]+),line=(\d+)/gm),
  ].map((m) => `${relative(ROOT, m[1] as string)}:${m[2]}`);
}

describe("function length", () => {
  it(`no function over ${MAX_FUNCTION_LINES} lines in ${SHORT_FUNCTION_FOLDERS.join(", ")}`, () => {
    const long = longFunctions(SHORT_FUNCTION_FOLDERS, MAX_FUNCTION_LINES);
    expect(long).toEqual([]);
  });

  it("sees a long function (the check would pass vacuously otherwise)", () => {
    expect(longFunctions(["rules/role-exists/index.ts"], 5)).not.toEqual([]);
  });
});
