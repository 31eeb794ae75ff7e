import { useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { tokensQuery, useCreateToken, useRevokeToken } from "../../../api/me";
import { Badge } from "../../../components/badge";
import { DataTable } from "../../../components/data-table";
import { Field, SelectField } from "../../../components/field";
import { FormError } from "../../../components/form-error";
import { QueryState } from "../../../components/query-state";
import { SecretValue } from "../../../components/secret-value";
import { formatDateTime, formatRelative } from "../../../lib/format";
import { toast } from "../../../lib/toast";

const EXPIRY_OPTIONS = [
  { value: "7", label: "7 days" },
  { value: "30", label: "30 days" },
  { value: "90", label: "90 days" },
  { value: "365", label: "1 year" },
  { value: "", label: "Never" },
];

export function TokensCard() {
  const tokens = useQuery(tokensQuery());
  const create = useCreateToken();
  const revoke = useRevokeToken();
  const [created, setCreated] = useState<{ name: string; token: string } | null>(null);

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const days = String(data.get("expires_in_days") ?? "");
    create.mutate(
      { name: String(data.get("name") ?? "").trim(), ...(days ? { expires_in_days: Number(days) } : {}) },
      {
        onSuccess: (result) => {
          form.reset();
          setCreated({ name: result.name, token: result.token });
        },
      },
    );
  };

  return (
    <section className="card" aria-labelledby="tokens-title">
      <h2 className="card-title" id="tokens-title">
        Personal access tokens
      </h2>
      <div className="stack">
        <p className="muted">
          For the <code>gatehouse</code> CLI and scripts. A token acts as you; signing in to this UI with one
          still asks for your two-factor code.
        </p>
        {created ? (
          <fieldset className="stack plain-fieldset" aria-label="Your new token">
            <div className="callout callout-warning" role="note">
              Copy the token <strong>{created.name}</strong> now: it is shown only once.
            </div>
            <SecretValue label="Access token" value={created.token} />
            <div>
              <button type="button" className="button button-secondary" onClick={() => setCreated(null)}>
                Done
              </button>
            </div>
          </fieldset>
        ) : (
          <form className="form-inline" onSubmit={submit} aria-label="Create a personal token">
            <Field label="Token name" name="name" required maxLength={64} placeholder="laptop CLI" />
            <SelectField
              label="Expires after"
              name="expires_in_days"
              defaultValue="90"
              options={EXPIRY_OPTIONS}
            />
            <button type="submit" className="button button-primary" disabled={create.isPending}>
              {create.isPending ? "Creating…" : "Create token"}
            </button>
          </form>
        )}
        <FormError error={create.error} />
        <QueryState query={tokens} what="access tokens">
          {(list) =>
            list.length === 0 ? (
              <p className="empty">No access tokens yet.</p>
            ) : (
              <DataTable columns={["Name", "Status", "Created", "Expires", "Last used"]} actions>
                {list.map((t) => (
                  <tr key={t.id} aria-label={t.name}>
                    <td data-label="Name">
                      <strong>{t.name}</strong>
                    </td>
                    <td data-label="Status">
                      <Badge tone={t.status === "active" ? "success" : "neutral"}>{t.status}</Badge>
                    </td>
                    <td data-label="Created">{formatDateTime(t.created_at)}</td>
                    <td data-label="Expires">{t.expires_at ? formatRelative(t.expires_at) : "never"}</td>
                    <td data-label="Last used">{formatRelative(t.last_used_at)}</td>
                    <td data-label="Actions">
                      {t.status === "active" ? (
                        <button
                          type="button"
                          className="button button-danger-ghost button-small"
                          aria-label={`Revoke ${t.name}`}
                          disabled={revoke.isPending && revoke.variables === t.id}
                          onClick={() =>
                            revoke.mutate(t.id, {
                              onSuccess: () => toast.success(`Token ${t.name} revoked.`),
                            })
                          }
                        >
                          Revoke
                        </button>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </DataTable>
            )
          }
        </QueryState>
      </div>
    </section>
  );
}
