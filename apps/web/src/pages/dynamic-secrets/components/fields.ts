// The provider forms are built from GET /v1/dynamic/providers (name, type, required, sensitive,
// default): these helpers turn those specs into labels, initial form values and a request body.
import { validateSecretPath } from "@gatehouse/core/paths";
import { MASKED, type ProviderField, type ProviderType } from "../../../api/dynamic";

const LABELS: Record<string, string> = {
  host: "Host",
  port: "Port",
  database: "Database",
  user: "Admin user",
  username: "Admin user",
  password: "Admin password",
  grants: "Grants",
  schema: "Schema",
  connection_limit: "Connection limit",
  ssl: "TLS",
  ssl_ca: "TLS CA certificate (PEM)",
  allowed_host: "Allowed client host",
  max_connections: "Max connections per user",
  commands: "ACL command rules",
  keys: "ACL key patterns",
  channels: "Pub/Sub channels",
  db: "Database number",
  tls: "Connect with TLS",
  auth_source: "Auth database",
  roles: "Roles",
  ca_private_key: "CA private key",
  ca_public_key: "CA public key",
  principals: "Principals",
  extensions: "Extensions",
  source_address: "Source addresses",
  allowed_hosts: "Allowed hosts",
};

export const fieldLabel = (name: string): string =>
  LABELS[name] ?? name.charAt(0).toUpperCase() + name.slice(1).replace(/_/g, " ");

// The server's descriptions, where they name API details a form user does not need.
const DESCRIPTIONS: Record<string, string> = {
  ca_private_key: "The CA's ed25519 private key in OpenSSH format, without a passphrase",
  ssl_ca: "PEM certificate of the CA that signed the server's certificate (when it is not publicly trusted)",
};

export const fieldDescription = (f: { name: string; description: string }): string =>
  DESCRIPTIONS[f.name] ?? f.description;

export const PROVIDER_ORDER: readonly ProviderType[] = [
  "postgresql",
  "mysql",
  "redis",
  "mongodb",
  "ssh-cert",
];

export const TLS_OPTIONS = [
  { value: "false", label: "Off" },
  { value: "true", label: "On, verify the server certificate" },
  { value: "insecure", label: "On, without verifying (encrypts only)" },
];

/** Form state: text for inputs (lists comma-separated), booleans for checkboxes. */
export type FormValues = Record<string, string | boolean>;

/** Editable fields: derived ones (the SSH CA public key) are computed by the server. */
export const editable = (fields: readonly ProviderField[]) => fields.filter((f) => !f.derived);

function toText(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (Array.isArray(value)) return value.join(", ");
  return String(value);
}

/** Initial values: the stored (masked) config when editing, else the provider's defaults. */
export function initialValues(
  fields: readonly ProviderField[],
  stored?: Record<string, unknown>,
): FormValues {
  const out: FormValues = {};
  for (const f of editable(fields)) {
    const value = stored ? stored[f.name] : f.default;
    if (f.sensitive) out[f.name] = "";
    else if (f.type === "boolean") out[f.name] = value === true;
    else if (f.type === "tls") out[f.name] = value === true || value === "insecure" ? String(value) : "false";
    else out[f.name] = toText(value);
  }
  return out;
}

export const splitList = (text: string): string[] =>
  text
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter(Boolean);

export interface BuildResult {
  config: Record<string, unknown>;
  errors: Record<string, string>;
}

/**
 * The request's `config`, checked the way the server would: required fields, integers, ports. A blank
 * sensitive field is left out, which keeps the stored value when editing.
 */
export function buildConfig(
  fields: readonly ProviderField[],
  values: FormValues,
  opts: { editing: boolean; skip?: readonly string[] },
): BuildResult {
  const config: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const f of editable(fields)) {
    if (opts.skip?.includes(f.name)) continue;
    const raw = values[f.name];
    if (f.type === "boolean") {
      config[f.name] = raw === true;
      continue;
    }
    const text = typeof raw === "string" ? (f.type === "text" ? raw : raw.trim()) : "";
    if (f.type === "tls") {
      config[f.name] = text === "true" ? true : text === "insecure" ? "insecure" : false;
      continue;
    }
    if (text.trim() === "") {
      if (f.required && !(f.sensitive && opts.editing)) errors[f.name] = "Required.";
      continue;
    }
    if (f.sensitive && text === MASKED) continue;
    switch (f.type) {
      case "integer": {
        const n = Number(text);
        if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(n)) errors[f.name] = "A whole number.";
        else if (f.name === "port" && (n < 1 || n > 65_535)) errors[f.name] = "Between 1 and 65535.";
        else config[f.name] = n;
        break;
      }
      case "list": {
        const list = splitList(text);
        if (f.required && list.length === 0) errors[f.name] = "Required.";
        config[f.name] = list;
        break;
      }
      default:
        config[f.name] = text;
    }
  }
  return { config, errors };
}

/** A dynamic-secret path: a secret path (the server's own check) that no literal route shadows. */
export function pathError(path: string): string | undefined {
  try {
    validateSecretPath(path);
  } catch (e) {
    return e instanceof Error ? e.message.replace(/^path: /, "") : "Not a valid path.";
  }
  if (path === "providers" || path === "generate-ca-keypair" || path.split("/")[0] === "lease")
    return "This path is reserved by the /v1/dynamic routes.";
  return undefined;
}

/** One line describing a configuration in lists: host:port/database, or the SSH principals. */
export function summary(type: ProviderType, metadata: Record<string, unknown>): string {
  if (type === "ssh-cert") {
    const principals = Array.isArray(metadata.principals) ? metadata.principals.join(", ") : "";
    return principals ? `principals: ${principals}` : "SSH certificate authority";
  }
  const host = typeof metadata.host === "string" ? metadata.host : "";
  const port = metadata.port === undefined ? "" : `:${String(metadata.port)}`;
  const db =
    typeof metadata.database === "string"
      ? `/${metadata.database}`
      : typeof metadata.db === "number"
        ? `/${metadata.db}`
        : "";
  return `${host}${port}${db}`;
}

export function describeValue(value: unknown): string {
  if (value === undefined || value === null || value === "") return "—";
  if (Array.isArray(value)) return value.length ? value.join(", ") : "none";
  if (value === true) return "yes";
  if (value === false) return "no";
  return String(value);
}
