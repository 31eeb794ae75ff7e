import type { Capability, Rule } from "@gatehouse/core/policy";
import type { Actor } from "../../auth/actor";
import type { AppContext } from "../../context";
import { connectSection, SITUATIONS } from "../links/markdown";

// GET /v1/skill: the document an agent reads to learn how to use Gatehouse, with a table of what its
// own policies allow. It holds no secret and no credential.

const code = (s: string) => `\`${s.replace(/`/g, "")}\``;

const HOW: Partial<Record<Capability, string>> = {
  proxy: "`gatehouse_proxy` / `POST /v1/proxy`: the server injects it, you never see it",
  lease: "`gatehouse_lease` / `POST /v1/lease/<path>` (value + lease id; revoke when done)",
  read: "`gatehouse_get` / `GET /v1/secrets/<path>/value`",
  list: "`gatehouse_list` / `GET /v1/secrets?prefix=`",
  write: "`gatehouse_put` / `POST /v1/secrets/<path>`",
  delete: "`DELETE /v1/secrets/<path>`",
  admin: "change security metadata (allowed_domains, …) on these paths",
  call: "call gateway tools on these paths",
};

function approvalText(rule: Rule): string {
  const a = rule.approval;
  if (!a?.required) return "no";
  const parts = ["a human approves each request"];
  if (a.maxTtl !== undefined) parts.push(`max ${a.maxTtl} s`);
  if (a.autoApproveFrom.length > 0) parts.push(`automatic from ${a.autoApproveFrom.map(code).join(", ")}`);
  return parts.join("; ");
}

/** One row per rule of each of the caller's policies: paths, capabilities, approval and how to use it. */
export function policyTable(ctx: AppContext, actor: Actor): string {
  const rows: string[] = [];
  for (const name of actor.policies) {
    const policy = ctx.policies.get(name);
    if (!policy) continue;
    for (const rule of policy.rules) {
      const caps = rule.capabilities;
      const how = caps.includes("deny")
        ? "**denied** — do not ask again"
        : caps
            .map((c) => HOW[c])
            .filter(Boolean)
            .join("; ");
      rows.push(
        `| ${code(name)} | ${rule.paths.map(code).join(", ")} | ${caps.join(", ")} | ${approvalText(rule)} | ${how} |`,
      );
    }
  }
  if (rows.length === 0) return "Your policies allow nothing yet: ask the operator.";
  return [
    "| Policy | Paths | Capabilities | Approval | How |",
    "| --- | --- | --- | --- | --- |",
    ...rows,
  ].join("\n");
}

export function skillMarkdown(ctx: AppContext, actor: Actor, baseUrl: string): string {
  const mcp = `${baseUrl}/v1/mcp`;
  return `# Gatehouse skill

Gatehouse is a secrets vault for AI agents. Use credentials without holding them: let the server inject
them into HTTP requests (proxy), lease a value only when a tool outside Gatehouse needs it, and never put a
value in chat, notes, logs or commits. Some requests wait for a human's approval. Everything is audited.

| | |
| --- | --- |
| Base URL | ${code(baseUrl)} |
| MCP endpoint | ${code(mcp)} (Streamable HTTP, stateless) |
| You are | ${code(actor.identity)} |
| Policies | ${actor.policies.map(code).join(", ") || "none"} |

## What your policies allow

${policyTable(ctx, actor)}

Policy paths are globs: \`*\` is one path segment, \`**\` any number of them. When several rules match, a
\`deny\` wins, approval applies if any matching rule requires it, and the smallest \`max_ttl\` applies.

## MCP tools

| Tool | Inputs (* required) | What it does |
| --- | --- | --- |
| \`gatehouse_proxy\` | method*, url*, headers, inject, auto_inject, body, timeout, reason | HTTP call with secrets injected (\`{{secret:path}}\`, \`inject: {Header: "path"}\`, \`basic:path\`); scrubbed response |
| \`gatehouse_lease\` | path*, ttl, reason | \`{lease_id, expires_at, ttl_seconds, value}\`; TTL clamped to 10–86400 s and the policy's max_ttl |
| \`gatehouse_get\` | path*, reason | The current value |
| \`gatehouse_checkout\` | path*, ttl, reason | A dynamic credential (database user, SSH certificate) with a lease |
| \`gatehouse_revoke\` | lease_id* | Ends a lease early |
| \`gatehouse_list\` | prefix | Secrets you may see, with your capabilities on each |
| \`gatehouse_put\` | path*, value*, metadata | Stores a new version |
| \`gatehouse_scrub\` | text* | Redacts credentials from text |
| \`gatehouse_status\` | | Your identity, policies and active leases |
| \`gatehouse_patterns\` | secret_path* | API patterns learned from proxy calls |
| \`gatehouse_request_status\` | request_id*, wait | An approval request; an approved lease carries its value |

A call that needs approval waits up to 60 s (sending \`notifications/progress\` when you pass a
progress token; 50 s without one), then answers \`{status: "pending", request_id}\`: poll
\`gatehouse_request_status\` rather than repeating the call.
Denials are tool errors (\`isError\`) with the same \`code\` as the REST API. Everything a tool returns is
passed through the credential scrubber, except the value a get, lease or checkout exists to hand you.

## REST API

Send \`Authorization: Bearer <token>\`. Errors are \`{error, code, request_id}\`.

| Method and path | Purpose |
| --- | --- |
| \`POST /v1/auth/approle/login\` | \`{role_id, secret_id}\` → \`{token, expires_in}\` |
| \`GET /v1/auth/whoami\` | Who the token is |
| \`GET /v1/secrets?prefix=\` | List what you may see |
| \`GET /v1/secrets/<path>/value\` | Read a value (\`X-Gatehouse-Reason\` header for the approver) |
| \`POST /v1/secrets/<path>\` | \`{value, metadata?}\` writes a new version |
| \`POST /v1/lease/<path>\` | \`{ttl?, reason?}\` → \`{lease, value}\`; 202 \`pending\` when approval is required |
| \`DELETE /v1/lease/<lease_id>\` | Revoke a lease |
| \`GET /v1/requests/<request_id>?wait=30\` | An approval request; an approved lease carries its value |
| \`POST /v1/scrub\` | \`{text}\` → \`{scrubbed, redactions}\` |
| \`GET /v1/mcp/tools\` | The MCP tool list with input schemas |

## Connect your agent

${connectSection(baseUrl)}

## Situations

${SITUATIONS}
`;
}
