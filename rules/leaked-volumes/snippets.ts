import type { RemediationSnippets } from "../../src/engine/rule.ts";

/** leaked-volumes: deleting a volume left behind is an operation, not configuration. */
export const DELETE_LEAKED_VOLUME: RemediationSnippets = {
  awsCli: [
    "aws ec2 create-snapshot --volume-id vol-0123456789abcdef0 --description 'copy before deletion'",
    "aws ec2 delete-volume --volume-id vol-0123456789abcdef0",
  ].join("\n"),
  operational:
    "A leaked volume is deleted, not configured: no template changes it. Fix what leaked it first (role-exists, " +
    "trust-policy or volume-permissions have the configuration), or the next task leaves its volume too.",
};
