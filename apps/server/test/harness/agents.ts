import { expect } from "bun:test";
import { randomUUID } from "node:crypto";
import type { UserRole } from "../../src/auth/actor";
import type { TestApp } from "./app";
import { seedUser } from "./users";

const TOKEN_TTL_S = 7 * 86_400;

/** Creates a database policy through the API (root token). */
export async function createPolicy(t: TestApp, root: string, name: string, rules: unknown[]) {
  const r = await t.req("POST", "/v1/policy", { token: root, body: { name, rules } });
  expect(r.status, r.text).toBe(201);
}

/** An AppRole row inserted directly plus a token for it; its identity is `approle:<id>`. */
export async function agentToken(t: TestApp, policies: string[]) {
  const id = `role-${randomUUID()}`;
  const now = t.ctx.now();
  await t.ctx.store.tx((tx) =>
    tx.insert(t.ctx.store.t.approles).values({
      id,
      displayName: id,
      policies,
      ipAllowlist: [],
      tokenTtlSeconds: 3600,
      suspended: false,
      secretIdHash: "unused",
      secretGen: 1,
      createdAt: now,
      updatedAt: now,
      lastUsedAt: null,
    }),
  );
  const { token } = await t.ctx.jwt.sign({ typ: "approle", uid: id, ver: 1 }, TOKEN_TTL_S);
  return { id, identity: `approle:${id}`, token };
}

/** A user with this role and policies, and a bearer token for it. */
export async function userToken(t: TestApp, role: UserRole, policies: string[] = []) {
  const u = await seedUser(t, { role, policies });
  const { token } = await t.ctx.jwt.sign({ typ: "user", uid: u.id, ver: u.tokenVersion }, TOKEN_TTL_S);
  return { id: u.id, identity: `user:${u.username}`, token };
}
