// Starts the fake AWS (test/fake-aws, TypeScript) as a plain Node process: esbuild bundles its entry first,
// because Node 20 runs no TypeScript. Usage: node scripts/smoke/fake-aws.mjs <dir>  (see test/support/fake-aws-process.ts)
import { mkdtempSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";

const out = join(mkdtempSync(join(tmpdir(), "fake-aws-")), "fake-aws.mjs");
await build({
  entryPoints: [new URL("../../test/support/fake-aws-process.ts", import.meta.url).pathname],
  outfile: out,
  bundle: true,
  platform: "node",
  format: "esm",
  packages: "external",
  logLevel: "warning",
  // The fake reads its policy documents beside its sources: keep each module's own import.meta.url.
  plugins: [
    {
      name: "source-import-meta-url",
      setup(b) {
        b.onLoad({ filter: /\.ts$/ }, async ({ path }) => ({
          contents: (await readFile(path, "utf8")).replaceAll(
            "import.meta.url",
            JSON.stringify(pathToFileURL(path).href),
          ),
          loader: "ts",
        }));
      },
    },
  ],
});
await import(pathToFileURL(out).href);
