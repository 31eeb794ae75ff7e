import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import {
  type FilterSettings,
  type McpServerView,
  type McpTool,
  mcpCallsQuery,
  mcpServerQuery,
  mcpToolsQuery,
  useDeleteServer,
  useTestServer,
  useUpdateServer,
  useUpdateTool,
} from "../../../api/gateway";
import { Badge } from "../../../components/badge";
import { ConfirmDialog } from "../../../components/confirm-dialog";
import { DetailSection } from "../../../components/detail-section";
import { Dialog } from "../../../components/dialog";
import { Fact } from "../../../components/fact";
import { FormError } from "../../../components/form-error";
import { QueryState } from "../../../components/query-state";
import { formatDateTime, formatRelative } from "../../../lib/format";
import { toast } from "../../../lib/toast";
import { CallTable } from "./call-table";
import { FILTERS, FilterSettingsForm, MODE_LABELS } from "./filter-settings";
import { ServerForm } from "./server-form";
import { StatusBadge } from "./status-badge";
import { ToolForm } from "./tool-form";
import { ToolTable } from "./tool-table";

type Open = { kind: "edit" } | { kind: "tool"; tool: McpTool } | { kind: "delete" } | null;

interface Props {
  name: string;
  globalFilters: FilterSettings | undefined;
  onDeleted: () => void;
}

/** One upstream: its registration, test start, tools, filters and recent calls. */
export function ServerDetail({ name, globalFilters, onDeleted }: Props) {
  const server = useQuery(mcpServerQuery(name));
  return (
    <section className="card dynamic-detail" aria-labelledby="mcp-detail-title">
      <QueryState query={server} what="the server">
        {(view) => <Detail view={view} globalFilters={globalFilters} onDeleted={onDeleted} />}
      </QueryState>
    </section>
  );
}

