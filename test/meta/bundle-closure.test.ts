import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build, type Metafile } from "esbuild";
import { beforeAll, describe, expect, it } from "vitest";
import { CLI_BUNDLE } from "../../scripts/bundle-options.mjs";

/**
 * What the CLI compiles before a command's action runs (issue 18: nothing on the critical path but AWS). The CLI is
 * bundled as scripts/build.mjs bundles it (its metafile, nothing written), and each chunk's static closure is read:
 * main.ts defines every command, and each command's implementation, the pipelines, the rules and the report
 * formatters load with import() when an action runs (src/cli/commands/<command>-run.ts).
 */

let outputs: Metafile["outputs"];
beforeAll(async () => {
  const result = await build({
    entryPoints: { "ecs-preflight": "src/cli/bin.ts" },
    outdir: mkdtempSync(join(tmpdir(), "bundle-closure-")),
    ...CLI_BUNDLE,
    metafile: true,
    write: false,
  });
  outputs = (result.metafile as Metafile).outputs;
});

const chunkOf = (entryPoint: string): string => {
  const found = Object.keys(outputs).filter((k) => outputs[k]?.entryPoint === entryPoint);
  expect(found, entryPoint).toHaveLength(1);
  return found[0] as string;
};

/** The inputs a chunk and the chunks it imports statically hold: what loading it compiles. */
function staticInputs(chunk: string): Set<string> {
  const seen = new Set<string>();
  const walk = (k: string) => {
    if (seen.has(k)) return;
    seen.add(k);
    for (const i of outputs[k]?.imports ?? [])
      if (i.kind === "import-statement" && outputs[i.path]) walk(i.path);
  };
  walk(chunk);
  return new Set([...seen].flatMap((k) => Object.keys(outputs[k]?.inputs ?? {})));
}

const FORMATTERS = ["text", "json", "junit", "sarif", "markdown"].map((f) => `src/report/${f}.ts`);
const HEAVY = [/^rules\//, /^src\/(engine|changes|pipeline|analysis|iam|collect|snapshot)\//];
/** A package's files, wherever node_modules resolves to (the worktrees link the main checkout's). */
const pkg = (name: string) => new RegExp(`(^|/)node_modules/${name}/`);

describe("the CLI's static closure", () => {
  it("before an action runs (the entry and main.ts): the command definitions, commander, no implementation", () => {
    const loaded = new Set([
      ...staticInputs(chunkOf("src/cli/bin.ts")),
      ...staticInputs(chunkOf("src/cli/main.ts")),
    ]);
    const offending = [...loaded].filter(
      (input) =>
        HEAVY.some((re) => re.test(input)) ||
        FORMATTERS.includes(input) ||
        ["pino", "thread-stream", "sonic-boom", "ajv", "@aws-sdk/[^/]+", "@smithy/[^/]+"].some((p) =>
          pkg(p).test(input),
        ),
    );
    expect(offending).toEqual([]);
    // What it must hold, so that the check above cannot pass on a closure it failed to find.
    for (const input of ["src/cli/main.ts", "src/cli/commands/check.ts", "src/cli/commands/wait.ts"])
      expect(loaded).toContain(input);
    expect([...loaded].some((input) => pkg("commander").test(input))).toBe(true);
  });

  it("the build still holds what the actions load (the rules, the pipelines, every formatter)", () => {
    const all = new Set(Object.values(outputs).flatMap((o) => Object.keys(o.inputs)));
    for (const input of ["rules/index.ts", "src/pipeline/check.ts", "src/engine/evaluate.ts", ...FORMATTERS])
      expect(all).toContain(input);
  });

  it("check's own module leaves the pipeline, the rules and the formatters to the moment each is needed", () => {
    const loaded = [...staticInputs(chunkOf("src/cli/commands/check-run.ts"))];
    expect(loaded).toContain("src/cli/commands/check-run.ts");
    expect(
      loaded.filter(
        (i) => /^rules\/|^src\/(pipeline|collect|analysis|changes)\//.test(i) || FORMATTERS.includes(i),
      ),
    ).toEqual([]);
  });

  it("each report format loads its own formatter and no other", () => {
    const formatterInputs = (entry: string) =>
      [...staticInputs(chunkOf(entry))]
        .filter((i) => [...FORMATTERS, "src/report/targets-view.ts"].includes(i))
        .sort();
    for (const f of FORMATTERS) expect(formatterInputs(f), f).toEqual([f]);
    // A report over targets shows each target as text or Markdown.
    expect(formatterInputs("src/report/targets-view.ts")).toEqual([
      "src/report/markdown.ts",
      "src/report/targets-view.ts",
      "src/report/text.ts",
    ]);
  });
});
