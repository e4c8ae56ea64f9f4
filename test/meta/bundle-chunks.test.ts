import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { literalSchemaKeys } from "../../scripts/sdk-schemas-plugin.mjs";

/**
 * What a live check compiles before and during its first requests (issue 18: nothing on the critical path but AWS):
 * the bundle test/global-setup.ts built. Read as files, never timed.
 */
const text = (file: string) => readFileSync(join("dist", file), "utf8");
const chunks = readdirSync("dist/chunks").map((f) => `chunks/${f}`);

/** The files `file` imports statically, and theirs: what loading it compiles. */
function staticClosure(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  for (const [, path] of text(file).matchAll(/(?:^|[;}\s])import[^"(]*?from"\.\/(?:chunks\/)?([^"]+)"/g))
    staticClosure(`chunks/${path}`, seen);
  return seen;
}
const bytes = (files: Iterable<string>) => [...files].reduce((n, f) => n + text(f).length, 0);
const chunkNamed = (prefix: string) => {
  const found = chunks.find((f) => f.startsWith(`chunks/${prefix}-`));
  if (!found) throw new Error(`no ${prefix} chunk in dist/chunks`);
  return found;
};

describe("the bundle a live check loads", () => {
  it("the EC2 chunk adds at most 60 KB to what the collector loaded (the whole package's shapes were ≈900 KB)", () => {
    const collector = staticClosure(chunkNamed("collect"));
    const ec2 = [...staticClosure(chunkNamed("ec2-sdk"))].filter((f) => !collector.has(f));
    expect(ec2.length).toBeGreaterThan(0);
    expect(bytes(ec2)).toBeLessThan(60 * 1024);
    // The one EC2 module in the bundle: every EC2 read (DescribeRegions too) goes through it.
    expect(chunks.filter((f) => text(f).includes('"com.amazonaws.ec2"'))).toEqual([chunkNamed("ec2-sdk")]);
  });

  it("the CLI's entry and main chunk leave the snapshot validator and the SDK to the paths that use them", () => {
    const loaded = staticClosure(chunkNamed("main"));
    for (const file of staticClosure("ecs-preflight.mjs")) loaded.add(file);
    for (const file of loaded) {
      expect(text(file), file).not.toContain("ecs-preflight facts (snapshot file)");
      // No AWS service's shapes (each names its namespace): the SDK loads with the collector.
      expect(text(file), file).not.toContain('"com.amazonaws.');
    }
  });
});

describe("Node's built-ins in the bundle", () => {
  it("are loaded with require(), never imported: an ESM import of node:http runs its lazy getters (undici)", () => {
    const imported = [...chunks, "ecs-preflight.mjs"].flatMap((file) =>
      [...text(file).matchAll(/(?:^|[;}\s])import[^"(]*?from\s*"((?:node:)?[a-z_/]+)"/g)]
        // The banner's createRequire is the one import every chunk keeps.
        .filter(([, name]) => name !== "node:module")
        .map(([, name]) => `${file}: ${name}`),
    );
    expect(imported).toEqual([]);
    // A dynamic import() of one builds the same namespace (the SDK's handler imports node:http for http:// URLs).
    const dynamic = [...chunks, "ecs-preflight.mjs"].filter((file) => /\bimport\("node:/.test(text(file)));
    expect(dynamic).toEqual([]);
    // …but required where they are used (the require helper's name is minified): commander's, which loads with
    // the main chunk (in a chunk it shares with the commands' modules).
    expect([...staticClosure(chunkNamed("main"))].some((f) => /\w\("node:events"\)/.test(text(f)))).toBe(
      true,
    );
  });
});

describe("literalSchemaKeys (scripts/sdk-schemas-plugin.mjs)", () => {
  it("writes a computed key naming a string constant as that string, so unused shapes can be dropped", () => {
    const source = [
      'const _xN = "xmlName";',
      'const _eQN = "ec2QueryName";',
      "export var A$ = [3, n0, _A, 0, [_M], [[1, { [_eQN]: `Min`, [_xN]: _m }]]];",
    ].join("\n");
    expect(literalSchemaKeys(source)).toContain('[[1, { "ec2QueryName": `Min`, "xmlName": _m }]]');
  });

  it("leaves a computed key alone when its name is not a top-level string constant", () => {
    const source = 'const _n = 3;\nlet _l = "x";\nexport var B$ = [{ [_n]: 1, [_l]: 2, [_unknown]: 3 }];';
    expect(literalSchemaKeys(source)).toBe(source);
  });
});
