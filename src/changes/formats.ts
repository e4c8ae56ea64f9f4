import { CHANGE_SET_FILE } from "./cloudformation/file.ts";
import type { ChangeFileFormat } from "./format.ts";
import { TERRAFORM_PLAN } from "./terraform/read.ts";

/** The formats `check --plan FILE` reads, in the order they are asked. */
export const CHANGE_FILE_FORMATS: readonly ChangeFileFormat[] = [TERRAFORM_PLAN, CHANGE_SET_FILE];
