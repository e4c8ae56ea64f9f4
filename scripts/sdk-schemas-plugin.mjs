// An esbuild plugin that lets the bundle keep only the AWS SDK schemas the tool uses.
//
// Each @aws-sdk/client-* package describes all of its shapes in dist-es/schemas/schemas_0.js as plain arrays, but
// their traits are objects with computed keys naming a string constant (`{ [_xN]: "volumeSet" }`). esbuild cannot
// prove that such a key has no side effect, so it keeps every shape of the package even when the tool imports one
// command: for EC2 that is ≈535 KB of the ≈540 KB the EC2 chunk held, compiled on every live check (≈120 ms on
// Node 20). Writing each such key as the string it names (`{ "xmlName": "volumeSet" }`) changes nothing at run time
// and lets the unused shapes go: EC2's schemas shrink to ≈6 KB for DescribeVolumes and DescribeRegions.
import { readFile } from "node:fs/promises";

const SCHEMAS =
  /@aws-sdk[\\/](?:client-[^\\/]+|nested-clients)[\\/]dist-es[\\/].*schemas[\\/]schemas_\d+\.js$/;

/** The module's text with every `[_name]:` key whose name is a top-level string constant written as that string. */
export function literalSchemaKeys(text) {
  const strings = new Map();
  for (const m of text.matchAll(/^const (_\w+) = ("[^"\\\n]*");$/gm)) strings.set(m[1], m[2]);
  return text.replace(/\[(_\w+)\]:/g, (key, name) => (strings.has(name) ? `${strings.get(name)}:` : key));
}

export const sdkSchemasPlugin = {
  name: "sdk-schemas",
  setup(build) {
    build.onLoad({ filter: SCHEMAS }, async (args) => ({
      contents: literalSchemaKeys(await readFile(args.path, "utf8")),
      loader: "js",
    }));
  },
};
