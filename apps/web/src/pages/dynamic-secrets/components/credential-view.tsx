import type { CheckoutResult } from "../../../api/dynamic";
import { SecretValue } from "../../../components/secret-value";
import { formatDateTime } from "../../../lib/format";
import { fieldLabel } from "./fields";

// Keys shown as facts rather than copyable values.
const FACT_KEYS = new Set([
  "host",
  "port",
  "db",
  "database",
  "schema",
  "auth_source",
  "valid_until",
  "principals",
  "extensions",
  "valid_after",
  "valid_before",
  "valid_seconds",
  "serial",
  "cert_id",
  "allowed_hosts",
  "usage",
]);

const labelOf = (key: string) =>
  ({
    private_key: "Private key",
    public_key: "Public key",
    certificate: "Certificate",
    username: "Username",
    password: "Password",
    url: "Connection URL",
    connection_url: "Connection URL",
    uri: "Connection URI",
    cert_id: "Certificate ID",
    ca_public_key: "CA public key",
    usage: "Usage",
  })[key] ?? fieldLabel(key);

/** A freshly issued credential, shown once: every string is a copyable value. */
export function CredentialView({ result }: { result: CheckoutResult }) {
  const entries = Object.entries(result.credential);
  const values = entries.filter(([k, v]) => typeof v === "string" && !FACT_KEYS.has(k));
  const facts = entries.filter(([k, v]) => (typeof v !== "string" || FACT_KEYS.has(k)) && k !== "usage");
  const usage = typeof result.credential.usage === "string" ? result.credential.usage : null;
  return (
    <div className="stack credential-view">
      <div className="callout callout-warning" role="note">
        This credential is shown only this once. Lease <span className="mono">{result.lease_id}</span> ends{" "}
        {formatDateTime(result.expires_at)}.
      </div>
      {values.map(([key, value]) => (
        <SecretValue
          key={key}
          label={labelOf(key)}
          value={String(value)}
          multiline={String(value).includes("\n") || String(value).length > 120}
        />
      ))}
      {usage ? <p className="field-hint credential-usage">{usage}</p> : null}
      {facts.length > 0 ? (
        <dl className="facts">
          {facts.map(([key, value]) => (
            <FactRow key={key} label={labelOf(key)} value={value} />
          ))}
        </dl>
      ) : null}
    </div>
  );
}

function FactRow({ label, value }: { label: string; value: unknown }) {
  const text = Array.isArray(value)
    ? value.join(", ")
    : typeof value === "object" && value !== null
      ? JSON.stringify(value)
      : String(value);
  return (
    <>
      <dt>{label}</dt>
      <dd className="mono">{text}</dd>
    </>
  );
}
