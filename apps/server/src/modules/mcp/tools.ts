import { validateSecretPath } from "@gatehouse/core/paths";
import { createScrubber } from "@gatehouse/core/scrubber";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult, ToolAnnotations } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import type { Actor } from "../../auth/actor";
import type { AppContext } from "../../context";
import { isApprovalPending } from "../approvals/errors";
import { publicRequest, type RequestRow } from "../approvals/service";
import { checkDynamicPath } from "../dynamic/service";
import type { LeaseView } from "../leases/model";
import { checkoutLease, clampTtl, listLeases, revokeLease } from "../leases/service";
import type { PatternStore } from "../proxy/patterns";
import type { ProxyService } from "../proxy/service";
import { scrubReport } from "../scrub";
import { checkPath } from "../secrets/rows";
import { listSecrets, revealValue } from "../secrets/service";
import { writeSecret } from "../secrets/write";
import { awaitDecision, type Extra } from "./approval";
import { errorResult, ok, rawValue, toolError } from "./output";

/** Everything a tool call runs with: the per-request Actor, the MCP-marked context and its services. */
export interface ToolEnv {
  ctx: AppContext;
  actor: Actor;
  proxy: ProxyService;
  patterns: PatternStore;
}

const scrubber = createScrubber();

// Inputs keep Gatehouse's names (reference/gatehouse.md §2); `reason` is new and optional: it is shown
// to the approver when a rule requires approval.
const Path = z.string().min(1).max(256).describe("Secret path, e.g. prod/github-token");
const Ttl = z
  .number()
  .optional()
  .describe("Lease length in seconds; clamped to 10–86400 and to the policy's max_ttl (default 300)");
const Reason = z
  .string()
  .max(500)
  .optional()
  .describe("Why you need it; shown to the human approver when approval is required");

const READ_ONLY: ToolAnnotations = { readOnlyHint: true, openWorldHint: false };

const leaseOutput = (r: { lease: LeaseView; value: string }) => ({
  lease_id: r.lease.id,
  path: r.lease.secret_path,
  expires_at: r.lease.expires_at,
  ttl_seconds: r.lease.ttl_seconds,
  value: r.value,
});

const pendingResult = (row: RequestRow, now: number) =>
  ok({
    status: "pending",
    request_id: row.id,
    expires_at: publicRequest(row, now).expires_at,
    message:
      "A human must approve this request. Call gatehouse_request_status with this request_id " +
      "(wait up to 60 s per call); do not repeat the original call meanwhile.",
  });

/**
 * What an approved lease-like request hands its requester, flattened into the tool's own answer shape:
 * a static lease's `{lease_id, …, value}` or a dynamic checkout's `{lease_id, …, credential}`. The value
 * fields are the tool's purpose and stay unscrubbed; anything else is scrubbed.
 */
function collectedFields(collected: Record<string, unknown>): {
  fields: Record<string, unknown>;
  keep: string[];
} {
  const lease = collected.lease as Record<string, unknown> | undefined;
  if (lease && typeof collected.value === "string") {
    return { fields: leaseOutput(collected as { lease: LeaseView; value: string }), keep: ["value"] };
  }
  if (lease && collected.credential)
    return { fields: { ...lease, credential: collected.credential }, keep: ["credential"] };
  return { fields: collected, keep: [] };
}

function collectedResult(collected: Record<string, unknown>): CallToolResult {
  if (Object.keys(collected).length === 0) {
    return toolError("gone", "The approved lease has expired or was revoked; ask again");
  }
  const { fields, keep } = collectedFields(collected);
  if (!keep.length && collected.lease_status === "creating") {
    return ok({
      ...fields,
      message: "Approved; the credential is being created: call gatehouse_request_status",
    });
  }
  if (!keep.length)
    return toolError("upstream_failed", "The approved credential could not be created", fields);
  return ok(fields, keep);
}

/** A decided (or still pending) request turned into the tool's answer. */
async function decided(
  env: ToolEnv,
  row: RequestRow,
  again?: () => Promise<CallToolResult>,
): Promise<CallToolResult> {
  const { ctx, actor } = env;
  const now = ctx.now();
  const status = publicRequest(row, now).status;
  if (status === "approved") {
    const collected = await ctx.approvals.collect(actor, row);
    if (collected) return collectedResult(collected);
    // Read and proxy approvals leave a grant: the same call now goes through.
    if (again) {
      try {
        return await again();
      } catch (e) {
        // The grant lapsed meanwhile: a new request is pending.
        if (isApprovalPending(e)) return pendingResult(await ctx.approvals.get(actor, e.requestId, 0), now);
        throw e;
      }
    }
    return ok({ ...publicRequest(row, now), message: "Approved: make the original call again." });
  }
  if (status === "denied") {
    return toolError(
      "forbidden",
      `Request ${row.id} was denied${row.decisionReason ? `: ${row.decisionReason}` : ""}`,
      { request_id: row.id, status: "denied" },
    );
  }
  if (status === "expired") {
    return toolError("gone", `Request ${row.id} expired before anyone approved it`, {
      request_id: row.id,
      status: "expired",
    });
  }
  return pendingResult(row, now);
}

