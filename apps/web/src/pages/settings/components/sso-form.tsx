import { type FormEvent, useId, useState } from "react";
import type { UserRole } from "../../../api/auth";
import { CALLBACK_PATH, type SsoSettings, type SsoSettingsInput } from "../../../api/sso";
import { CopyButton } from "../../../components/copy-button";
import { Field, SelectField } from "../../../components/field";
import { FormError } from "../../../components/form-error";

const ROLE_OPTIONS: { value: UserRole; label: string }[] = [
  { value: "viewer", label: "Viewer: read-only, never sees secret values" },
  { value: "approver", label: "Approver: approves agent requests" },
  { value: "admin", label: "Admin: manages everything" },
];

interface Props {
  settings: SsoSettings;
  pending: boolean;
  error: unknown;
  testing: boolean;
  onSubmit: (input: SsoSettingsInput) => void;
  /** Runs discovery against the issuer typed in the form (blank: the stored one). */
  onTest: (issuer: string) => void;
}

/** Problems the server would refuse anyway, caught before the round trip. */
function check(v: { enabled: boolean; issuer: string; clientId: string; scopes: string; redirect: string }) {
  const out: Partial<Record<"issuer" | "clientId" | "scopes" | "redirect", string>> = {};
  if (v.issuer) {
    try {
      const url = new URL(v.issuer);
      if (url.protocol !== "https:" && url.protocol !== "http:") out.issuer = "Use an https:// URL.";
    } catch {
      out.issuer = "Enter the issuer's absolute URL, e.g. https://accounts.example.com.";
    }
  } else if (v.enabled) out.issuer = "An issuer is required to turn single sign-on on.";
  if (v.enabled && !v.clientId) out.clientId = "A client ID is required to turn single sign-on on.";
  if (!v.scopes.split(/[\s,]+/).includes("openid")) out.scopes = 'The scopes must include "openid".';
  if (v.redirect) {
    try {
      const url = new URL(v.redirect);
      if (url.search || url.hash) out.redirect = "No query string or fragment.";
    } catch {
      out.redirect = "Enter an absolute URL, or leave it blank.";
    }
  }
  return out;
}

