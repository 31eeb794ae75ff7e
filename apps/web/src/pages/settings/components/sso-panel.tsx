import { useQuery } from "@tanstack/react-query";
import { Fragment } from "react";
import { type SsoTestResult, ssoSettingsQuery, useSaveSso, useTestSso } from "../../../api/sso";
import { Badge } from "../../../components/badge";
import { FormError } from "../../../components/form-error";
import { QueryState } from "../../../components/query-state";
import { toast } from "../../../lib/toast";
import { SsoForm } from "./sso-form";

/** The body of Settings → Single sign-on (admins): the OIDC settings form and the discovery test. */
export function SsoPanel() {
  const settings = useQuery(ssoSettingsQuery());
  const save = useSaveSso();
  const test = useTestSso();
  return (
    <div className="stack">
      <p className="muted">
        Sign in to Gatehouse through your OpenID Connect identity provider (Okta, Entra ID, Google, Keycloak,
        …) with the authorization code flow and PKCE.
      </p>
      <QueryState query={settings} what="the SSO settings">
        {(s) => (
          <>
            <p className="sso-status">
              Status:{" "}
              {s.enabled && s.issuer && s.client_id ? (
                <Badge tone="success">enabled</Badge>
              ) : (
                <Badge>off</Badge>
              )}
            </p>
            <SsoForm
              // Remounts with the saved values after a save (the secret field empties again).
              key={JSON.stringify(s)}
              settings={s}
              pending={save.isPending}
              error={save.error}
              testing={test.isPending}
              onTest={(issuer) => test.mutate(issuer)}
              onSubmit={(input) =>
                save.mutate(input, {
                  onSuccess: (saved) =>
                    toast.success(
                      saved.enabled ? "SSO settings saved: single sign-on is on." : "SSO settings saved.",
                    ),
                })
              }
            />
          </>
        )}
      </QueryState>
      <FormError error={test.error} />
      {test.data ? <DiscoveryResult result={test.data} /> : null}
    </div>
  );
}

function DiscoveryResult({ result }: { result: SsoTestResult }) {
  if (!result.ok) {
    return (
      <div className="callout callout-danger" role="status" aria-label="Discovery result">
        <p>
          <strong>Discovery failed.</strong> {result.error ?? "No reason given."}
        </p>
      </div>
    );
  }
  const rows: [string, string | undefined][] = [
    ["Issuer", result.issuer],
    ["Authorization endpoint", result.authorization_endpoint],
    ["Token endpoint", result.token_endpoint],
    ["UserInfo endpoint", result.userinfo_endpoint],
    ["End-session endpoint", result.end_session_endpoint],
  ];
  return (
    <div className="callout callout-success" role="status" aria-label="Discovery result">
      <p>
        <strong>Discovery succeeded.</strong>{" "}
        {result.pkce_s256 ? "The IdP supports PKCE (S256)." : "The IdP does not advertise PKCE S256."}
      </p>
      <dl className="facts sso-discovery">
        {rows.map(([label, value]) => (
          <Fragment key={label}>
            <dt>{label}</dt>
            <dd className="mono">{value ?? "—"}</dd>
          </Fragment>
        ))}
      </dl>
    </div>
  );
}
