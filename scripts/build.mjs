// Bundles the CLI and the library into ESM files under dist/. The EC2 client is split into its own chunk, loaded
// only when a rule needs volume state; only the SDK shapes the tool uses are bundled, and Node's built-ins load
// through require() (scripts/bundle-options.mjs). The library's declarations go to dist/types/
// (TypeScript 7 emits them); `--bundle-only` skips them where only the bundle runs (the tests' setup).
import { execFileSync } from "node:child_process";
import { chmod, rename, rm } from "node:fs/promises";
import { build } from "esbuild";
import { CLI_BUNDLE } from "./bundle-options.mjs";

const bundleOnly = process.argv.includes("--bundle-only");

// Build beside dist/ and swap it in, so a concurrent run (tests in another terminal) never sees a half-built dist/.
const out = `dist.tmp-${process.pid}`;
await build({
  entryPoints: { "ecs-preflight": "src/cli/bin.ts", index: "src/index.ts" },
  outdir: out,
  ...CLI_BUNDLE,
  minify: true,
  legalComments: "none",
});
await chmod(`${out}/ecs-preflight.mjs`, 0o755);
if (!bundleOnly) {
  const tsc = new URL("../node_modules/.bin/tsc", import.meta.url).pathname;
  execFileSync(tsc, ["-p", "tsconfig.types.json", "--outDir", `${out}/types`], { stdio: "inherit" });
}
const old = `dist.old-${process.pid}`;
await rename("dist", old).catch(() => {});
await rename(out, "dist");
await rm(old, { recursive: true, force: true });
