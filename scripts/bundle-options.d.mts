import type { BuildOptions } from "esbuild";

/** How the CLI is bundled (scripts/build.mjs adds the entry points, minification and the output folder). */
export const CLI_BUNDLE: BuildOptions;
