/**
 * The fake AWS as a process, for the smoke scripts (scripts/smoke/): serves the demo account on 127.0.0.1, writes
 * `<dir>/env` (shell `export` lines: AWS_ENDPOINT_URL and credentials) once listening, appends one
 * "service:Action" line per request to `<dir>/requests.log`, and stops on SIGTERM.
 */
import { appendFileSync, writeFileSync } from "node:fs";
import { DEMO_NOW, demoAccount } from "../demo/demo-account.ts";
import { startFakeAws } from "../fake-aws/server.ts";

const dir = process.argv[2];
if (!dir) throw new Error("usage: fake-aws-process <dir>");
const fake = await startFakeAws(demoAccount, { now: () => DEMO_NOW });
const log = `${dir}/requests.log`;
writeFileSync(log, "");
const record = fake.requests.push.bind(fake.requests);
fake.requests.push = (...items) => {
  for (const r of items) appendFileSync(log, `${r.service}:${r.action}\n`);
  return record(...items);
};
const quote = (v: string) => `'${v.replaceAll("'", "'\\''")}'`;
writeFileSync(
  `${dir}/env`,
  Object.entries(fake.env())
    .map(([k, v]) => `export ${k}=${quote(v)}\n`)
    .join(""),
);
process.on("SIGTERM", () => {
  fake.close().then(() => process.exit(0));
});