export function SsoForm({ settings, pending, error, testing, onSubmit, onTest }: Props) {
  const id = useId();
  const [enabled, setEnabled] = useState(settings.enabled);
  const [issuer, setIssuer] = useState(settings.issuer);
  const [clientId, setClientId] = useState(settings.client_id);
  const [secret, setSecret] = useState("");
  const [clearSecret, setClearSecret] = useState(false);
  const [redirect, setRedirect] = useState(settings.redirect_uri);
  const [scopes, setScopes] = useState(settings.scopes || "openid email profile");
  const [trustUnverified, setTrustUnverified] = useState(settings.trust_unverified_email);
  const [autoProvision, setAutoProvision] = useState(settings.auto_provision);
  const [defaultRole, setDefaultRole] = useState<UserRole>(settings.default_role);
  const [submitted, setSubmitted] = useState(false);

  const problems = check({ enabled, issuer: issuer.trim(), clientId: clientId.trim(), scopes, redirect });
  const shown = submitted ? problems : {};
  const callback = redirect.trim() || `${window.location.origin}${CALLBACK_PATH}`;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (Object.keys(problems).length > 0) return;
    onSubmit({
      enabled,
      issuer: issuer.trim(),
      client_id: clientId.trim(),
      ...(secret ? { client_secret: secret } : {}),
      ...(clearSecret && !secret ? { clear_client_secret: true } : {}),
      redirect_uri: redirect.trim(),
      scopes: scopes.trim(),
      trust_unverified_email: trustUnverified,
      auto_provision: autoProvision,
      default_role: defaultRole,
    });
  };

  return (
    <form className="form sso-form" onSubmit={submit} noValidate aria-label="Single sign-on settings">
      <label className="switch-label">
        <input
          type="checkbox"
          role="switch"
          aria-checked={enabled}
          className="switch"
          checked={enabled}
          onChange={(e) => setEnabled(e.target.checked)}
        />
        Enable single sign-on
      </label>
      <p className="field-hint sso-enable-hint">
        {enabled
          ? 'The sign-in page offers "Sign in with SSO". Password sign-in keeps working.'
          : "Off: the sign-in page offers passwords and access tokens only."}
      </p>

      <div className="form-row">
        <Field
          label="Issuer URL"
          value={issuer}
          onChange={(e) => setIssuer(e.target.value)}
          placeholder="https://accounts.example.com"
          autoComplete="off"
          spellCheck={false}
          hint="Gatehouse reads /.well-known/openid-configuration under it. https only (http for a loopback IdP)."
          error={shown.issuer}
        />
        <Field
          label="Client ID"
          value={clientId}
          onChange={(e) => setClientId(e.target.value)}
          autoComplete="off"
          spellCheck={false}
          error={shown.clientId}
        />
      </div>

      <div className="form-row">
        <div className="stack sso-secret">
          <Field
            label="Client secret"
            type="password"
            value={secret}
            onChange={(e) => {
              setSecret(e.target.value);
              if (e.target.value) setClearSecret(false);
            }}
            autoComplete="new-password"
            placeholder={settings.client_secret_set ? "•••••••• (stored)" : ""}
            hint={
              settings.client_secret_set
                ? "A secret is stored (encrypted; it is never shown). Leave blank to keep it."
                : "None stored. Leave blank for a public client (PKCE only)."
            }
          />
          {settings.client_secret_set ? (
            <label className="checkbox">
              <input
                type="checkbox"
                checked={clearSecret}
                disabled={secret !== ""}
                onChange={(e) => setClearSecret(e.target.checked)}
              />
              <span>Remove the stored secret</span>
            </label>
          ) : null}
        </div>
        <Field
          label="Scopes"
          value={scopes}
          onChange={(e) => setScopes(e.target.value)}
          autoComplete="off"
          spellCheck={false}
          hint="Space-separated; openid is required and email is needed to match accounts."
          error={shown.scopes}
        />
      </div>

      <Field
        label="Redirect URI"
        value={redirect}
        onChange={(e) => setRedirect(e.target.value)}
        placeholder={`${window.location.origin}${CALLBACK_PATH}`}
        autoComplete="off"
        spellCheck={false}
        hint="Leave blank to use this server's address (or GATEHOUSE_PUBLIC_URL). Set it when Gatehouse sits behind a proxy."
        error={shown.redirect}
      />
      <div className="field">
        <label htmlFor={`${id}-callback`}>Redirect URI to register at your IdP</label>
        <div className="secret-value-row">
          <input
            id={`${id}-callback`}
            readOnly
            value={callback}
            spellCheck={false}
            onFocus={(e) => e.target.select()}
          />
          <CopyButton value={callback} what="redirect URI" />
        </div>
      </div>

      <fieldset className="fieldset">
        <legend>Accounts</legend>
        <p className="field-hint">
          The IdP's email claim is matched to a Gatehouse user's email. SSO sign-ins skip Gatehouse's own
          two-factor: your IdP enforces its own.
        </p>
        <label className="checkbox">
          <input
            type="checkbox"
            checked={trustUnverified}
            onChange={(e) => setTrustUnverified(e.target.checked)}
            aria-describedby={`${id}-trust`}
          />
          <span>Trust unverified email addresses</span>
        </label>
        <p id={`${id}-trust`} className="field-hint">
          {trustUnverified
            ? "Careful: anyone who can set an unverified address at the IdP can sign in as the matching user."
            : "Off: sign-ins whose email_verified claim is not true are refused."}
        </p>
        <label className="checkbox">
          <input
            type="checkbox"
            checked={autoProvision}
            onChange={(e) => setAutoProvision(e.target.checked)}
          />
          <span>Create accounts on first sign-in (auto-provisioning)</span>
        </label>
        <SelectField
          label="Role for new accounts"
          value={defaultRole}
          disabled={!autoProvision}
          onChange={(e) => setDefaultRole(e.target.value as UserRole)}
          options={ROLE_OPTIONS}
          hint={autoProvision ? undefined : "Only used with auto-provisioning."}
        />
      </fieldset>

      <FormError error={error} />
      <div className="button-row sso-actions">
        <button
          type="button"
          className="button button-secondary"
          disabled={testing || !issuer.trim() || Boolean(problems.issuer)}
          onClick={() => onTest(issuer.trim())}
        >
          {testing ? "Testing…" : "Test configuration"}
        </button>
        <button type="submit" className="button button-primary" disabled={pending}>
          {pending ? "Saving…" : "Save SSO settings"}
        </button>
      </div>
    </form>
  );
}
