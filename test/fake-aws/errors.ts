/** An error the fake returns the way the service would: its code, message and HTTP status, in the protocol's envelope. */
export class AwsError extends Error {
  readonly code: string;
  readonly status: number;

  constructor(code: string, message: string, status = 400) {
    super(message);
    this.name = "AwsError";
    this.code = code;
    this.status = status;
  }

  /** Query-protocol `<Type>`: who is at fault. */
  get type(): "Sender" | "Receiver" {
    return this.status >= 500 ? "Receiver" : "Sender";
  }
}
