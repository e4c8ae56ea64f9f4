import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * The one-way flow, enforced: collect/ (the only SDK user) → facts → rules/ over iam/ and analysis/ → engine/ →
 * report/ → cli/. Each layer lists what it may import; a new import across the flow fails here, not in review.
 */

const ROOT = join(import.meta.dirname, "../..");

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(ts|js)$/.test(e.name) && !e.name.endsWith(".d.ts"))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)));
}

/** Every module a file imports (static and dynamic), comments left out; relative ones as repository paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), "utf8")
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/^\s*\/\/.*$/gm, "");
  const specs = [...text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)"([^"]+)"/g)].map(
    (m) => m[1] as string,
  );
  return specs.map((s) => (s.startsWith(".") ? normalize(join(dirname(file), s)) : s));
}

/** Allowed import prefixes per layer (repository paths, or package names). Node built-ins are always allowed. */
const LAYERS: Record<string, string[]> = {
  "src/iam": ["src/iam/"],
  "src/facts": ["src/facts/"],
  // The managed policies ECS documents, bundled: a rule derives what it requires from the policy itself.
  "src/analysis": ["src/analysis/", "src/iam/", "src/facts/", "src/engine/types.ts", "fixtures/policies/"],
  rules: [
    "rules/",
    "src/analysis/",
    "src/iam/",
    "src/facts/",
    "src/engine/types.ts",
    "src/engine/unknown.ts",
    "src/duration.ts",
  ],
  // The config validates the volume price table a rule option carries (the default prices live with the domain).
  "src/engine": ["src/engine/", "src/facts/", "src/errors.ts", "src/analysis/volume-cost.ts"],
  "src/changes": ["src/changes/", "src/facts/", "src/analysis/arn.ts", "src/errors.ts"],
  "src/report": ["src/report/", "src/engine/", "src/analysis/", "src/facts/", "picocolors"],
};

describe("the one-way flow", () => {
  for (const [layer, allowed] of Object.entries(LAYERS)) {
    it(`${layer}/ imports only ${allowed.join(", ")}`, () => {
      const offending = sourceFiles(layer).flatMap((file) =>
        importsOf(file)
          .filter(
            (spec) => !spec.startsWith("node:") && !allowed.some((a) => spec === a || spec.startsWith(a)),
          )
          .map((spec) => `${file} → ${spec}`),
      );
      expect(offending).toEqual([]);
    });
  }

  it("only src/collect/ imports the AWS SDK", () => {
    const offending = [...sourceFiles("src"), ...sourceFiles("rules")]
      .filter((file) => !file.startsWith("src/collect/"))
      .flatMap((file) =>
        importsOf(file)
          .filter((spec) => spec.startsWith("@aws-sdk/") || spec.startsWith("@smithy/"))
          .map((spec) => `${file} → ${spec}`),
      );
    expect(offending).toEqual([]);
  });

  it("sees the imports it polices (a layer that imported nothing would pass vacuously)", () => {
    expect(importsOf("src/engine/evaluate.ts")).toContain("src/engine/run.ts");
    expect(importsOf("src/pipeline/facts-source.ts")).toContain("src/collect/index.ts");
  });
});
