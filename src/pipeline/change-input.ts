/**
 * What a check is asked to judge beside the account as it is: a change (its flags). Light on purpose: the check
 * pipeline reads it before anything is loaded, and loads the change gate (change-step.ts) only when one is given.
 */

export interface ChangeInput {
  /** `--plan FILE`. */
  plan?: string;
  /** `--change-set NAME_OR_ARN [--stack STACK]`. */
  changeSet?: { name: string; stack?: string };
  /** `--before-stack-delete STACK`. */
  beforeStackDelete?: string;
  /** `--template FILE`: the template a CloudFormation change's stack is deployed from, named in its locations. */
  template?: string;
}

export function wantsChange(input: ChangeInput): boolean {
  return input.plan !== undefined || input.changeSet !== undefined || input.beforeStackDelete !== undefined;
}
