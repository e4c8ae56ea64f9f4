/**
 * A problem with what the user gave us (a flag, a snapshot, a config file): exit 2 with one clear line,
 * naming the flag or file, the path inside it, and what was expected. Never a stack trace.
 */
export class InputError extends Error {
  override readonly name = "InputError";
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

/**
 * The run could not decide because AWS would not answer something the whole run depends on (e.g. the organisation's
 * account list): exit 3 with one line saying what is missing. Never a stack trace.
 */
export class UndecidedError extends Error {
  override readonly name = "UndecidedError";
}
