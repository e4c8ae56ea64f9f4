import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * The one-way flow, enforced: collect/ (the only SDK user) → facts → rules/ over analysis/ and iam/ → engine/ →
 * report/ → pipeline/ → cli/. Every folder under src/ (and every file at its root) and rules/ declares what it may
 * import, dependency-cruiser style; a new folder without a declaration, an import across the flow, a folder cycle or
 * a file circle fails here, not in review.
 */

const ROOT = join(import.meta.dirname, "../..");

function sourceFiles(dir: string): string[] {
  // A rule's table test sits beside it (rules/<id>/<id>.test.ts) but is no part of the layer it tests.
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(ts|js)$/.test(e.name) && !/\.(d|test)\.ts$/.test(e.name))
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

/** The layer a repository path belongs to: a folder of src/, a file at src/'s root, rules/, or itself. */
function layerOf(path: string): string {
  const [top, second, third] = path.split("/");
  if (top === "rules") return "rules";
  if (top === "src") return third === undefined ? path : `src/${second}`;
  // Data a layer reads (the managed policies, the report schema, package.json): its folder or file.
  return second === undefined || !path.includes("/") ? path : `${top}/${second}`;
}

/**
 * What each layer may import besides itself (layers, data, and packages; node: built-ins always). src/changes is the
 * change model and its adapters (Terraform, CloudFormation).
 */
const LAYERS: Record<string, readonly string[]> = {
  // Leaves: import nothing of the project.
  "src/arn": [],
  "src/facts": [],
  "src/iam": [],
  "src/duration.ts": [],
  "src/errors.ts": [],
  "src/money.ts": [],
  "src/order.ts": [],
  "src/permissions.ts": [],
  "src/version.ts": ["package.json"],
  "src/log.ts": ["pino", "pino-pretty"],
  // The rule contract and its runner: rules are given to it, never imported by it.
  "src/engine": ["src/facts", "src/errors.ts", "src/money.ts"],
  // What several rules share. The managed policies ECS documents are bundled: a rule derives what it requires from
  // the policy itself.
  "src/analysis": [
    "src/arn",
    "src/facts",
    "src/iam",
    "src/engine",
    "src/money.ts",
    "src/order.ts",
    "fixtures/policies",
  ],
  rules: [
    "src/analysis",
    "src/arn",
    "src/engine",
    "src/facts",
    "src/iam",
    "src/duration.ts",
    "src/money.ts",
    "src/order.ts",
  ],
  "src/changes": ["src/arn", "src/facts", "src/errors.ts", "src/order.ts"],
  "src/targets": ["src/facts", "src/errors.ts"],
  "src/snapshot": ["src/facts", "src/errors.ts", "ajv"],
  // The live change sets and stack deletions are read into the change model (src/changes/cloudformation/).
  "src/collect": [
    "src/analysis",
    "src/arn",
    "src/changes",
    "src/facts",
    "src/iam",
    "src/duration.ts",
    "src/errors.ts",
    "src/log.ts",
    "src/order.ts",
    "@aws-sdk/",
    "@smithy/",
    "p-retry",
    "yaml",
  ],
  "src/report": [
    "src/analysis",
    "src/arn",
    "src/engine",
    "src/facts",
    "src/money.ts",
    "src/order.ts",
    "picocolors",
  ],
  "src/pipeline": [
    "rules",
    "src/arn",
    "src/collect",
    "src/engine",
    "src/facts",
    "src/changes",
    "src/report",
    "src/snapshot",
    "src/targets",
    "src/errors.ts",
    "src/log.ts",
    "src/version.ts",
  ],
  "src/cli": [
    "rules",
    "src/arn",
    "src/analysis",
    "src/collect",
    "src/engine",
    "src/facts",
    "src/pipeline",
    "src/report",
    "src/snapshot",
    "src/targets",
    "src/duration.ts",
    "src/errors.ts",
    "src/log.ts",
    "src/permissions.ts",
    "src/version.ts",
    "schema/report.schema.json",
    "ajv",
    "commander",
  ],
  // The library's entry: what it exports.
  "src/index.ts": [
    "rules",
    "src/collect",
    "src/engine",
    "src/facts",
    "src/pipeline",
    "src/report",
    "src/snapshot",
    "src/targets",
  ],
};

