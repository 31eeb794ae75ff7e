import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { sessionsQuery, useRevokeSession, useSignOutEverywhere } from "../../../api/me";
import { Badge } from "../../../components/badge";
import { ConfirmDialog } from "../../../components/confirm-dialog";
import { DataTable } from "../../../components/data-table";
import { QueryState } from "../../../components/query-state";
import { formatDateTime, formatRelative } from "../../../lib/format";
import { toast } from "../../../lib/toast";

/** "Firefox on Linux" from a user agent string; good enough to recognise one's own devices. */
export function describeAgent(ua: string | null): string {
  if (!ua) return "Unknown client";
  const browser = /Edg\//.test(ua)
    ? "Edge"
    : /Firefox\//.test(ua)
      ? "Firefox"
      : /Chrom(e|ium)\//.test(ua)
        ? "Chrome"
        : /Safari\//.test(ua)
          ? "Safari"
          : /curl\//.test(ua)
            ? "curl"
            : null;
  const os = /Windows/.test(ua)
    ? "Windows"
    : /iPhone|iPad/.test(ua)
      ? "iOS"
      : /Mac OS X/.test(ua)
        ? "macOS"
        : /Android/.test(ua)
          ? "Android"
          : /Linux/.test(ua)
            ? "Linux"
            : null;
  if (!browser) return ua.slice(0, 60);
  return os ? `${browser} on ${os}` : browser;
}

const METHOD_LABELS: Record<string, string> = {
  password: "Password",
  totp: "Password + code",
  recovery_code: "Password + recovery code",
  access_token: "Access token + code",
  setup: "First-run setup",
  oidc: "SSO",
};

export function SessionsCard() {
  const sessions = useQuery(sessionsQuery());
  const revoke = useRevokeSession();
  const everywhere = useSignOutEverywhere();
  const [confirming, setConfirming] = useState(false);

  return (
    <section className="card" aria-labelledby="sessions-title">
      <div className="card-header">
        <h2 className="card-title" id="sessions-title">
          Sessions
        </h2>
        <button type="button" className="button button-danger-ghost" onClick={() => setConfirming(true)}>
          Sign out everywhere
        </button>
      </div>
      <QueryState query={sessions} what="sessions">
        {(list) => (
          <DataTable columns={["Device", "Signed in with", "IP address", "Started", "Last seen"]} actions>
            {list.map((s) => {
              const device = describeAgent(s.user_agent);
              return (
                <tr key={s.id}>
                  <td data-label="Device">
                    <div className="cell-main">
                      <span>
                        {device} {s.current ? <Badge tone="accent">This session</Badge> : null}
                      </span>
                      <span className="cell-sub">Expires {formatRelative(s.expires_at)}</span>
                    </div>
                  </td>
                  <td data-label="Method">{METHOD_LABELS[s.auth_method] ?? s.auth_method}</td>
                  <td data-label="IP address" className="mono">
                    {s.ip}
                  </td>
                  <td data-label="Started">{formatDateTime(s.created_at)}</td>
                  <td data-label="Last seen">{formatRelative(s.last_seen_at)}</td>
                  <td data-label="Actions">
                    {s.current ? null : (
                      <button
                        type="button"
                        className="button button-danger-ghost button-small"
                        aria-label={`End session: ${device}, ${s.ip}, started ${formatDateTime(s.created_at)}`}
                        disabled={revoke.isPending && revoke.variables === s.id}
                        onClick={() =>
                          revoke.mutate(s.id, { onSuccess: () => toast.success("Session ended.") })
                        }
                      >
                        End session
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </DataTable>
        )}
      </QueryState>
      {confirming ? (
        <ConfirmDialog
          title="Sign out everywhere?"
          confirmLabel="Sign out everywhere"
          danger
          pending={everywhere.isPending}
          error={everywhere.error}
          onClose={() => setConfirming(false)}
          onConfirm={() =>
            everywhere.mutate(undefined, { onSuccess: () => toast.info("Signed out everywhere.") })
          }
        >
          <p>
            This ends every session of yours, including this one, and invalidates the tokens issued to you by{" "}
            <code>/v1/auth/login</code>. Personal access tokens stay valid; revoke them above.
          </p>
        </ConfirmDialog>
      ) : null}
    </section>
  );
}
