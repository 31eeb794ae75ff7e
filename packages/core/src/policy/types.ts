// Shapes shared by the parser, the index and the evaluator.

export const CAPABILITIES = [
  "read",
  "write",
  "delete",
  "list",
  "lease",
  "proxy",
  "call",
  "admin",
  "deny",
] as const;

export type Capability = (typeof CAPABILITIES)[number];

/** Capabilities that hand over or use a value; only these are subject to approval (PRODUCT §4). */
export const APPROVAL_CAPABILITIES: readonly Capability[] = ["read", "lease", "proxy", "call"];

export interface Approval {
  required: boolean;
  /** CIDRs (or bare addresses) whose requests are approved automatically. */
  autoApproveFrom: string[];
  /** Seconds; the smallest among matching allowing rules applies. */
  maxTtl?: number;
}

export interface Rule {
  paths: string[];
  capabilities: Capability[];
  approval?: Approval;
}

export interface Policy {
  name: string;
  description?: string;
  rules: Rule[];
}

export interface Actor {
  policies: readonly string[];
  ip?: string;
}

export type ApprovalMode = "none" | "required" | "auto";

export interface DecisionReason {
  policy?: string;
  /** 0-based index into the policy's rules, like the `rules[i]` paths of parse errors. */
  rule?: number;
  glob?: string;
  message: string;
}

export interface Decision {
  allowed: boolean;
  approval: ApprovalMode;
  maxTtl?: number;
  reason: DecisionReason;
}

/** One validation problem; `path` is like `rules[2].paths[0]` so an editor can point at it. */
export interface PolicyIssue {
  path: string;
  message: string;
}
