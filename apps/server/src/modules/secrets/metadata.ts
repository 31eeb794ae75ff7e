import { invalid } from "@gatehouse/core";
import { MAX_METADATA_KEYS, MAX_METADATA_VALUE, MAX_VALUE_BYTES } from "./model";

export type Metadata = Record<string, string>;

/** Keys that steer where the proxy may send a secret: only `admin` on the path may change them. */
export const SECURITY_KEYS: ReadonlySet<string> = new Set([
  "allowed_domains",
  "allowed_path_prefixes",
  "allow_private",
  "allow_body_injection",
  "header_name",
  "auth_scheme",
]);

const KEY = /^[a-z0-9_]{1,64}$/;

/** A string map of at most 64 keys `[a-z0-9_]{1,64}`, values at most 1024 characters. */
export function checkMetadata(input: Record<string, unknown>, field = "metadata"): Metadata {
  const keys = Object.keys(input);
  if (keys.length > MAX_METADATA_KEYS) throw invalid(field, `at most ${MAX_METADATA_KEYS} keys`);
  const out: Metadata = {};
  for (const key of keys) {
    if (!KEY.test(key)) throw invalid(field, `key "${key.slice(0, 64)}" must match [a-z0-9_]{1,64}`);
    const value = input[key];
    if (typeof value !== "string") throw invalid(`${field}.${key}`, "must be a string");
    if (value.length > MAX_METADATA_VALUE)
      throw invalid(`${field}.${key}`, `must be at most ${MAX_METADATA_VALUE} characters`);
    out[key] = value;
  }
  return out;
}

/** RFC 7386 on a flat map: a null removes the key, a string sets it. */
export function mergeMetadata(base: Metadata, patch: Record<string, string | null>): Metadata {
  const out: Metadata = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = v;
  }
  return out;
}

/** Security keys added, removed or changed between two versions. */
export function securityChanges(before: Metadata, after: Metadata): string[] {
  return [...SECURITY_KEYS].filter((k) => before[k] !== after[k]);
}

/** What a caller sees: security keys only with `admin` on the path. */
export function visibleMetadata(m: Metadata, admin: boolean): Metadata {
  if (admin) return { ...m };
  return Object.fromEntries(Object.entries(m).filter(([k]) => !SECURITY_KEYS.has(k)));
}

/** A value is 1 byte to 1 MiB of UTF-8. The message never contains the value. */
export function checkValue(value: string | undefined, field = "value"): string {
  if (typeof value !== "string") throw invalid(field, "is required");
  if (value.length === 0) throw invalid(field, "must not be empty");
  if (Buffer.byteLength(value, "utf8") > MAX_VALUE_BYTES)
    throw invalid(field, `must be at most ${MAX_VALUE_BYTES} bytes`);
  return value;
}
