import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { AwsService, FakeAccount } from "./account.ts";
import { handleCloudFormation } from "./cloudformation.ts";
import { handleCloudTrail } from "./cloudtrail.ts";
import { handleEc2 } from "./ec2.ts";
import { handleEcs } from "./ecs.ts";
import { ECS_USE_HANDLERS } from "./ecs-uses.ts";
import { AwsError } from "./errors.ts";
import { FaultPlan, type FaultRule, faultError, isErrorKind } from "./faults.ts";
import { handleIam } from "./iam.ts";
import { jsonErrorReply, jsonReply } from "./json.ts";
import { RateLimiter, type RateLimits } from "./limits.ts";
import { handleOrganizations } from "./organizations.ts";
import { awsQueryErrorReply, awsQueryReply, ec2ErrorReply, ec2Reply, type QueryParams } from "./query.ts";
import type { Reply } from "./reply.ts";
import { type Routed, route, sdkInvocation } from "./routing.ts";
import { handleS3, type S3Params, s3ErrorReply } from "./s3.ts";
import type { FakeState, PageSizes } from "./state.ts";
import { handleSts } from "./sts.ts";
import { DUMMY_ACCESS_KEY_ID, FakeWorld, type WorldOptions } from "./world.ts";

/**
 * One local HTTP server that answers IAM, STS, ECS, CloudTrail and EC2 the way the real services do on the wire,
 * for the real AWS SDK v3 clients pointed at it with AWS_ENDPOINT_URL. It routes each request (./routing.ts),
 * records it, injects the fault a rule calls for (./faults.ts), and answers in the service's protocol.
 */

export interface FakeOptions {
  /** Cap every list call's page below the real maximum (IAM may return fewer than MaxItems; tests use 2). */
  pageSize?: PageSizes;
  faults?: FaultRule[];
  /** The simulated clock: CloudTrail's default window and StopTask times. Default: the real clock. */
  now?: () => Date;
  /** More accounts and Regions, the organisation, AssumeRole sessions and S3 buckets (./world.ts). */
  world?: WorldOptions;
  /** Added to every answer, as a network round trip to AWS would be (benchmarks). */
  latencyMs?: number;
  /** AWS's rate limits as token buckets: an over-limit request is throttled as that service throttles. */
  limits?: RateLimits;
  /**
   * Holds a request's answer until `until` is true of the requests that have arrived (re-asked as each arrives), or
   * `timeoutMs` (default 3000) has passed: a test of what a client sends while waiting, without timing anything.
   */
  hold?: {
    when: (request: RecordedRequest) => boolean;
    until: (log: readonly RecordedRequest[]) => boolean;
    timeoutMs?: number;
  };
}

export interface RecordedRequest {
  service: AwsService;
  action: string;
  /** Query protocols: the form fields other than Action and Version. JSON protocols: the parsed body. */
  params: Record<string, unknown>;
  /** Date.now() when the request arrived. */
  at: number;
  /** HTTP status sent; 0 when the connection was reset. */
  status: number;
  /** Date.now() when the answer was sent (unset for a reset): with `at`, shows which calls overlapped. */
  endAt?: number;
  /** Set when the fake's rate limits (not a fault rule) throttled the request. */
  throttled?: true;
  /** The SDK's attempt number for this call (1 = first try, 2 = first retry), from amz-sdk-request; absent for other clients. */
  attempt?: number;
  /** The account and Region that answered (from the request's credentials and SigV4 scope). */
  account?: string;
  region?: string;
}

