import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // A rule's table test lives beside it, in rules/<id>/.
    include: ["test/**/*.test.ts", "rules/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    globalSetup: ["test/global-setup.ts"],
  },
});
