// An esbuild plugin that loads Node's built-in modules with require() instead of import.
//
// Importing a built-in from ESM makes Node build the module's ESM namespace, which reads every one of its exports:
// that runs the lazy getters Node keeps for what most programs never use. `import { Agent } from "node:http"`
// (the AWS SDK's HTTP handler) thus loads and compiles undici for http.WebSocket, ≈40 ms on Node 22 before the
// first request. Through require() the bundle gets the same module object and reads only the exports it uses,
// when it uses them. Every chunk has a require() (scripts/bundle-options.mjs's banner).
import { builtinModules } from "node:module";

const BUILTINS = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));

export const builtinsPlugin = {
  name: "builtins-as-require",
  setup(build) {
    // Static imports only: esbuild gives a dynamic import() of a CommonJS module nothing but `default`, so
    // `await import("node:fs")` stays Node's own import.
    build.onResolve({ filter: /^(node:)?[a-z_/0-9]+$/ }, (args) =>
      args.kind === "import-statement" && BUILTINS.has(args.path)
        ? { path: args.path.replace(/^node:/, ""), namespace: "node-builtin" }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: "node-builtin" }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(`node:${args.path}`)});`,
      loader: "js",
    }));
  },
};
