import type { ChangeList } from "./model.ts";

/**
 * One file format `check --plan FILE` reads, told apart by content (./read.ts asks each in turn). The format's
 * own words (what to run, what is wrong) stay in its adapter.
 */
export interface ChangeFileFormat {
  /** "a Terraform JSON plan": said when a file is none of the formats. */
  name: string;
  /** The command that writes the file, said in every refusal. */
  howTo: string;
  /** A refusal for a file that is the tool's output in another form (a binary plan, a log), before JSON is read. */
  misfit(file: string, bytes: Uint8Array, text: string): string | undefined;
  /** Why this JSON is not this format, in a few words; undefined when it is (`read` then checks the rest). */
  whyNot(raw: unknown): string | undefined;
  /** The changes; an InputError naming the file and the field when the file is this format but not as it must be. */
  read(raw: unknown, file: string): ChangeList;
}
