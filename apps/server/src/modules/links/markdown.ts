// The bootstrap documents an agent reads from an onboarding or rotate link. They hold no secret:
// the credentials only exist once the agent exchanges the link.

export interface LinkDoc {
  baseUrl: string;
  token: string;
  roleId: string;
  roleDisplayName: string;
  policies: string[];
  expiresAt: number;
}

/** Plain text inside markdown: no markup, tables or HTML can be smuggled in through a display name. */
const text = (s: string) => s.replace(/[\r\n]+/g, " ").replace(/([\\`*_[\]{}()<>#+!|~-])/g, "\\$1");
const code = (s: string) => `\`${s.replace(/`/g, "")}\``;

const facts = (d: LinkDoc, extra: [string, string][]) =>
  [
    "| | |",
    "| --- | --- |",
    `| Base URL | ${code(d.baseUrl)} |`,
    ...extra.map(([k, v]) => `| ${k} | ${v} |`),
    `| AppRole | ${text(d.roleDisplayName)} (${code(d.roleId)}) |`,
    `| Policies | ${d.policies.map(code).join(", ") || "none"} |`,
    `| This link expires | ${new Date(d.expiresAt).toISOString()} |`,
  ].join("\n");

const login = (d: LinkDoc) =>
  [
    "```sh",
    `curl -sS -X POST ${d.baseUrl}/v1/auth/approle/login \\`,
    "  -H 'content-type: application/json' \\",
    `  -d '{"role_id":"${d.roleId}","secret_id":"'"$GATEHOUSE_SECRET_ID"'"}'`,
    "```",
  ].join("\n");

export const SITUATIONS = [
  "| Situation | What to do |",
  "| --- | --- |",
  "| 401 `unauthorized`: token expired | Log in again with role_id and secret_id (`POST /v1/auth/approle/login`) |",
  "| 401 `unauthorized`: token revoked | Your secret_id was rotated; ask the operator for a rotate link |",
  "| 403 `suspended` | Your AppRole is suspended: stop and tell the operator |",
  "| 403 `ip_not_allowed` | You are calling from an address outside the AppRole's allowlist; tell the operator |",
  "| 403 `forbidden` | Your policies do not allow this; do not retry, ask the operator |",
  "| 410 `gone` on this link | It was already exchanged, revoked or expired; ask for a new link |",
  "| 429 `rate_limited` | Wait the number of seconds in `Retry-After`, then retry once |",
  '| 202 `pending`, or a tool answers `{status: "pending", request_id}` | A human must approve: poll `GET /v1/requests/<request_id>?wait=30` or `gatehouse_request_status`; do not repeat the call |',
  "| An MCP tool answers `isError` with `code` | The same codes as REST: read the `error` message; `forbidden` is final for your policies |",
  "| You need a credential | Use the proxy or lease tools so its value never enters your context |",
].join("\n");

// Cursor expands `${env:NAME}` in mcp.json: the token stays in the environment, not in the file.
const CURSOR_ENV_TOKEN = ["Bearer $", "{env:GATEHOUSE_TOKEN}"].join("");

/**
 * Copyable client configurations for the MCP endpoint and the stdio bridge (onboarding, /v1/skill).
 * Credentials appear only as environment variable names, never as values.
 */
export function connectSection(baseUrl: string, roleId = "<role_id>"): string {
  const mcp = `${baseUrl}/v1/mcp`;
  const json = (o: unknown) => JSON.stringify(o, null, 2);
  return `### Streamable HTTP (\`${mcp}\`)

Stateless MCP over HTTP with \`Authorization: Bearer <token>\` (an AppRole token, or a user's access
token). An AppRole token lasts the role's token TTL; for long sessions use the stdio bridge below, which
logs in again by itself.

Claude Code:

\`\`\`sh
claude mcp add --transport http gatehouse ${mcp} --header "Authorization: Bearer $GATEHOUSE_TOKEN"
\`\`\`

Cursor (\`~/.cursor/mcp.json\`) and other clients with a JSON \`mcpServers\` file:

\`\`\`json
${json({ mcpServers: { gatehouse: { url: mcp, headers: { Authorization: CURSOR_ENV_TOKEN } } } })}
\`\`\`

Codex (\`~/.codex/config.toml\`):

\`\`\`toml
[mcp_servers.gatehouse]
url = "${mcp}"
bearer_token_env_var = "GATEHOUSE_TOKEN"
\`\`\`

### Stdio bridge (\`gatehouse mcp\`)

For desktop clients that only start local commands. The bridge (\`packages/cli\` in the Gatehouse
repository; \`bun link\` there puts \`gatehouse\` on your PATH) logs in with role_id and secret_id, refreshes
its token before it expires and forwards every tool call to ${code(mcp)}. It opens no database, needs no
master key and takes no identity or policies from its environment: the server decides everything.

\`\`\`json
${json({
  mcpServers: {
    gatehouse: {
      command: "gatehouse",
      args: ["mcp", "--url", baseUrl],
      env: { GATEHOUSE_ROLE_ID: roleId, GATEHOUSE_SECRET_ID: "<secret_id>" },
    },
  },
})}
\`\`\`

Claude Code: \`claude mcp add gatehouse -e GATEHOUSE_ROLE_ID=${roleId} -e GATEHOUSE_SECRET_ID=<secret_id> -- gatehouse mcp --url ${baseUrl}\``;
}

export function onboardMarkdown(d: LinkDoc): string {
  const mcp = `${d.baseUrl}/v1/mcp`;
  return `# Gatehouse onboarding: ${text(d.roleDisplayName)}

You are being connected to Gatehouse, a secrets vault for AI agents. Gatehouse lets you use
credentials without holding them: it injects them into requests for you, asks a human when a
policy requires it, and records everything you do.

${facts(d, [["MCP endpoint", code(mcp)]])}

## 1. Exchange this link (once)

\`\`\`sh
curl -sS -X POST ${d.baseUrl}/v1/onboard/${d.token}/exchange
\`\`\`

The JSON answer holds \`token\`, \`identity\`, \`policies\`, \`expires_in\`, \`role_id\`, \`secret_id\`,
\`base_url\`, \`mcp_url\` and \`role_display_name\`. The link works once: afterwards it answers 410.
You can read this page again until then.

## 2. Keep the credentials out of your context

- Store \`role_id\` and \`secret_id\` where your runtime keeps secrets (for example the environment
  variables \`GATEHOUSE_ROLE_ID\` and \`GATEHOUSE_SECRET_ID\`). Never paste them into chat, notes,
  logs or commits.
- \`token\` is a bearer token valid for \`expires_in\` seconds. Send it as
  \`Authorization: Bearer <token>\`.

## 3. Connect

- MCP (Streamable HTTP): ${code(mcp)} with \`Authorization: Bearer <token>\`. Tools: \`gatehouse_proxy\`
  (call an API with a stored credential you never see), \`gatehouse_lease\`, \`gatehouse_get\`,
  \`gatehouse_list\`, \`gatehouse_put\`, \`gatehouse_revoke\`, \`gatehouse_scrub\`, \`gatehouse_status\`,
  \`gatehouse_patterns\`, \`gatehouse_checkout\` and \`gatehouse_request_status\`.
- Stdio bridge: \`gatehouse mcp --url ${d.baseUrl}\` with \`GATEHOUSE_ROLE_ID\` and \`GATEHOUSE_SECRET_ID\` in
  its environment; it logs in and refreshes the token itself.
- REST: ${code(`${d.baseUrl}/v1/`)} with the same header. \`GET /v1/skill\` (authenticated) describes the API
  and what your policies allow.
- When the token expires, log in again:

${login(d)}

## 4. Connect your agent

${connectSection(d.baseUrl, d.roleId)}

## Situations

${SITUATIONS}
`;
}

export function rotateMarkdown(d: LinkDoc): string {
  return `# Gatehouse secret rotation: ${text(d.roleDisplayName)}

This link gives the AppRole below a new secret_id. Exchanging it revokes the old secret_id and
every token issued with it at once.

${facts(d, [])}

## 1. Exchange this link (once)

\`\`\`sh
curl -sS -X POST ${d.baseUrl}/v1/rotate/${d.token}/exchange
\`\`\`

The JSON answer holds \`role_id\`, \`secret_id\` (the new one), \`base_url\` and \`role_display_name\`.
The link works once: afterwards it answers 410.

## 2. Replace the stored secret_id, then log in again

Overwrite the stored secret_id (for example \`GATEHOUSE_SECRET_ID\`) without printing it, then:

${login(d)}

## Situations

${SITUATIONS}
`;
}