const files = [...sourceFiles("src"), ...sourceFiles("rules")];
const graph = new Map(files.map((f) => [f, importsOf(f)]));
const isPackage = (spec: string) => !spec.startsWith("node:") && !/^(src|rules|fixtures|schema)\//.test(spec);

function allowed(layer: string, spec: string): boolean {
  const rules = LAYERS[layer] ?? [];
  if (isPackage(spec))
    return rules.some((a) => (a.endsWith("/") ? spec.startsWith(a) : spec === a || spec.startsWith(`${a}/`)));
  const target = layerOf(spec);
  return target === layer || rules.includes(target) || rules.some((a) => spec === a);
}

/** Every cycle's members in a directed graph (Tarjan's strongly connected components of more than one node). */
function cycles(edges: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string | undefined;
    do {
      w = stack.pop() as string;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || edges.get(v)?.has(v)) found.push(component.sort());
  };
  for (const v of edges.keys()) if (!index.has(v)) visit(v);
  return found;
}

describe("the one-way flow", () => {
  it("declares every folder under src/ (and every file at its root) and rules/", () => {
    const layers = new Set(files.map(layerOf));
    expect([...layers].filter((l) => !(l in LAYERS)).sort()).toEqual([]);
    expect(Object.keys(LAYERS).filter((l) => !layers.has(l))).toEqual([]);
  });

  for (const [layer, rules] of Object.entries(LAYERS)) {
    it(`${layer} imports only ${rules.length ? rules.join(", ") : "itself"}`, () => {
      const offending = files
        .filter((f) => layerOf(f) === layer)
        .flatMap((file) =>
          (graph.get(file) ?? [])
            .filter((spec) => !spec.startsWith("node:") && !allowed(layer, spec))
            .map((spec) => `${file} → ${spec}`),
        );
      expect(offending).toEqual([]);
    });
  }

  it("the declared layers form no cycle", () => {
    const declared = new Map(
      Object.entries(LAYERS).map(([l, rules]) => [l, new Set(rules.filter((r) => r in LAYERS))]),
    );
    expect(cycles(declared)).toEqual([]);
  });

  it("no folder cycle: the imports between layers form none (rules/ and src/ included)", () => {
    const edges = new Map<string, Set<string>>();
    for (const [file, specs] of graph)
      for (const spec of specs.filter((s) => !isPackage(s) && !s.startsWith("node:"))) {
        const [from, to] = [layerOf(file), layerOf(spec)];
        if (from !== to) edges.set(from, new Set([...(edges.get(from) ?? []), to]));
      }
    expect(cycles(edges)).toEqual([]);
  });

  it("no file circle: no module imports, through others, itself", () => {
    const edges = new Map(
      [...graph].map(([file, specs]) => [file, new Set(specs.filter((s) => graph.has(s)))] as const),
    );
    expect(cycles(edges)).toEqual([]);
  });

  it("the cycle check sees a cycle (it would pass vacuously otherwise)", () => {
    const edges = new Map([
      ["a", new Set(["b"])],
      ["b", new Set(["c"])],
      ["c", new Set(["a"])],
      ["d", new Set(["a"])],
    ]);
    expect(cycles(edges)).toEqual([["a", "b", "c"]]);
  });

  it("only src/collect/ imports the AWS SDK", () => {
    const offending = [...graph]
      .filter(([file]) => !file.startsWith("src/collect/"))
      .flatMap(([file, specs]) =>
        specs
          .filter((spec) => spec.startsWith("@aws-sdk/") || spec.startsWith("@smithy/"))
          .map((spec) => `${file} → ${spec}`),
      );
    expect(offending).toEqual([]);
  });

  it("sees the imports it polices (a layer that imported nothing would pass vacuously)", () => {
    expect(importsOf("src/engine/evaluate.ts")).toContain("src/engine/run.ts");
    expect(importsOf("src/pipeline/facts-source.ts")).toContain("src/collect/index.ts");
    expect(layerOf("rules/role-exists/index.ts")).toBe("rules");
    expect(layerOf("src/money.ts")).toBe("src/money.ts");
  });
});
