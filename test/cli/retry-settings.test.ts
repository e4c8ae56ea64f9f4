import { describe, expect, it } from "vitest";
import { retrySettings } from "../../src/cli/aws-settings.ts";
import { InputError } from "../../src/errors.ts";
import { runCli } from "../support/cli.ts";

describe("retries from --max-attempts, AWS_MAX_ATTEMPTS, AWS_RETRY_MODE and the profile", () => {
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
    [
      "AWS_RETRY_MODE=legacy (the AWS CLI's older handler) is standard",
      { AWS_RETRY_MODE: "legacy" },
      {},
      { retryMode: "standard" },
    ],
    ["an empty variable is unset", { AWS_MAX_ATTEMPTS: "", AWS_RETRY_MODE: "" }, {}, {}],
  ])("%s", (_name, env, flags, expected) => {
    expect(retrySettings(flags, env)).toEqual(expected);
  });

  it.each<[string, NodeJS.ProcessEnv, { maxAttempts?: number }, object]>([
    ["the profile's max_attempts and retry_mode", {}, {}, { maxAttempts: 4, retryMode: "adaptive" }],
    [
      "AWS_MAX_ATTEMPTS over the profile",
      { AWS_MAX_ATTEMPTS: "6" },
      {},
      { maxAttempts: 6, retryMode: "adaptive" },
    ],
    [
      "AWS_RETRY_MODE over the profile",
      { AWS_RETRY_MODE: "standard" },
      {},
      { maxAttempts: 4, retryMode: "standard" },
    ],
    ["--max-attempts over the profile", {}, { maxAttempts: 2 }, { maxAttempts: 2, retryMode: "adaptive" }],
  ])("%s", (_name, env, flags, expected) => {
    expect(retrySettings(flags, env, { maxAttempts: "4", retryMode: "adaptive" })).toEqual(expected);
  });

  it.each<[{ maxAttempts?: string; retryMode?: string }, RegExp]>([
    [
      { maxAttempts: "lots" },
      /^max_attempts in the AWS config file's profile "ci": expected a whole number from 1 to 20, got "lots"$/,
    ],
    [
      { retryMode: "fast" },
      /^retry_mode in the AWS config file's profile "ci": expected standard, adaptive or legacy, got "fast"$/,
    ],
  ])("a bad %j in the profile is a usage error naming the key and the profile", (profile, message) => {
    expect(() => retrySettings({}, {}, profile, "ci")).toThrow(message);
  });

  it.each<[NodeJS.ProcessEnv, RegExp]>([
    [{ AWS_MAX_ATTEMPTS: "three" }, /^AWS_MAX_ATTEMPTS: expected a whole number from 1 to 20, got "three"$/],
    [{ AWS_MAX_ATTEMPTS: "0" }, /^AWS_MAX_ATTEMPTS: expected a whole number from 1 to 20, got "0"$/],
    [{ AWS_MAX_ATTEMPTS: "2.5" }, /AWS_MAX_ATTEMPTS: .*got "2\.5"/],
    [{ AWS_MAX_ATTEMPTS: "21" }, /AWS_MAX_ATTEMPTS: .*got "21"/],
    [{ AWS_RETRY_MODE: "retry" }, /^AWS_RETRY_MODE: expected standard, adaptive or legacy, got "retry"$/],
  ])("%j is a usage error naming the variable", (env, message) => {
    expect(() => retrySettings({}, env)).toThrow(InputError);
    expect(() => retrySettings({}, env)).toThrow(message);
  });

  it.each([
    [{ AWS_MAX_ATTEMPTS: "-1" }, /AWS_MAX_ATTEMPTS: expected a whole number from 1 to 20, got "-1"/],
    [{ AWS_RETRY_MODE: "fast" }, /AWS_RETRY_MODE: expected standard, adaptive or legacy, got "fast"/],
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
