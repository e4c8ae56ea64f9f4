/** ecs-preflight as a library: the same functions the CLI calls. */
export { check, evaluate, type CheckOptions } from "./engine/check.ts";
export { collect, type CollectOptions } from "./collect/index.ts";
export { readSnapshot, writeSnapshot } from "./snapshot/index.ts";
export { rules } from "../rules/index.ts";
export type { Report } from "./report/types.ts";
export type { Finding, Rule, Status } from "./engine/types.ts";
export type * from "./facts/types.ts";
export { formatReport, FORMATS, type Format } from "./report/index.ts";
