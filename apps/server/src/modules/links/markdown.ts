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

const SITUATIONS = [
  "| Situation | What to do |",
  "| --- | --- |",
  "| 401 `unauthorized`: token expired | Log in again with role_id and secret_id (`POST /v1/auth/approle/login`) |",
  "| 401 `unauthorized`: token revoked | Your secret_id was rotated; ask the operator for a rotate link |",
  "| 403 `suspended` | Your AppRole is suspended: stop and tell the operator |",
  "| 403 `ip_not_allowed` | You are calling from an address outside the AppRole's allowlist; tell the operator |",
  "| 403 `forbidden` | Your policies do not allow this; do not retry, ask the operator |",
  "| 410 `gone` on this link | It was already exchanged, revoked or expired; ask for a new link |",
  "| 429 `rate_limited` | Wait the number of seconds in `Retry-After`, then retry once |",
  "| You need a credential | Use the proxy or lease tools so its value never enters your context |",
].join("\n");

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

- MCP (Streamable HTTP): ${code(mcp)} with \`Authorization: Bearer <token>\`.
- REST: ${code(`${d.baseUrl}/v1/`)} with the same header.
- When the token expires, log in again:

${login(d)}

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
