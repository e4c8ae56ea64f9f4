import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // A rule's table test lives beside it, in rules/<id>/.
    include: ["test/**/*.test.ts", "rules/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    // One module graph per worker, not per file: importing the SDK and the CLI again for each of ~95 files cost
    // more CPU than the tests themselves (test/support/file-state.ts gives each file back its environment).
    isolate: false,
    setupFiles: ["test/support/file-state.ts"],
    // vitest's default on 2 cores is 1 worker; much of a CLI test is waiting on the fake's sockets, so a second
    // worker overlaps it (test/cli + test/collect: 80 s with one, 60 s with two, same load).
    maxWorkers: 2,
    globalSetup: ["test/global-setup.ts"],
  },
});
