/**
 * Contract of the IAM policy evaluator (src/iam/). Pure: no AWS, no I/O.
 *
 * Three-valued throughout: the evaluator knows some request values exactly, knows others only as a pattern
 * ("some ECS ARN of this account and region"), knows some keys to be absent (exactly as IAM evaluates them), and
 * knows nothing of keys the request model leaves out.
 * Anything it cannot decide makes the decision `conditional`, naming the keys: never a silent allow.
 */

/** Where a policy came from, so a decision can name the statement that made it. */
export interface PolicySource {
  kind: "inline" | "managed" | "boundary" | "trust";
  /** Policy name (inline or managed) or "trust policy". */
  name: string;
  /** Managed policy ARN. */
  arn?: string;
  versionId?: string;
}

/** A value the request carries for a context key (or the resource, or a principal). */
export type RequestValue =
  /** Known exactly; a list for multivalued keys (ForAnyValue/ForAllValues). */
  | { kind: "exact"; values: string[] }
  /**
   * Some single string matching the glob `pattern` (`*`, `?`), unknown which: a condition holds only
   * when it holds for every such string.
   */
  | { kind: "pattern"; pattern: string }
  /** Known to be absent from the request. */
  | { kind: "absent" };

export interface RequestContext {
  /** e.g. "ec2:DeleteVolume", "sts:AssumeRole". */
  action: string;
  /** The resource ARN, exact or as a pattern ("arn:aws:ec2:us-east-1:111122223333:volume/*"). */
  resource: RequestValue;
  /**
   * Principal for trust-policy evaluation: a service principal ("ecs.amazonaws.com") or an AWS ARN.
   * Identity-policy evaluation ignores it.
   */
  principal?: { type: "Service" | "AWS" | "Federated"; id: string };
  /**
   * Context keys (case-insensitive names, e.g. "aws:ResourceTag/AmazonECSManaged", "aws:SourceAccount",
   * "aws:PrincipalAccount"). A key neither listed here nor covered by `absentKeys` is unknown: a condition on it is
   * undecidable (conditional), `...IfExists` and `Null` included, since even its presence is not known. A key
   * present with an unknown single value is the pattern "*".
   */
  context: Record<string, RequestValue>;
  /**
   * Keys the request is known not to carry, beyond those `context` lists as absent: a full key name
   * ("aws:TagKeys") or, ending in "/", a whole family ("aws:ResourceTag/" is every resource-tag key). Case-insensitive;
   * an entry in `context` wins over a family. Only keys neither listed nor covered here are unknown.
   */
  absentKeys?: string[];
}

/** A statement that took part in a decision. */
export interface StatementRef {
  source: PolicySource;
  /** The statement's Sid, when it has one. */
  sid?: string;
  /** 0-based index of the statement within its policy. */
  index: number;
  effect: "Allow" | "Deny";
}

export type DecisionKind = "allow" | "explicit-deny" | "implicit-deny" | "conditional";

export interface Decision {
  decision: DecisionKind;
  /** For allow: the Allow statements that grant it. For explicit-deny: the Deny statements that apply. */
  statements: StatementRef[];
  /**
   * For conditional: the statements whose applicability is undecided, each with the condition keys
   * (and operators) that made it undecidable.
   */
  undecided: { statement: StatementRef; keys: string[]; reason: string }[];
  /** For a boundary-limited decision: what the boundary alone said (undefined when there is no boundary). */
  boundary?: DecisionKind;
  /**
   * Statements decided by a condition on a key the request certainly does not carry (never for allow/conditional):
   * for implicit-deny, the Allows whose action and resource match but whose condition needs such a key; for
   * explicit-deny, the applying Denies whose condition holds on such a key (a negated operator, `...IfExists`, ...).
   * Absent when there are none.
   */
  absentKeyConditions?: AbsentKeyCondition[];
}

/** One statement's conditions on keys the request does not carry, as "operator key" pairs. */
export interface AbsentKeyCondition {
  statement: StatementRef;
  conditions: { operator: string; key: string }[];
}

/** A grammar problem found when parsing a policy document. */
export interface PolicyGrammarError {
  /** JSON path inside the document, e.g. "Statement[1].Effect". */
  path: string;
  message: string;
}

/** A parsed, validated policy, ready for evaluation (opaque to callers beyond source). */
export interface Policy {
  source: PolicySource;
  /**
   * Effective policy language version. parsePolicy sets "2008-10-17" when the document has no Version, as IAM does;
   * policy variables (`${aws:username}`) are substituted only under "2012-10-17". Undefined reads as "2012-10-17".
   */
  version?: "2012-10-17" | "2008-10-17";
  statements: ParsedStatement[];
}

export interface ParsedStatement {
  index: number;
  sid?: string;
  effect: "Allow" | "Deny";
  action?: string[];
  notAction?: string[];
  resource?: string[];
  notResource?: string[];
  /** Normalised principal map; "*" becomes { "*": ["*"] }. */
  principal?: Record<string, string[]>;
  notPrincipal?: Record<string, string[]>;
  /** operator -> key -> values (values always an array of strings; booleans/numbers stringified). */
  condition?: Record<string, Record<string, string[]>>;
}

export type ParseResult = { ok: true; policy: Policy } | { ok: false; errors: PolicyGrammarError[] };
