// Bundles the CLI and the library into ESM files under dist/. The EC2 client (≈40 ms of start-up) is split
// into its own chunk, loaded only when a rule needs volume state. The library's declarations go to dist/types/
// (TypeScript 7 emits them); `--bundle-only` skips them where only the bundle runs (the tests' setup).
import { execFileSync } from "node:child_process";
import { chmod, rename, rm } from "node:fs/promises";
import { build } from "esbuild";

const bundleOnly = process.argv.includes("--bundle-only");

// Build beside dist/ and swap it in, so a concurrent run (tests in another terminal) never sees a half-built dist/.
const out = `dist.tmp-${process.pid}`;
await build({
  entryPoints: { "ecs-preflight": "src/cli/bin.ts", index: "src/index.ts" },
  outdir: out,
  outExtension: { ".js": ".mjs" },
  chunkNames: "chunks/[name]-[hash]",
  bundle: true,
  splitting: true,
  platform: "node",
  target: "node20",
  format: "esm",
  mainFields: ["module", "main"],
  minify: true,
  legalComments: "none",
  // Bundled CommonJS dependencies call require(); ESM has none, so give every chunk one.
  banner: {
    js: `import { createRequire as __ecsPreflightCreateRequire } from "node:module"; const require = __ecsPreflightCreateRequire(import.meta.url);`,
  },
  // Loaded with require() on a terminal only, when installed; the logs fall back to JSON without it.
  external: ["pino-pretty"],
  logLevel: "warning",
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