/**
 * Runs a value-handing call; when the policy requires approval, waits for the decision (with progress
 * notifications if the client asked for them) and answers with the result, or pending after the wait.
 */
export async function gated(env: ToolEnv, extra: Extra, run: () => Promise<CallToolResult>) {
  try {
    return await run();
  } catch (e) {
    if (!isApprovalPending(e)) throw e;
    const row = await awaitDecision(env.ctx, env.actor, e.requestId, extra);
    return decided(env, row, run);
  }
}

/** Any failure of a tool call as a tool error; an approval still pending as the pending answer. */
export async function guarded(env: ToolEnv, name: string, run: () => Promise<CallToolResult>) {
  try {
    return await run();
  } catch (e) {
    if (isApprovalPending(e)) return decided(env, await env.ctx.approvals.get(env.actor, e.requestId, 0));
    return errorResult(e, env.ctx.log, env.actor.requestId, name);
  }
}

/** Registers the vault's tools on a per-request server; every handler calls the same services as REST. */
export function registerTools(server: McpServer, env: ToolEnv): void {
  const { ctx, actor } = env;
  const tool =
    <A>(name: string, fn: (args: A, extra: Extra) => Promise<CallToolResult>) =>
    (args: A, extra: Extra): Promise<CallToolResult> =>
      guarded(env, name, () => fn(args, extra));

  server.registerTool(
    "gatehouse_get",
    {
      title: "Read a secret",
      description:
        "Returns the current value of a static secret (needs read). Prefer gatehouse_proxy, which uses a " +
        "credential without showing it to you. May wait for a human approval, then answer pending.",
      inputSchema: { path: Path, reason: Reason },
      annotations: READ_ONLY,
    },
    tool("gatehouse_get", ({ path, reason }, extra) =>
      gated(env, extra, async () => rawValue((await revealValue(ctx, actor, checkPath(path), reason)).value)),
    ),
  );

  server.registerTool(
    "gatehouse_lease",
    {
      title: "Lease a secret",
      description:
        "Checks out a static secret for a limited time (needs lease): {lease_id, expires_at, ttl_seconds, " +
        "value}. Revoke it with gatehouse_revoke when done. May wait for a human approval.",
      inputSchema: { path: Path, ttl: Ttl, reason: Reason },
      annotations: { openWorldHint: false },
    },
    tool("gatehouse_lease", ({ path, ttl, reason }, extra) => {
      const p = validateSecretPath(path);
      const clamped = clampTtl(ctx, actor, "lease", p, ttl);
      return gated(env, extra, async () =>
        ok(leaseOutput(await checkoutLease(ctx, actor, p, { ttl: clamped, reason })), ["value"]),
      );
    }),
  );

  server.registerTool(
    "gatehouse_checkout",
    {
      title: "Check out a dynamic credential",
      description:
        "Creates a short-lived credential from a dynamic secret (database user, SSH certificate; needs " +
        "lease): {lease_id, credential, expires_at}. May wait for a human approval.",
      inputSchema: { path: Path, ttl: Ttl, reason: Reason },
      annotations: { openWorldHint: true },
    },
    tool("gatehouse_checkout", ({ path, ttl, reason }, extra) => {
      const p = checkDynamicPath(path);
      const clamped = clampTtl(ctx, actor, "lease", p, ttl);
      return gated(env, extra, async () =>
        ok(await ctx.dynamic.checkout(actor, p, { ttl: clamped, reason }), ["credential"]),
      );
    }),
  );

  server.registerTool(
    "gatehouse_revoke",
    {
      title: "Revoke a lease",
      description: "Ends a lease you hold (a global admin may end anyone's) before it expires.",
      inputSchema: { lease_id: z.string().min(1).max(128).describe("The lease_id a lease or checkout gave") },
      annotations: { destructiveHint: true, idempotentHint: false, openWorldHint: false },
    },
    tool("gatehouse_revoke", async ({ lease_id }) => {
      // Static and dynamic (dlease-…) leases alike, as DELETE /v1/lease/:id.
      const r = await revokeLease(ctx, actor, lease_id);
      return ok({ revoked: r.revoked, lease_id: r.id });
    }),
  );

  server.registerTool(
    "gatehouse_list",
    {
      title: "List secrets",
      description:
        "Secrets you may see under an optional prefix, with your capabilities (caps) on each. Values are " +
        "never listed.",
      inputSchema: { prefix: z.string().max(256).optional().describe("Path prefix, e.g. prod/") },
      annotations: READ_ONLY,
    },
    tool("gatehouse_list", async ({ prefix }) => ok(await listSecrets(ctx, actor, prefix ?? ""))),
  );

  server.registerTool(
    "gatehouse_put",
    {
      title: "Write a secret",
      description:
        "Stores a new version of a static secret (needs write; changing proxy settings in metadata needs " +
        "admin). Path segments: letters, digits, '_' and '-', joined by '/'. Metadata: string values.",
      inputSchema: {
        path: Path,
        value: z.string().min(1).describe("The secret value"),
        metadata: z
          .record(z.string(), z.string())
          .optional()
          .describe("Replaces the metadata when given, e.g. {allowed_domains: 'api.github.com'}"),
      },
      annotations: { destructiveHint: false, idempotentHint: false, openWorldHint: false },
    },
    tool("gatehouse_put", async ({ path, value, metadata }) => {
      const { view, created } = await writeSecret(ctx, actor, checkPath(path), { value, metadata });
      return ok({ ...view, created });
    }),
  );

  server.registerTool(
    "gatehouse_scrub",
    {
      title: "Redact credentials",
      description:
        "Replaces credentials (API keys, tokens, private keys, connection strings…) in text with " +
        "[REDACTED]: {scrubbed, redaction_count, redactions}.",
      inputSchema: {
        text: z
          .string()
          .max(1024 * 1024)
          .describe("Text that may contain credentials"),
      },
      annotations: READ_ONLY,
    },
    tool("gatehouse_scrub", async ({ text }) => ok(scrubReport(scrubber, text))),
  );

  server.registerTool(
    "gatehouse_proxy",
    {
      title: "Call an API with a stored credential",
      description:
        "Makes an HTTP request with secrets injected by the server, so their values never reach you " +
        "(needs proxy on each secret). Use {{secret:path}} in url/headers/body, inject {Header: 'path'} " +
        "(Bearer; 'basic:path' for Basic) or auto_inject [paths]. The response is scrubbed.",
      inputSchema: {
        method: z.string().min(1).max(16).describe("GET, POST, PUT, PATCH, DELETE, HEAD or OPTIONS"),
        url: z
          .string()
          .min(1)
          .max(8192)
          .describe("http(s) URL; the host must be in the secret's allowed_domains"),
        headers: z.record(z.string(), z.string()).optional(),
        inject: z.record(z.string(), z.string()).optional().describe("{Header: 'secret/path'}"),
        auto_inject: z.array(z.string()).optional().describe("Secret paths injected per their metadata"),
        body: z.union([z.string(), z.record(z.string(), z.unknown()), z.array(z.unknown())]).optional(),
        timeout: z.number().optional().describe("Milliseconds, 1000–120000 (default 30000)"),
        reason: Reason,
      },
      annotations: { openWorldHint: true },
    },
    tool("gatehouse_proxy", (input, extra) =>
      gated(env, extra, async () => ok(await env.proxy.forward(actor, input))),
    ),
  );

  server.registerTool(
    "gatehouse_status",
    {
      title: "Who am I",
      description: "Server status, your identity and policies, and how many leases you hold.",
      inputSchema: {},
      annotations: READ_ONLY,
    },
    tool("gatehouse_status", async () => {
      const { leases } = await listLeases(ctx, actor, false);
      return ok({
        status: "ok",
        version: ctx.config.version,
        identity: actor.identity,
        display_name: actor.displayName,
        kind: actor.kind,
        policies: actor.policies,
        active_leases: leases.filter((l) => l.identity === actor.identity).length,
      });
    }),
  );

  server.registerTool(
    "gatehouse_patterns",
    {
      title: "Learned API patterns",
      description:
        "Request patterns learned from successful proxy calls with a secret (needs proxy or read): " +
        "method, path template, confidence.",
      inputSchema: { secret_path: Path },
      annotations: READ_ONLY,
    },
    tool("gatehouse_patterns", async ({ secret_path }) => ok(await env.patterns.list(actor, secret_path))),
  );

  server.registerTool(
    "gatehouse_request_status",
    {
      title: "Approval request status",
      description:
        "The state of an approval request a previous call answered pending with. wait (0–60 s) waits for " +
        "the decision. An approved lease carries its value; an approved read or proxy call: call again.",
      inputSchema: {
        request_id: z.string().min(1).max(64).describe("request_id from a pending answer"),
        wait: z.number().min(0).max(60).optional().describe("Seconds to wait for a decision"),
      },
      annotations: READ_ONLY,
    },
    tool("gatehouse_request_status", async ({ request_id, wait }, extra) => {
      const row =
        wait && wait > 0
          ? await awaitDecision(ctx, actor, request_id, extra, wait)
          : await ctx.approvals.get(actor, request_id, 0);
      const now = ctx.now();
      const view = publicRequest(row, now);
      const collected = await ctx.approvals.collect(actor, row);
      if (collected) {
        const { fields, keep } = collectedFields(collected);
        return ok({ ...view, ...fields }, keep);
      }
      const next =
        view.status === "approved"
          ? "Approved: make the original call again."
          : view.status === "pending"
            ? "Still pending: call again with wait (up to 60 s)."
            : undefined;
      return ok({ ...view, ...(next ? { message: next } : {}) });
    }),
  );
}
