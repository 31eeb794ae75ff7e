export type ActorKind = "root" | "user" | "approle";
export type UserRole = "admin" | "approver" | "viewer";
export type AuthMethod = "root_token" | "session" | "jwt" | "access_token" | "approle";

/** Who is asking, resolved once per request; every service authorizes against it. */
export interface Actor {
  /** Audit identity: "root", "user:<username>" or "approle:<role_id>". */
  identity: string;
  kind: ActorKind;
  /** users.id, approles.id, or "root". */
  subjectId: string;
  displayName: string;
  role?: UserRole;
  /** Effective policy names (role admin adds the built-in "admin"). */
  policies: string[];
  ip: string;
  requestId: string;
  authMethod: AuthMethod;
  sessionId?: string;
  expiresAt?: number;
}

export const USER_ROLES: readonly UserRole[] = ["admin", "approver", "viewer"];

export const effectivePolicies = (role: string, policies: string[]): string[] =>
  role === "admin" ? ["admin", ...policies.filter((p) => p !== "admin")] : policies;

/** A public caller (no credentials): only its address and request id are known. */
export interface Caller {
  ip: string;
  requestId: string;
  userAgent?: string;
}
