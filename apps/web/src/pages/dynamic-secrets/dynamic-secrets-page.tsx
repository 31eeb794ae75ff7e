import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { isApiError } from "../../api/client";
import {
  dynamicConfigsQuery,
  type GeneratedCa,
  providersQuery,
  useGenerateCa,
  useSaveConfig,
} from "../../api/dynamic";
import { Dialog, DialogActions } from "../../components/dialog";
import { PageHeader } from "../../components/page-header";
import { QueryState } from "../../components/query-state";
import { navigate, useLocation } from "../../lib/router";
import { toast } from "../../lib/toast";
import { CaKeyPanel } from "./components/ca-key-panel";
import { ConfigDetail } from "./components/config-detail";
import { ConfigForm, type ConfigFormResult } from "./components/config-form";
import { ConfigList } from "./components/config-list";

const BASE = "/dynamic-secrets";
const hrefOf = (path: string) => `${BASE}?path=${encodeURIComponent(path)}`;

export function DynamicSecretsPage() {
  const configs = useQuery(dynamicConfigsQuery());
  const providers = useQuery(providersQuery());
  const selected = useLocation().search.get("path");
  const [creating, setCreating] = useState(false);
  const [generated, setGenerated] = useState<GeneratedCa | null>(null);
  const save = useSaveConfig();
  const generate = useGenerateCa();
  const forbidden = isApiError(configs.error) && configs.error.status === 403;

  const close = () => {
    setCreating(false);
    save.reset();
    generate.reset();
  };

  const create = (r: ConfigFormResult) => {
    const done = (path: string) => {
      close();
      navigate(hrefOf(path));
    };
    if (r.generateCa) {
      generate.mutate(
        { path: r.path, config: r.config },
        {
          onSuccess: (ca) => {
            done(ca.path);
            setGenerated(ca);
          },
        },
      );
      return;
    }
    save.mutate(
      { path: r.path, provider_type: r.provider_type, config: r.config },
      {
        onSuccess: (view) => {
          toast.success(`${view.path} created. Test its connection before agents use it.`);
          done(view.path);
        },
      },
    );
  };

  return (
    <>
      <PageHeader
        title="Dynamic secrets"
        description="Short-lived credentials created on demand: database users, Redis ACL users and SSH certificates."
        actions={
          forbidden ? undefined : (
            <button
              type="button"
              className="button button-primary"
              disabled={!providers.data}
              onClick={() => setCreating(true)}
            >
              New configuration
            </button>
          )
        }
      />
      {forbidden ? (
        <section className="card">
          <p className="muted">
            Dynamic-secret configurations are managed by global admins. Agents check out credentials with{" "}
            <code>POST /v1/dynamic/&lt;path&gt;/checkout</code> or the MCP tools; your own dynamic leases are
            on the Leases page.
          </p>
        </section>
      ) : (
        <div className="dynamic-layout">
          <section className="card dynamic-list-card" aria-label="Configurations">
            <QueryState query={configs} what="configurations">
              {(list) =>
                list.length === 0 ? (
                  <div className="empty">
                    <p>No dynamic secrets yet.</p>
                    <p className="field-hint">
                      Add a PostgreSQL, MySQL/MariaDB, Redis or MongoDB server whose admin account can create
                      users, or an SSH certificate authority.
                    </p>
                  </div>
                ) : (
                  <ConfigList
                    configs={list}
                    providers={providers.data ?? []}
                    selected={selected}
                    hrefOf={hrefOf}
                  />
                )
              }
            </QueryState>
          </section>
          {selected && providers.data ? (
            <ConfigDetail
              key={selected}
              path={selected}
              providers={providers.data}
              onDeleted={() => navigate(BASE)}
            />
          ) : (
            <section className="card dynamic-detail dynamic-placeholder">
              <p className="muted">
                Select a configuration to test it, check out a credential or manage its leases.
              </p>
            </section>
          )}
        </div>
      )}

      {creating && providers.data ? (
        <Dialog title="New dynamic secret" onClose={close} wide>
          <ConfigForm
            providers={providers.data}
            pending={save.isPending || generate.isPending}
            error={save.error ?? generate.error}
            onCancel={close}
            onSubmit={create}
          />
        </Dialog>
      ) : null}
      {generated ? (
        <Dialog title="CA key generated" onClose={() => setGenerated(null)} wide>
          <div className="form">
            <p>
              <span className="mono">{generated.path}</span> signs SSH user certificates with a new ed25519
              CA. Its private key stays sealed on the server; install the public key on your hosts.
            </p>
            <CaKeyPanel ca={generated} />
            <DialogActions>
              <button type="button" className="button button-primary" onClick={() => setGenerated(null)}>
                Done
              </button>
            </DialogActions>
          </div>
        </Dialog>
      ) : null}
    </>
  );
}
