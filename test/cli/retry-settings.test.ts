import { describe, expect, it } from "vitest";
import { retryFromEnv } from "../../src/cli/aws-settings.ts";
import { InputError } from "../../src/errors.ts";
import { runCli } from "../support/cli.ts";

describe("retries from AWS_MAX_ATTEMPTS and AWS_RETRY_MODE", () => {
  it.each<[string, NodeJS.ProcessEnv, { maxAttempts?: number }, object]>([
    ["nothing set: the strategy's default", {}, {}, {}],
    ["AWS_MAX_ATTEMPTS", { AWS_MAX_ATTEMPTS: "5" }, {}, { maxAttempts: 5 }],
    [
      "--max-attempts wins over AWS_MAX_ATTEMPTS",
      { AWS_MAX_ATTEMPTS: "5" },
      { maxAttempts: 2 },
      { maxAttempts: 2 },
    ],
    [
      "--max-attempts wins over a bad AWS_MAX_ATTEMPTS",
      { AWS_MAX_ATTEMPTS: "x" },
      { maxAttempts: 2 },
      { maxAttempts: 2 },
    ],
    ["AWS_RETRY_MODE=adaptive", { AWS_RETRY_MODE: "adaptive" }, {}, { retryMode: "adaptive" }],
    ["AWS_RETRY_MODE=standard", { AWS_RETRY_MODE: "standard" }, {}, { retryMode: "standard" }],
    ["an empty variable is unset", { AWS_MAX_ATTEMPTS: "", AWS_RETRY_MODE: "" }, {}, {}],
  ])("%s", (_name, env, flags, expected) => {
    expect(retryFromEnv(flags, env)).toEqual(expected);
  });

  it.each<[NodeJS.ProcessEnv, RegExp]>([
    [{ AWS_MAX_ATTEMPTS: "three" }, /^AWS_MAX_ATTEMPTS: expected a whole number from 1 to 20, got "three"$/],
    [{ AWS_MAX_ATTEMPTS: "0" }, /^AWS_MAX_ATTEMPTS: expected a whole number from 1 to 20, got "0"$/],
    [{ AWS_MAX_ATTEMPTS: "2.5" }, /AWS_MAX_ATTEMPTS: .*got "2\.5"/],
    [{ AWS_MAX_ATTEMPTS: "21" }, /AWS_MAX_ATTEMPTS: .*got "21"/],
    [{ AWS_RETRY_MODE: "legacy" }, /^AWS_RETRY_MODE: expected standard or adaptive, got "legacy"$/],
  ])("%j is a usage error naming the variable", (env, message) => {
    expect(() => retryFromEnv({}, env)).toThrow(InputError);
    expect(() => retryFromEnv({}, env)).toThrow(message);
  });

  it.each([
    [{ AWS_MAX_ATTEMPTS: "-1" }, /AWS_MAX_ATTEMPTS: expected a whole number from 1 to 20, got "-1"/],
    [{ AWS_RETRY_MODE: "fast" }, /AWS_RETRY_MODE: expected standard or adaptive, got "fast"/],
  ])("the CLI exits 2 on %j, one line, before any AWS call", async (env, message) => {
    // A closed port as the endpoint: a call would fail, and the error must come before any.
    const { code, stdout, stderr } = await runCli(["check", "--region", "us-east-1"], {
      processEnv: {
        ...env,
        AWS_ACCESS_KEY_ID: "x",
        AWS_SECRET_ACCESS_KEY: "x",
        AWS_ENDPOINT_URL: "http://127.0.0.1:9",
      },
    });
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toMatch(message);
    expect(stderr.trim().split("\n")).toHaveLength(1);
  });
});
