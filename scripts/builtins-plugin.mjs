// An esbuild plugin that loads Node's built-in modules with require() instead of import.
//
// Importing a built-in from ESM makes Node build the module's ESM namespace, which reads every one of its exports:
// that runs the lazy getters Node keeps for what most programs never use. `import { Agent } from "node:http"`
// (the AWS SDK's HTTP handler) thus loads and compiles undici for http.WebSocket, ≈40 ms on Node 22 before the
// first request. Through require() the bundle gets the same module object and reads only the exports it uses,
// when it uses them. Every chunk has a require() (scripts/bundle-options.mjs's banner).
import { builtinModules, createRequire } from "node:module";

const BUILTINS = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));
const require = createRequire(import.meta.url);

/**
 * A dynamic import()'s stand-in: `default` is the module object, and each export that is a plain value is a named
 * export. Those behind a getter (http.WebSocket, which loads undici) are read through `default` only, when used.
 */
function dynamicShim(name) {
  const descriptors = Object.getOwnPropertyDescriptors(require(`node:${name}`));
  const names = Object.keys(descriptors).filter(
    (key) => key !== "default" && /^[A-Za-z_$][\w$]*$/.test(key) && !descriptors[key]?.get,
  );
  return [
    `const m = require(${JSON.stringify(`node:${name}`)});`,
    "export default m;",
    ...names.map((key) => `export const ${key} = m.${key};`),
  ].join("\n");
}

export const builtinsPlugin = {
  name: "builtins-as-require",
  setup(build) {
    build.onResolve({ filter: /^(node:)?[a-z_/0-9]+$/ }, (args) => {
      if (!BUILTINS.has(args.path)) return undefined;
      const name = args.path.replace(/^node:/, "");
      if (args.kind === "import-statement") return { path: name, namespace: "node-builtin" };
      // The AWS SDK's HTTP handler imports node:http this way for an http:// endpoint.
      if (args.kind === "dynamic-import") return { path: name, namespace: "node-builtin-dynamic" };
      return undefined;
    });
    build.onLoad({ filter: /.*/, namespace: "node-builtin" }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(`node:${args.path}`)});`,
      loader: "js",
    }));
    build.onLoad({ filter: /.*/, namespace: "node-builtin-dynamic" }, (args) => ({
      contents: dynamicShim(args.path),
      loader: "js",
    }));
  },
};
