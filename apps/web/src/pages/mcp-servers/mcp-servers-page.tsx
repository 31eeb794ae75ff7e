import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { isApiError } from "../../api/client";
import { mcpFiltersQuery, mcpServersQuery, useCreateServer, usePutFilters } from "../../api/gateway";
import { Dialog } from "../../components/dialog";
import { PageHeader } from "../../components/page-header";
import { QueryState } from "../../components/query-state";
import { navigate, useLocation } from "../../lib/router";
import { toast } from "../../lib/toast";
import { FilterSettingsForm } from "./components/filter-settings";
import { ServerDetail } from "./components/server-detail";
import { ServerForm } from "./components/server-form";
import { ServerList } from "./components/server-list";

const BASE = "/mcp-servers";
const hrefOf = (name: string) => `${BASE}?server=${encodeURIComponent(name)}`;

export function McpServersPage() {
  const servers = useQuery(mcpServersQuery());
  const filters = useQuery(mcpFiltersQuery());
  const selected = useLocation().search.get("server");
  const [creating, setCreating] = useState(false);
  const create = useCreateServer();
  const putFilters = usePutFilters();
  const forbidden = isApiError(servers.error) && servers.error.status === 403;
  const sandbox = servers.data?.sandbox;

  const close = () => {
    setCreating(false);
    create.reset();
  };

  return (
    <>
      <PageHeader
        title="MCP servers"
        description="Upstream MCP servers behind the Gatehouse gateway: agents reach their tools through /v1/mcp as server__tool, with vault-injected credentials and content filters."
        actions={
          forbidden ? undefined : (
            <button type="button" className="button button-primary" onClick={() => setCreating(true)}>
              Register server
            </button>
          )
        }
      />
      {forbidden ? (
        <section className="card">
          <p className="muted">
            Upstream MCP servers are managed by global admins. Agents use their tools through the MCP endpoint{" "}
            <code>/v1/mcp</code> when a policy grants <code>call</code> on{" "}
            <code>mcp/&lt;server&gt;/&lt;tool&gt;</code>.
          </p>
        </section>
      ) : (
        <div className="stack">
          {sandbox && sandbox.mode === "none" ? (
            <div className="callout callout-warning" role="note">
              <strong>stdio servers run without a sandbox.</strong> {sandbox.detail}
            </div>
          ) : null}
          <div className="dynamic-layout">
            <section className="card dynamic-list-card" aria-label="Servers">
              <QueryState query={servers} what="servers">
                {(data) =>
                  data.servers.length === 0 ? (
                    <div className="empty">
                      <p>No MCP servers yet.</p>
                      <p className="field-hint">
                        Register a local command (stdio) or a remote URL (HTTP). Its credentials can come from
                        the vault as {"{{secret:path}}"}.
                      </p>
                    </div>
                  ) : (
                    <ServerList servers={data.servers} selected={selected} hrefOf={hrefOf} />
                  )
                }
              </QueryState>
              {sandbox ? (
                <p className="field-hint mcp-sandbox-note" title={sandbox.detail}>
                  stdio sandbox: <strong>{sandbox.mode}</strong>
                </p>
              ) : null}
            </section>
            {selected ? (
              <ServerDetail
                key={selected}
                name={selected}
                globalFilters={filters.data?.filters}
                onDeleted={() => navigate(BASE)}
              />
            ) : (
              <section className="card dynamic-detail dynamic-placeholder">
                <p className="muted">
                  Select a server to test it, manage its tools and filters, or see its calls.
                </p>
              </section>
            )}
          </div>
          <section className="card" aria-labelledby="mcp-global-filters-title">
            <div className="card-header">
              <h2 id="mcp-global-filters-title" className="card-title">
                Global filters
              </h2>
            </div>
            <p className="field-hint mcp-filters-intro">
              Applied to every call's arguments and results, unless a server overrides them. Block refuses the
              call, redact replaces the match, audit only records it.
            </p>
            <QueryState query={filters} what="filters">
              {(view) => (
                <FilterSettingsForm
                  key={JSON.stringify(view.filters)}
                  scope="global"
                  value={view.filters}
                  pending={putFilters.isPending}
                  error={putFilters.error}
                  submitLabel="Save global filters"
                  onSubmit={(next) =>
                    putFilters.mutate(next, { onSuccess: () => toast.success("Global filters saved.") })
                  }
                />
              )}
            </QueryState>
          </section>
        </div>
      )}

      {creating ? (
        <Dialog title="Register an MCP server" onClose={close} wide>
          <ServerForm
            pending={create.isPending}
            error={create.error}
            onCancel={close}
            onSubmit={(r) =>
              create.mutate(
                { ...r.input, name: r.name, transport: r.transport },
                {
                  onSuccess: (view) => {
                    toast.success(`${view.name} registered. Test it to start it and list its tools.`);
                    close();
                    navigate(hrefOf(view.name));
                  },
                },
              )
            }
          />
        </Dialog>
      ) : null}
    </>
  );
}
