// The bundles the benchmark scripts run with plain node (Node 20 runs no TypeScript): bench/live.ts, the scenario
// runner with the fake AWS in it, and the CLI unminified for the CPU profiles. Used by bench/run.mjs and
// bench/timeline.mjs.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import { CLI_BUNDLE } from "../scripts/bundle-options.mjs";

/** bench/live.ts as one file in `dir`; returns its path. */
export function buildLiveScenario(dir) {
  return buildScenario(dir, "live");
}

/** bench/throttling.ts (the throttling storm) as one file in `dir`; returns its path. */
export function buildThrottlingScenario(dir) {
  return buildScenario(dir, "throttling");
}

async function buildScenario(dir, name) {
  const outfile = join(dir, `${name}.mjs`);
  await build({
    entryPoints: [`bench/${name}.ts`],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    logLevel: "warning",
    banner: {
      js: `import { createRequire } from "node:module"; const require = createRequire(import.meta.url);`,
    },
    // The fake reads its policy files next to its own source: keep import.meta.url pointing there.
    define: { "import.meta.url": JSON.stringify(pathToFileURL("test/fake-aws/builders.ts").href) },
  });
  return outfile;
}

/**
 * The CLI as scripts/build.mjs bundles it, with src/collect/retry.ts's text edited by `edit` (a variant of the retry
 * strategy, for bench/throttling.mjs); returns its bin.
 */
export async function buildRetryVariant(dir, name, edit) {
  const outdir = join(dir, `variant-${name}`);
  const retryVariant = {
    name: "retry-variant",
    setup(b) {
      b.onLoad({ filter: /src[\\/]collect[\\/]retry\.ts$/ }, async (args) => {
        const text = await readFile(args.path, "utf8");
        const edited = edit(text);
        if (edited === text) throw new Error(`retry variant ${name}: the edit changed nothing`);
        return { contents: edited, loader: "ts" };
      });
    },
  };
  await build({
    entryPoints: { "ecs-preflight": "src/cli/bin.ts" },
    outdir,
    ...CLI_BUNDLE,
    minify: true,
    plugins: [retryVariant, ...CLI_BUNDLE.plugins],
  });
  return join(outdir, "ecs-preflight.mjs");
}

/** The CLI as scripts/build.mjs bundles it, but not minified, so CPU profiles name the functions; returns its bin. */
export async function buildReadableCli(dir) {
  const outdir = join(dir, "readable");
  await build({
    entryPoints: { "ecs-preflight": "src/cli/bin.ts" },
    outdir,
    ...CLI_BUNDLE,
  });
  return join(outdir, "ecs-preflight.mjs");
}
