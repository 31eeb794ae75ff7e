import { type KeyboardEvent, type ReactNode, useId, useState } from "react";
import type { AppRole } from "../../../api/approles";
import { CopyButton } from "../../../components/copy-button";
import { SelectField } from "../../../components/field";

type Client = "claude" | "cursor" | "codex" | "bridge";

const CLIENTS: readonly { id: Client; label: string }[] = [
  { id: "claude", label: "Claude Code" },
  { id: "cursor", label: "Cursor" },
  { id: "codex", label: "Codex" },
  { id: "bridge", label: "Stdio bridge" },
];

interface Snippet {
  title: string;
  /** Names the copy button ("Copy <what>"). */
  what: string;
  language: string;
  code: string;
}

// Cursor expands `${env:NAME}` in mcp.json, so the token stays in the environment, not in the file.
const CURSOR_ENV_TOKEN = ["Bearer $", "{env:GATEHOUSE_TOKEN}"].join("");

/** The same configurations the server's onboarding document and /v1/skill give (links/markdown.ts). */
export function connectSnippets(origin: string, roleId: string): Record<Client, Snippet[]> {
  const mcp = `${origin}/v1/mcp`;
  const json = (o: unknown) => JSON.stringify(o, null, 2);
  const login: Snippet = {
    title: "Get a token (AppRole login)",
    what: "login command",
    language: "sh",
    code: [
      `export GATEHOUSE_TOKEN=$(curl -sS -X POST ${origin}/v1/auth/approle/login \\`,
      "  -H 'content-type: application/json' \\",
      `  -d '{"role_id":"${roleId}","secret_id":"'"$GATEHOUSE_SECRET_ID"'"}' | jq -r .token)`,
    ].join("\n"),
  };
  return {
    claude: [
      login,
      {
        title: "Add the server",
        what: "claude mcp add command",
        language: "sh",
        code: `claude mcp add --transport http gatehouse ${mcp} --header "Authorization: Bearer $GATEHOUSE_TOKEN"`,
      },
    ],
    cursor: [
      login,
      {
        title: "~/.cursor/mcp.json (or any client with a JSON mcpServers file)",
        what: "mcp.json",
        language: "json",
        code: json({ mcpServers: { gatehouse: { url: mcp, headers: { Authorization: CURSOR_ENV_TOKEN } } } }),
      },
    ],
    codex: [
      login,
      {
        title: "~/.codex/config.toml",
        what: "config.toml",
        language: "toml",
        code: ["[mcp_servers.gatehouse]", `url = "${mcp}"`, 'bearer_token_env_var = "GATEHOUSE_TOKEN"'].join(
          "\n",
        ),
      },
    ],
    bridge: [
      {
        title: "Run the bridge",
        what: "bridge command",
        language: "sh",
        code: `gatehouse mcp --url ${origin} --role-id ${roleId} --secret-id "$GATEHOUSE_SECRET_ID"`,
      },
      {
        title: "Desktop clients (JSON mcpServers)",
        what: "bridge JSON",
        language: "json",
        code: json({
          mcpServers: {
            gatehouse: {
              command: "gatehouse",
              args: ["mcp", "--url", origin],
              env: { GATEHOUSE_ROLE_ID: roleId, GATEHOUSE_SECRET_ID: "<secret_id>" },
            },
          },
        }),
      },
      {
        title: "Claude Code over the bridge",
        what: "claude bridge command",
        language: "sh",
        code: `claude mcp add gatehouse -e GATEHOUSE_ROLE_ID=${roleId} -e GATEHOUSE_SECRET_ID=<secret_id> -- gatehouse mcp --url ${origin}`,
      },
    ],
  };
}

const NOTES: Record<Client, ReactNode> = {
  claude:
    "Streamable HTTP with a bearer token. An AppRole token lasts the role's token TTL; for long sessions use the stdio bridge, which logs in again by itself.",
  cursor:
    "Cursor reads the token from the GATEHOUSE_TOKEN environment variable, so it never lands in the file.",
  codex: "Codex sends the GATEHOUSE_TOKEN environment variable as the bearer token.",
  bridge: (
    <>
      For clients that only start local commands. The bridge (<code>packages/cli</code>; <code>bun link</code>{" "}
      there puts <code>gatehouse</code> on your PATH) logs in with role_id and secret_id, renews its token and
      forwards tool calls. Prefer <code>GATEHOUSE_SECRET_ID</code> in the environment over{" "}
      <code>--secret-id</code>: command lines are visible to other local users.
    </>
  ),
};

/** "Connect your agent": copyable MCP client configurations for this server, for a chosen AppRole. */
export function ConnectAgent({ roles }: { roles: readonly AppRole[] }) {
  const base = useId();
  const [client, setClient] = useState<Client>("claude");
  const [roleId, setRoleId] = useState("");
  const origin = window.location.origin;
  const snippets = connectSnippets(origin, roleId || "<role_id>")[client];

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key !== "ArrowLeft" && event.key !== "ArrowRight") return;
    event.preventDefault();
    const i = CLIENTS.findIndex((c) => c.id === client);
    const next = CLIENTS[(i + (event.key === "ArrowRight" ? 1 : CLIENTS.length - 1)) % CLIENTS.length];
    if (!next) return;
    setClient(next.id);
    document.getElementById(`${base}-tab-${next.id}`)?.focus();
  };

  return (
    <section className="card connect-agent" aria-labelledby={`${base}-title`}>
      <div className="card-header">
        <h2 id={`${base}-title`} className="card-title">
          Connect your agent
        </h2>
      </div>
      <p className="muted">
        Gatehouse speaks MCP at <code>{origin}/v1/mcp</code>. Give the agent its role_id and secret_id (or an
        onboarding link), then add the server to its client. Credentials appear here only as environment
        variables.
      </p>
      <div className="connect-controls">
        <SelectField
          label="AppRole"
          value={roleId}
          onChange={(e) => setRoleId(e.target.value)}
          options={[
            { value: "", label: "Any AppRole (<role_id> placeholder)" },
            ...roles.map((r) => ({ value: r.role_id, label: r.display_name })),
          ]}
        />
      </div>
      <div className="tabs connect-tabs" role="tablist" aria-label="MCP client" onKeyDown={onKeyDown}>
        {CLIENTS.map((c) => (
          <button
            key={c.id}
            type="button"
            role="tab"
            id={`${base}-tab-${c.id}`}
            aria-selected={client === c.id}
            aria-controls={`${base}-panel`}
            tabIndex={client === c.id ? 0 : -1}
            className="tab"
            onClick={() => setClient(c.id)}
          >
            {c.label}
          </button>
        ))}
      </div>
      <div
        role="tabpanel"
        id={`${base}-panel`}
        aria-labelledby={`${base}-tab-${client}`}
        className="stack connect-panel"
      >
        <p className="field-hint">{NOTES[client]}</p>
        {snippets.map((s) => (
          <figure key={s.title} className="snippet">
            <figcaption className="snippet-head">
              <span>{s.title}</span>
              <CopyButton value={s.code} what={s.what} />
            </figcaption>
            <pre className="code-block">
              <code>{s.code}</code>
            </pre>
          </figure>
        ))}
      </div>
    </section>
  );
}
