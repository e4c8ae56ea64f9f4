import type { Plugin } from "esbuild";

/** The module's text with every `[_name]:` key whose name is a top-level string constant written as that string. */
export function literalSchemaKeys(text: string): string;
export const sdkSchemasPlugin: Plugin;