function Detail({
  view,
  globalFilters,
  onDeleted,
}: {
  view: McpServerView;
  globalFilters: FilterSettings | undefined;
  onDeleted: () => void;
}) {
  const { name } = view;
  const [open, setOpen] = useState<Open>(null);
  // Listing the tools of a server never started would start it: wait for a test (or a first use).
  const listed = view.tool_count !== null;
  const tools = useQuery({ ...mcpToolsQuery(name), enabled: listed });
  const calls = useQuery(mcpCallsQuery(name));
  const test = useTestServer();
  const update = useUpdateServer();
  const saveFilters = useUpdateServer();
  const toggle = useUpdateServer();
  const updateTool = useUpdateTool();
  const remove = useDeleteServer();

  const close = () => {
    setOpen(null);
    for (const m of [update, updateTool, remove]) m.reset();
  };

  const setHidden = (tool: McpTool, hidden: boolean) =>
    updateTool.mutate(
      { server: name, tool: tool.name, update: { hidden } },
      {
        onSuccess: () => toast.success(`${tool.name} ${hidden ? "hidden from" : "shown to"} agents.`),
        onError: (e) => toast.error(`${tool.name}: ${e.message}`),
      },
    );

  const status = view.status;
  const overrides = view.filters ?? {};

  return (
    <div className="stack">
      <div className="card-header">
        <div className="dynamic-title">
          <h2 id="mcp-detail-title" className="card-title mono">
            {name}
          </h2>
          <div className="chips">
            <Badge tone="accent">{view.transport === "stdio" ? "stdio" : "HTTP"}</Badge>
            <StatusBadge server={view} />
            {view.transport === "stdio" && view.sandbox ? (
              <Badge
                tone={view.sandbox === "none" ? "warning" : "info"}
                title={
                  view.sandbox === "none"
                    ? "Only the environment and HOME are separate: the process runs as the vault's user"
                    : undefined
                }
              >
                sandbox: {view.sandbox}
              </Badge>
            ) : null}
            {status.stale ? <Badge tone="warning">restarts with the new settings</Badge> : null}
          </div>
          {view.description ? <p className="muted">{view.description}</p> : null}
        </div>
        <div className="button-row">
          <button
            type="button"
            className="button button-primary button-small"
            disabled={test.isPending}
            onClick={() => test.mutate(name)}
          >
            {test.isPending ? "Starting…" : "Test server"}
          </button>
          <button
            type="button"
            className="button button-secondary button-small"
            onClick={() => setOpen({ kind: "edit" })}
          >
            Edit
          </button>
          <button
            type="button"
            className="button button-secondary button-small"
            disabled={toggle.isPending}
            onClick={() =>
              toggle.mutate(
                { name, input: { enabled: !view.enabled } },
                {
                  onSuccess: (v) => toast.success(`${name} ${v.enabled ? "enabled" : "disabled"}.`),
                },
              )
            }
          >
            {view.enabled ? "Disable" : "Enable"}
          </button>
          <button
            type="button"
            className="button button-danger-ghost button-small"
            onClick={() => setOpen({ kind: "delete" })}
          >
            Delete
          </button>
        </div>
      </div>

      {test.data && !test.isPending ? (
        <div className="callout callout-success" role="status">
          <strong>Started in {test.data.duration_ms} ms</strong>
          {test.data.server_info ? ` as ${test.data.server_info.name} ${test.data.server_info.version}` : ""}
          {test.data.sandbox ? ` (sandbox: ${test.data.sandbox})` : ""}: {test.data.tools.length} tool
          {test.data.tools.length === 1 ? "" : "s"} listed.
        </div>
      ) : null}
      {test.error ? (
        <div className="callout callout-danger" role="alert">
          <strong>The server did not start.</strong>{" "}
          <span className="mcp-error-text">{test.error.message}</span>
        </div>
      ) : null}
      <FormError error={toggle.error} />
      {!test.error && status.last_error ? (
        <div className="callout callout-warning">
          <strong>Last failure{status.failures > 1 ? ` (${status.failures} in a row)` : ""}:</strong>{" "}
          <span className="mcp-error-text">{status.last_error}</span>
          {status.state === "backoff" && status.next_start_in != null
            ? ` Next start in ${status.next_start_in}s.`
            : ""}
        </div>
      ) : null}

      <dl className="facts dynamic-facts">
        {view.transport === "stdio" ? (
          <>
            <Fact label="Command">
              <code className="mcp-command">{[view.command, ...(view.args ?? [])].join(" ")}</code>
            </Fact>
            <Fact label="Environment">
              <KeyList keys={Object.keys(view.env ?? {})} none="Only PATH and HOME" />
            </Fact>
            <Fact label="Read-only paths">
              {view.read_only_paths?.length ? (
                <span className="mono">{view.read_only_paths.join(", ")}</span>
              ) : (
                "—"
              )}
            </Fact>
            <Fact label="Network">{view.network === false ? "off" : "on"}</Fact>
          </>
        ) : (
          <>
            <Fact label="URL">
              <code className="mcp-command">{view.url}</code>
            </Fact>
            <Fact label="Headers">
              <KeyList keys={Object.keys(view.headers ?? {})} none="None" />
            </Fact>
          </>
        )}
        <Fact label="Secrets used">
          {view.secret_refs.length ? (
            <span className="chips">
              {view.secret_refs.map((p) => (
                <Badge key={p} tone="info">
                  <span className="mono">{p}</span>
                </Badge>
              ))}
            </span>
          ) : (
            "None"
          )}
        </Fact>
        <Fact label="Timeout">{view.timeout_seconds}s</Fact>
        <Fact label="Process">
          {status.state === "running"
            ? `pid ${status.pid ?? "—"}, started ${formatRelative(status.started_at)}${status.restarts ? `, ${status.restarts} restart(s)` : ""}`
            : status.state}
        </Fact>
        <Fact label="Updated">
          {formatDateTime(view.updated_at)} by {view.updated_by}
        </Fact>
      </dl>

      <DetailSection
        id="mcp-tools-title"
        title={<>Tools {tools.data ? <span className="count-pill">{tools.data.length}</span> : null}</>}
        aside={
          view.tools_listed_at ? (
            <span className="field-hint">Listed {formatRelative(view.tools_listed_at)}</span>
          ) : null
        }
      >
        {!listed ? (
          <p className="empty">Not listed yet: test the server to start it and list its tools.</p>
        ) : (
          <QueryState query={tools} what="tools">
            {(list) => (
              <ToolTable
                tools={list}
                busy={updateTool.isPending ? (updateTool.variables?.tool ?? null) : null}
                onToggleHidden={setHidden}
                onEdit={(tool) => setOpen({ kind: "tool", tool })}
              />
            )}
          </QueryState>
        )}
        <p className="field-hint">
          Agents see a tool only when it is visible here and a policy grants <code>call</code> on its path.
        </p>
      </DetailSection>

      <DetailSection
        id="mcp-server-filters-title"
        title={<>Filters for {name}</>}
        aside={
          <span className="field-hint">
            In effect:{" "}
            {FILTERS.map(
              (f) =>
                `${f.label.toLowerCase()} ${MODE_LABELS[view.effective_filters[f.kind].mode].toLowerCase()}`,
            ).join(", ")}
          </span>
        }
      >
        <FilterSettingsForm
          key={JSON.stringify(overrides)}
          scope="server"
          value={overrides}
          inherited={globalFilters}
          pending={saveFilters.isPending}
          error={saveFilters.error}
          submitLabel="Save server filters"
          onSubmit={(filters) =>
            saveFilters.mutate(
              { name, input: { filters } },
              { onSuccess: () => toast.success(`Filters for ${name} saved.`) },
            )
          }
        />
      </DetailSection>

      <DetailSection id="mcp-calls-title" title="Recent calls">
        <QueryState query={calls} what="recent calls">
          {(list) => <CallTable calls={list} />}
        </QueryState>
        <p className="field-hint">From the audit log: arguments and results are never stored.</p>
      </DetailSection>

      {open?.kind === "edit" ? (
        <Dialog title={`Edit ${name}`} onClose={close} wide>
          <ServerForm
            existing={view}
            pending={update.isPending}
            error={update.error}
            onCancel={close}
            onSubmit={(r) =>
              update.mutate(
                { name, input: r.input },
                {
                  onSuccess: () => {
                    toast.success(`${name} saved. It restarts with the new settings on next use.`);
                    close();
                  },
                },
              )
            }
          />
        </Dialog>
      ) : null}
      {open?.kind === "tool" ? (
        <Dialog title={`Tool ${open.tool.name}`} onClose={close}>
          <ToolForm
            server={name}
            tool={open.tool}
            pending={updateTool.isPending}
            error={updateTool.error}
            onCancel={close}
            onSubmit={(update) =>
              updateTool.mutate(
                { server: name, tool: open.tool.name, update },
                {
                  onSuccess: (t) => {
                    toast.success(`${open.tool.name} is exposed as ${t.exposed_name}.`);
                    close();
                  },
                },
              )
            }
          />
        </Dialog>
      ) : null}
      {open?.kind === "delete" ? (
        <ConfirmDialog
          title={`Delete ${name}?`}
          confirmLabel="Delete server"
          danger
          pending={remove.isPending}
          error={remove.error}
          onClose={close}
          onConfirm={() =>
            remove.mutate(name, {
              onSuccess: () => {
                toast.success(`${name} deleted.`);
                close();
                onDeleted();
              },
            })
          }
        >
          <p>
            The server is stopped and its tools disappear from <code>/v1/mcp</code> along with their
            tool-manager settings. The secrets it references stay in the vault.
          </p>
        </ConfirmDialog>
      ) : null}
    </div>
  );
}

function KeyList({ keys, none }: { keys: string[]; none: string }) {
  if (keys.length === 0) return <>{none}</>;
  return (
    <span className="chips" title="Values are stored sealed and never shown">
      {keys.map((k) => (
        <Badge key={k}>
          <span className="mono">{k}</span>
        </Badge>
      ))}
    </span>
  );
}
