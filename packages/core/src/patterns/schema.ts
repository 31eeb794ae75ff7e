// The shape of a JSON body: top-level keys and their types, never a value. Objects map key -> type;
// arrays record their element type under "[]" and, for arrays of objects, the first element's keys as
// "[].key"; scalars record their type under "$". Types: string, number, boolean, null, object,
// array<T> (T of the first non-null element, "unknown" when empty); differing types merge as "a|b".

export type JsonSchema = Record<string, string>;

export const MAX_SCHEMA_KEYS = 64;
const MAX_KEY_LENGTH = 64;

function typeOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) {
    const first = v.find((x) => x !== null && x !== undefined);
    return `array<${first === undefined ? "unknown" : typeOf(first)}>`;
  }
  const t = typeof v;
  if (t === "string" || t === "number" || t === "boolean") return t;
  if (t === "object") return "object";
  return "unknown";
}

// Keys are data too: an API keyed by id would otherwise grow one key per object.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
function keyOf(k: string): string {
  if (UUID.test(k)) return ":id";
  if (/^\d+$/.test(k)) return ":num";
  return k.length > MAX_KEY_LENGTH ? `${k.slice(0, MAX_KEY_LENGTH)}…` : k;
}

function addKeys(out: JsonSchema, obj: Record<string, unknown>, prefix: string) {
  for (const k of Object.keys(obj).sort()) {
    if (Object.keys(out).length >= MAX_SCHEMA_KEYS) return;
    const key = prefix + keyOf(k);
    const t = typeOf(obj[k]);
    out[key] = out[key] && out[key] !== t ? mergeTypes(out[key], t) : t;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** The schema of a parsed JSON value. */
export function jsonSchema(value: unknown): JsonSchema {
  const out: JsonSchema = {};
  if (isObject(value)) {
    addKeys(out, value, "");
  } else if (Array.isArray(value)) {
    out["[]"] = typeOf(value);
    const first = value.find(isObject);
    if (first) addKeys(out, first, "[].");
  } else {
    out.$ = typeOf(value);
  }
  return out;
}

function mergeTypes(a: string, b: string): string {
  return [...new Set([...a.split("|"), ...b.split("|")])].sort().join("|");
}

/** Union of two schemas; a key seen with different types keeps them all ("null|string"). */
export function mergeSchema(a: JsonSchema | null | undefined, b: JsonSchema | null | undefined): JsonSchema {
  const out: JsonSchema = { ...(a ?? {}) };
  for (const [k, t] of Object.entries(b ?? {})) {
    const prev = out[k];
    if (prev === undefined) {
      if (Object.keys(out).length >= MAX_SCHEMA_KEYS) continue;
      out[k] = t;
    } else if (prev !== t) {
      out[k] = mergeTypes(prev, t);
    }
  }
  return out;
}