export interface FakeAws {
  /** http://127.0.0.1:<port> */
  url: string;
  /** Every routed request, in arrival order. */
  requests: RecordedRequest[];
  /** The live account the server answers from (StopTask changes it; a test may too, e.g. to finish a stop). */
  account: FakeAccount;
  /** Environment for a child process: endpoint, region, dummy credentials, no instance metadata, no config files. */
  env(): Record<string, string>;
  /** In-process SDK client settings: `new IAMClient({ ...fake.clientConfig(), retryStrategy })`. */
  clientConfig(): {
    endpoint: string;
    region: string;
    credentials: { accessKeyId: string; secretAccessKey: string };
  };
  /** Every account-Region, the sessions AssumeRole issued and the S3 objects. */
  world: FakeWorld;
  /** Replace the fault rules (their counters start again). */
  setFaults(faults: FaultRule[]): void;
  close(): Promise<void>;
}

const HTML_BODY =
  "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n" +
  "<body><h1>Bad Gateway<br></h1><p>The proxy received an invalid response & gave up.</body></html>\n";

export async function startFakeAws(account: FakeAccount, options: FakeOptions = {}): Promise<FakeAws> {
  const world = new FakeWorld(
    account,
    options.world ?? {},
    options.pageSize ?? {},
    options.now ?? (() => new Date()),
  );
  const state = world.primary;
  const requests: RecordedRequest[] = [];
  let faults = new FaultPlan(options.faults);
  const limiter = options.limits ? new RateLimiter(options.limits) : undefined;
  const timers = new Set<NodeJS.Timeout>();
  /** Answers held by `options.hold`, released when its condition holds. */
  let held: (() => void)[] = [];
  const releaseHeld = () => {
    if (!held.length || !options.hold?.until(requests)) return;
    const release = held;
    held = [];
    for (const go of release) go();
  };
  const holdAnswer = (record: RecordedRequest): Promise<void> | undefined => {
    const hold = options.hold;
    if (!hold?.when(record) || hold.until(requests)) return undefined;
    return new Promise<void>((resolve) => {
      held.push(resolve);
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, hold.timeoutMs ?? 3000);
      timers.add(timer);
    });
  };

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      // A bug in the fake: answer 500 so the test fails loudly instead of hanging.
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end(`fake-aws internal error: ${error instanceof Error ? error.stack : String(error)}`);
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const routed = route(req, body);
    if (!routed) {
      send(res, {
        status: 400,
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          __type: "UnknownOperationException",
          message: "fake-aws could not route this request",
        }),
      });
      return;
    }
    const { service, action, params } = routed;
    const { invocationId, attempt } = sdkInvocation(req);
    const record: RecordedRequest = { service, action, params, at: Date.now(), status: 0 };
    if (attempt !== undefined) record.attempt = attempt;
    requests.push(record);
    releaseHeld();
    const requestId = randomUUID();
    const holding = holdAnswer(record);
    if (holding) await holding;
    let caller: FakeState;
    try {
      caller = world.resolve(req.headers.authorization, GLOBAL_SERVICES.includes(service));
    } catch (error) {
      if (!(error instanceof AwsError)) throw error;
      const reply = errorReply(service, error, requestId);
      record.status = reply.status;
      send(res, reply, record);
      return;
    }
    record.account = caller.accountId;
    record.region = caller.region;
    if (options.latencyMs) await sleep(options.latencyMs);
    if (limiter && !limiter.admit(service, action)) {
      record.throttled = true;
      const throttled = errorReply(
        service,
        faultError("throttle", caller, service, action, params),
        requestId,
      );
      record.status = throttled.status;
      send(res, throttled, record);
      return;
    }
    const fault = faults.next(service, action, invocationId, {
      account: caller.accountId,
      region: caller.region,
    });

    if (fault?.kind === "reset") {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === "slow") await sleep(fault.delayMs ?? 1000);
    if (fault?.kind === "not-xml-or-json") {
      record.status = 200;
      send(
        res,
        { status: 200, headers: { "content-type": "text/html; charset=utf-8" }, body: HTML_BODY },
        record,
      );
      return;
    }
    const reply =
      fault && isErrorKind(fault.kind)
        ? errorReply(service, faultError(fault.kind, caller, service, action, params), requestId)
        : answer(caller, routed, requestId, world);
    if (fault?.kind === "truncated") {
      // A well-framed HTTP 200 whose document stops half-way: the client's parser, not its HTTP stack, must notice.
      const bytes = Buffer.from(reply.body);
      record.status = 200;
      send(res, { ...reply, status: 200, body: bytes.subarray(0, Math.floor(bytes.length / 2)) }, record);
      return;
    }
    record.status = reply.status;
    send(res, reply, record);
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    requests,
    account: state.account,
    world,
    env: () => childEnv(url, state.region),
    clientConfig: () => ({
      endpoint: url,
      region: state.region,
      credentials: { accessKeyId: DUMMY_ACCESS_KEY_ID, secretAccessKey: DUMMY_SECRET_ACCESS_KEY },
    }),
    setFaults(rules) {
      faults = new FaultPlan(rules);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function send(res: ServerResponse, reply: Reply, record?: RecordedRequest): void {
  if (record) record.endAt = Date.now();
  res.writeHead(reply.status, { ...reply.headers, "content-length": Buffer.byteLength(reply.body) });
  res.end(reply.body);
}

/** Answered from the account's home entry whatever the Region in the signature. */
const GLOBAL_SERVICES: AwsService[] = ["iam", "sts", "organizations", "s3"];

function answer(state: FakeState, routed: Routed, requestId: string, world: FakeWorld): Reply {
  const { service, action } = routed;
  try {
    if (routed.parseError) throw routed.parseError;
    switch (service) {
      case "iam":
        return awsQueryReply(
          "iam",
          action,
          handleIam(state, action, routed.params as QueryParams),
          requestId,
        );
      case "sts":
        return awsQueryReply(
          "sts",
          action,
          handleSts(state, action, routed.params as QueryParams, world),
          requestId,
        );
      case "ec2":
        return ec2Reply(action, handleEc2(state, action, routed.params as QueryParams, world), requestId);
      case "ecs":
        return jsonReply(handleEcs(state, action, routed.params, ECS_USE_HANDLERS), requestId);
      case "cloudtrail":
        return jsonReply(handleCloudTrail(state, action, routed.params), requestId);
      case "organizations":
        return jsonReply(handleOrganizations(state, action, routed.params, world), requestId);
      case "s3":
        return handleS3(state, action, routed.params as S3Params, world);
      case "cloudformation":
        return awsQueryReply(
          "cloudformation",
          action,
          handleCloudFormation(state, action, routed.params as QueryParams),
          requestId,
        );
    }
  } catch (error) {
    if (error instanceof AwsError) return errorReply(service, error, requestId);
    throw error;
  }
}

function errorReply(service: AwsService, error: AwsError, requestId: string): Reply {
  if (service === "iam" || service === "sts" || service === "cloudformation")
    return awsQueryErrorReply(service, error, requestId);
  if (service === "ec2") return ec2ErrorReply(error, requestId);
  if (service === "s3") return s3ErrorReply(error, requestId);
  return jsonErrorReply(error, requestId);
}

const ENDPOINT_SERVICES = ["IAM", "STS", "ECS", "CLOUDTRAIL", "EC2", "ORGANIZATIONS", "S3", "CLOUDFORMATION"];
const DUMMY_SECRET_ACCESS_KEY = "fake-aws-secret-access-key";

function childEnv(url: string, region: string): Record<string, string> {
  const env: Record<string, string> = {
    AWS_ENDPOINT_URL: url,
    AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: "false",
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_ACCESS_KEY_ID: DUMMY_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: DUMMY_SECRET_ACCESS_KEY,
    AWS_EC2_METADATA_DISABLED: "true",
    // No profile on the developer's machine may redirect or sign differently.
    AWS_CONFIG_FILE: "/dev/null",
    AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
  };
  // A service-specific endpoint from the parent environment would win over AWS_ENDPOINT_URL: pin them all.
  for (const name of ENDPOINT_SERVICES) env[`AWS_ENDPOINT_URL_${name}`] = url;
  return env;
}
