/** IAM policy evaluation for ecs-preflight: decode, parse, evaluate (three-valued; see types.ts). */

export { type DecodeResult, decodePolicyDocument } from "./decode.ts";
export { evaluateIdentity, evaluateTrust } from "./evaluate.ts";
export { actionMatches } from "./match.ts";
export { parsePolicy } from "./parse.ts";
export { readPolicy } from "./read.ts";
export type * from "./types.ts";
