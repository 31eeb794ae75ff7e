import { expect } from "bun:test";
import { asc, eq } from "drizzle-orm";
import type { TestApp } from "./app";

// Shared shapes and calls for the dynamic-secret suites.

export type Err = { code: string; error: string; field?: string; request_id?: string };

export interface Checkout<C = Record<string, unknown>> {
  lease_id: string;
  path: string;
  provider_type: string;
  credential: C;
  ttl_seconds: number;
  created_at: string;
  expires_at: string;
}

export interface DbCredential {
  username: string;
  password: string;
  host: string;
  port: number;
  database: string;
}

export interface PathLease {
  id: string;
  identity: string;
  credential_username: string;
  status: string;
  revoke_attempts: number;
  last_error: string | null;
  next_attempt_at: string | null;
  revoke_reason: string | null;
}

export async function saveConfig(
  t: TestApp,
  token: string,
  path: string,
  providerType: string,
  config: Record<string, unknown>,
) {
  const r = await t.req<Record<string, unknown> & Err>("POST", "/v1/dynamic", {
    token,
    body: { path, provider_type: providerType, config },
  });
  expect(r.status, r.text).toBeLessThan(300);
  return r;
}

export const checkout = <C = Record<string, unknown>>(
  t: TestApp,
  token: string,
  path: string,
  body: unknown = {},
) => t.req<Checkout<C> & Err>("POST", `/v1/dynamic/${path}/checkout`, { token, body });

export const revoke = (t: TestApp, token: string, id: string) =>
  t.req<{ revoked: boolean; id: string } & Err>("DELETE", `/v1/dynamic/lease/${id}`, { token });

export const pathLeases = (t: TestApp, token: string, path: string, query = "") =>
  t.req<{ leases: PathLease[]; provider_active?: string[]; unknown_on_provider?: string[] } & Err>(
    "GET",
    `/v1/dynamic/${path}/leases${query}`,
    { token },
  );

/** The stored row of a dynamic lease. */
export async function leaseRow(t: TestApp, id: string) {
  const { dynamicLeases } = t.ctx.store.t;
  const [row] = await t.ctx.store.db.select().from(dynamicLeases).where(eq(dynamicLeases.id, id));
  return row;
}

/** Audit entries for one lease (actions in order). */
export async function leaseAudit(t: TestApp, id: string) {
  const { auditLog } = t.ctx.store.t;
  return t.ctx.store.db.select().from(auditLog).where(eq(auditLog.leaseId, id)).orderBy(asc(auditLog.seq));
}

/** Passes if `fn` rejects (e.g. a login that must fail). */
export async function fails(fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn();
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
  throw new Error("expected a failure, but it succeeded");
}
