import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    // One module graph per worker, not per file: importing the SDK and the CLI again for each of ~95 files cost
    // more CPU than the tests themselves (test/support/restore-env.ts keeps each file's environment its own).
    isolate: false,
    setupFiles: ["test/support/restore-env.ts"],
    globalSetup: ["test/global-setup.ts"],
  },
});
