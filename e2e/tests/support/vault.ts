// Seeding for the vault specs (secrets, leases, approvals): everything goes through the API as
// the admin, and the agent is a real AppRole login with a bearer token.
import type { APIRequestContext } from "@playwright/test";
import { unique } from "./accounts";
import { expect, ok } from "./fixtures";

type NewContext = { request: { newContext: (o: object) => Promise<APIRequestContext> } };

export interface Rule {
  paths: string[];
  capabilities: string[];
  approval?: { required: boolean; max_ttl?: number };
}

export interface Agent {
  api: APIRequestContext;
  name: string;
  roleId: string;
  policy: string;
}

/** `/v1/secrets/a/b` with each segment encoded. */
export const secretUrl = (path: string, suffix = "") =>
  `/v1/secrets/${path.split("/").map(encodeURIComponent).join("/")}${suffix}`;

export async function putSecret(
  adminApi: APIRequestContext,
  path: string,
  value: string,
  metadata: Record<string, string> = {},
): Promise<void> {
  await ok(adminApi.post(secretUrl(path), { data: { value, metadata } }));
}

export async function createPolicy(
  adminApi: APIRequestContext,
  rules: Rule[],
  prefix = "e2e-policy",
): Promise<string> {
  const name = unique(prefix);
  await ok(adminApi.post("/v1/policy", { data: { name, rules } }));
  return name;
}

/** An AppRole holding `rules` (as a fresh policy), logged in: its API context sends the bearer token. */
export async function createAgent(
  playwright: NewContext,
  baseURL: string,
  adminApi: APIRequestContext,
  rules: Rule[],
  name = unique("e2e-agent"),
): Promise<Agent> {
  const policy = await createPolicy(adminApi, rules);
  const role = await ok<{ role_id: string; secret_id: string }>(
    adminApi.post("/v1/auth/approle", { data: { display_name: name, policies: [policy] } }),
  );
  const anonymous = await playwright.request.newContext({ baseURL });
  const login = await ok<{ token: string }>(
    anonymous.post("/v1/auth/approle/login", { data: { role_id: role.role_id, secret_id: role.secret_id } }),
  );
  await anonymous.dispose();
  const api = await playwright.request.newContext({
    baseURL,
    extraHTTPHeaders: { authorization: `Bearer ${login.token}` },
  });
  return { api, name, roleId: role.role_id, policy };
}

export interface Pending {
  request_id: string;
  status: "pending";
  expires_at: string;
}

/** A lease request that a rule sends to a human: the server must answer 202 pending. */
export async function requestLease(
  agent: Agent,
  path: string,
  ttl: number,
  reason: string,
): Promise<Pending> {
  const response = await agent.api.post(`/v1/lease/${path}`, { data: { ttl, reason } });
  expect(response.status(), await response.text()).toBe(202);
  const body = (await response.json()) as Pending;
  expect(body.status).toBe("pending");
  expect(body.request_id).toMatch(/^apr-/);
  return body;
}

/** Escapes a literal for use inside a RegExp (paths contain '/', '-' and '.'). */
export const literal = (s: string) => new RegExp(s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
