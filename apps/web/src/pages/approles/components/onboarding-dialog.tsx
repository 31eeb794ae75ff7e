import { useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import type { AppRole } from "../../../api/approles";
import {
  type CreatedLink,
  type LinkKind,
  roleLinksQuery,
  useCreateLink,
  useRevokeLink,
} from "../../../api/links";
import { Badge, type BadgeTone } from "../../../components/badge";
import { Dialog } from "../../../components/dialog";
import { Field, SelectField } from "../../../components/field";
import { FormError } from "../../../components/form-error";
import { QueryState } from "../../../components/query-state";
import { SecretValue } from "../../../components/secret-value";
import { formatDateTime, formatRelative } from "../../../lib/format";
import { agentPrompt } from "./onboarding-prompt";

const TTL_OPTIONS = [
  { value: "300", label: "5 minutes" },
  { value: "900", label: "15 minutes" },
  { value: "1800", label: "30 minutes" },
  { value: "3600", label: "60 minutes" },
];

const STATUS_TONE: Record<string, BadgeTone> = {
  active: "success",
  consumed: "neutral",
  expired: "warning",
  revoked: "danger",
};

export function OnboardingDialog({ role, onClose }: { role: AppRole; onClose: () => void }) {
  const [kind, setKind] = useState<LinkKind>("onboard");
  const [created, setCreated] = useState<CreatedLink | null>(null);
  const create = useCreateLink();
  const revoke = useRevokeLink();
  const links = useQuery(roleLinksQuery(role.role_id));

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const label = String(data.get("label") ?? "").trim();
    create.mutate(
      {
        kind,
        role_id: role.role_id,
        ttl_seconds: Number(data.get("ttl_seconds")),
        ...(label ? { label } : {}),
      },
      { onSuccess: setCreated },
    );
  };

  return (
    <Dialog
      title={`Onboarding prompt for ${role.display_name}`}
      description="A one-time link the agent exchanges for its own credentials: no secret passes through the chat."
      onClose={onClose}
      wide
    >
      <div className="stack">
        {role.suspended ? (
          <div className="callout callout-danger" role="note">
            This AppRole is suspended: exchanging a link will fail until it is reinstated.
          </div>
        ) : null}
        {created ? (
          <div className="stack">
            <SecretValue label="Prompt for the agent" value={agentPrompt(created)} multiline />
            <p className="field-hint">
              Link expires {formatRelative(created.expires_at)} ({formatDateTime(created.expires_at)}).
              Policies: {created.policies.join(", ")}.
              {created.kind === "onboard"
                ? " Exchanging it issues a new secret_id; the old one stops working."
                : " Exchanging it replaces the secret_id."}
            </p>
            <div>
              <button
                type="button"
                className="button button-secondary"
                onClick={() => {
                  create.reset();
                  setCreated(null);
                }}
              >
                Make another link
              </button>
            </div>
          </div>
        ) : (
          <form className="form" onSubmit={submit}>
            <fieldset className="fieldset">
              <legend>Kind of link</legend>
              <div className="radio-row">
                <label className="radio">
                  <input
                    type="radio"
                    name="kind"
                    checked={kind === "onboard"}
                    onChange={() => setKind("onboard")}
                  />
                  Onboarding (credentials and instructions)
                </label>
                <label className="radio">
                  <input
                    type="radio"
                    name="kind"
                    checked={kind === "rotate"}
                    onChange={() => setKind("rotate")}
                  />
                  Secret rotation only
                </label>
              </div>
            </fieldset>
            <div className="form-row">
              <SelectField
                label="Link expires after"
                name="ttl_seconds"
                defaultValue="900"
                options={TTL_OPTIONS}
              />
              <Field
                label="Label"
                name="label"
                maxLength={200}
                placeholder="Claude on build host"
                hint="Optional."
              />
            </div>
            <FormError error={create.error} />
            <div>
              <button type="submit" className="button button-primary" disabled={create.isPending}>
                {create.isPending ? "Creating…" : "Create link and prompt"}
              </button>
            </div>
          </form>
        )}

        <section aria-labelledby="links-title" className="stack">
          <h3 className="card-title" id="links-title">
            Onboarding links for this AppRole
          </h3>
          <FormError error={revoke.error} />
          <QueryState query={links} what="links">
            {(list) =>
              list.length === 0 ? (
                <p className="muted">None yet.</p>
              ) : (
                <ul className="link-list">
                  {list.map((l) => (
                    <li key={l.id}>
                      <div className="cell-main">
                        <span>
                          {l.label ?? <span className="muted">No label</span>}{" "}
                          <Badge tone={STATUS_TONE[l.status] ?? "neutral"}>{l.status}</Badge>
                        </span>
                        <span className="cell-sub">
                          Created {formatDateTime(l.created_at)} by {l.created_by}
                          {l.status === "active" ? ` · expires ${formatRelative(l.expires_at)}` : ""}
                          {l.consumed_at ? ` · exchanged ${formatDateTime(l.consumed_at)}` : ""}
                        </span>
                      </div>
                      {l.status === "active" ? (
                        <button
                          type="button"
                          className="button button-danger-ghost button-small"
                          aria-label={`Revoke link ${l.label ?? l.id}`}
                          disabled={revoke.isPending && revoke.variables === l.id}
                          onClick={() => revoke.mutate(l.id)}
                        >
                          Revoke
                        </button>
                      ) : null}
                    </li>
                  ))}
                </ul>
              )
            }
          </QueryState>
        </section>
      </div>
    </Dialog>
  );
}
