// How the CLI is bundled: one definition for scripts/build.mjs (the shipped, minified bundle) and the benchmark's
// readable copy (bench/bundles.mjs), so a profile measures the bundle users run.
import { builtinsPlugin } from "./builtins-plugin.mjs";
import { sdkSchemasPlugin } from "./sdk-schemas-plugin.mjs";

export const CLI_BUNDLE = {
  outExtension: { ".js": ".mjs" },
  chunkNames: "chunks/[name]-[hash]",
  bundle: true,
  splitting: true,
  platform: "node",
  target: "node20",
  format: "esm",
  mainFields: ["module", "main"],
  // Bundled CommonJS dependencies call require(); ESM has none, so give every chunk one.
  banner: {
    js: `import { createRequire as __ecsPreflightCreateRequire } from "node:module"; const require = __ecsPreflightCreateRequire(import.meta.url);`,
  },
  // Loaded with require() on a terminal only, when installed; the logs fall back to JSON without it.
  external: ["pino-pretty"],
  // Only the AWS SDK shapes the tool uses are bundled; Node's built-ins load through require() (see each plugin).
  plugins: [sdkSchemasPlugin, builtinsPlugin],
  logLevel: "warning",
};
