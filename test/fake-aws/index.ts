/** The fake AWS endpoint for tests: start it with an account, point the SDK at it, read what was asked. */
export type {
  AwsService,
  FakeAccount,
  FakeCluster,
  FakeManagedPolicy,
  FakeRole,
  FakeService,
  FakeTask,
  FakeTrailEvent,
  FakeVolume,
  PolicyText,
} from "./account.ts";
export * from "./builders.ts";
export type { FaultKind, FaultRule } from "./faults.ts";
export type { FakeAws, FakeOptions, RecordedRequest } from "./server.ts";
export { startFakeAws } from "./server.ts";
