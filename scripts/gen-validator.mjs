// Compiles schema/facts.schema.json into a standalone validator (src/snapshot/facts-validator.generated.js), so reading
// a snapshot does not pay Ajv's schema compilation (≈160 ms) at run time. `npm run gen` rewrites it; a test checks
// that the committed file matches the schema.
import { readFileSync, writeFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import standaloneCode from "ajv/dist/standalone/index.js";

export function generateValidator() {
  const schema = JSON.parse(readFileSync(new URL("../schema/facts.schema.json", import.meta.url), "utf8"));
  const ajv = new Ajv2020({
    allErrors: true,
    strict: true,
    strictTypes: false,
    strictRequired: false,
    code: { source: true, esm: true },
  });
  // Standalone ESM still require()s Ajv's runtime helpers; make them imports so the file is plain ESM everywhere.
  const helpers = new Map();
  const code = standaloneCode
    .default(ajv, ajv.compile(schema))
    .replace(/require\("(ajv\/dist\/runtime\/[a-z0-9]+)"\)\.default/g, (_, path) => {
      const name = `runtime${helpers.size}`;
      helpers.set(name, path);
      // Node hands ESM the CommonJS exports object, bundlers and vitest its default: accept both.
      return `(${name}.default ?? ${name})`;
    });
  const imports = [...helpers].map(([name, path]) => `import ${name} from "${path}.js";`).join("\n");
  return `// Generated from schema/facts.schema.json by scripts/gen-validator.mjs: do not edit.\n${imports}\n${code.replace(/^"use strict";/, "")}\n`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(
    new URL("../src/snapshot/facts-validator.generated.js", import.meta.url),
    generateValidator(),
  );
}
