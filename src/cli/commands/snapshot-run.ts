import { rules } from "../../../rules/index.ts";
import { InputError } from "../../errors.ts";
import type { Logger } from "../../log.ts";
import { collectionFor } from "../../pipeline/facts-source.ts";
import { writeSnapshot } from "../../snapshot/index.ts";
import { resolveAwsSettings } from "../aws-settings.ts";
import type { Io } from "../io.ts";
import { type CheckFlags, loadCheckConfig, scopeFrom, sinceFrom } from "./check-run.ts";

/** `snapshot`'s action (./snapshot.ts defines the command): collect what check would evaluate, and write it. */
export async function snapshotAction(
  flags: CheckFlags & { out: string },
  io: Io,
  log: Logger,
): Promise<void> {
  // The config check would run with: a rule it turns off is not collected for, exactly as check would not.
  const config = await loadCheckConfig(flags);
  const scope = scopeFrom(flags, sinceFrom(flags, config));
  const aws = await resolveAwsSettings(flags, io.env, io.aws);
  const { collect } = await import("../../collect/index.ts");
  const facts = await collect({
    ...collectionFor(rules, config),
    ...(flags.principal ? { principals: flags.principal } : {}),
    scope,
    aws,
    log,
  });
  try {
    await writeSnapshot(flags.out, facts);
  } catch (err) {
    throw new InputError(
      `--out ${flags.out}: cannot write the snapshot (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
    );
  }
  log.info({ file: flags.out, roles: facts.roles.length }, "snapshot written");
}
