// Generic credentials: `password=` / `secret:` / `api_key=` / `token:` assignments gated by
// entropy and allowlists, and HTTP Authorization credentials. They run after the specific
// detectors lose nothing: when spans overlap, the specific type wins (see redact.ts).

import { isHashLike, isIntegrity, isPathOrUrl, isPlaceholder, isPublicKey, isUuid } from "../allowlist";
import { ASSIGN, custom, NAME_TAIL, startsToken } from "../build";
import { shannonEntropy } from "../entropy";
import type { Candidate, Detector } from "../types";

const VALUE = "[^\\s'\"`;&,<>\\\\{}()\\[\\]|]{1,256}";
const VALUE_TAIL = "(?![^\\s'\"`;&,<>\\\\{}()\\[\\]|])";

// Identifiers that contain a keyword but name something that is not a secret.
const NAME_ALLOW = new RegExp(
  [
    "(?:^|[_.-])(?:names?|ids?|arn|refs?|path|file|dir|url|uri|endpoint|type|length|len|size|count|version",
    "|hash|hashed|sha\\d{0,3}|digest|checksum|fingerprint|policy|prompt|expires?|expiry|expiration|ttl|at",
    "|header|param|field|label|kind|format|mode|env|var|provider|store|manager|required|enabled|rotation",
    "|min|max|strength|hint|reset|confirm|change|changed|updated|created|changed_at|last|set|rules?)$",
    "|csrf|xsrf|page_?token|next_?token|continuation|cursor|tokeniz|max_?tokens|tokens?_?count|num_?tokens",
    "|tokens_?used|forgot|public|publishable|_key_id$|keyid",
  ].join(""),
);

const IDENT_CHAR = /[A-Za-z0-9_.-]/;
const CRYPT_HASH = /^\$(?:2[abxy]?|argon2(?:id|i|d)|scrypt|pbkdf2(?:-sha\d{1,3})?|[156]|y|gy|7)\$/;

/** Start of the identifier the keyword sits in (`DB_` in `DB_PASSWORD`), at most 40 back. */
function identStart(text: string, at: number): number {
  let i = at;
  while (i > 0 && at - i < 40 && IDENT_CHAR.test(text.charAt(i - 1))) i--;
  return i;
}

type Kind = "password" | "secret";

function acceptsValue(kind: Kind, name: string, value: string): boolean {
  if (isPlaceholder(value) || isPathOrUrl(value) || isIntegrity(value) || isPublicKey(value)) return false;
  if (CRYPT_HASH.test(value)) return false; // bcrypt/argon2/scrypt/sha-crypt: a stored hash
  if (/^[0-9]{1,7}$/.test(value)) return false;
  if (/^[A-Za-z]{1,23}$/.test(value)) return false; // words and identifiers
  if (/^[a-z]{1,64}(?:[._-][a-z]{1,64}){1,16}$/i.test(value)) return false; // dotted/snake identifiers
  if (kind === "password") return value.length >= 6 && shannonEntropy(value) >= 2.0;
  if (isUuid(value)) return false;
  if (isHashLike(value) && /hash|sha|digest|sum|etag|commit/.test(name)) return false;
  if (value.length < 12) return false;
  const hasDigit = /[0-9]/.test(value);
  const mixedCase = /[a-z]/.test(value) && /[A-Z]/.test(value);
  if (!hasDigit && !(mixedCase && value.length >= 16)) return false;
  return shannonEntropy(value) >= (value.length >= 20 ? 3.2 : 2.9);
}

// A quoted value runs to its closing quote, so `&`, `;` and `,` may occur inside; `\"` (JSON
// escaped) closes `\"`. Never whitespace: quoted prose is a message, not a secret.
const OPERATOR = "(?:\\\\?[\"'`])?\\]?[ \\t]{0,4}(?:=>|:=|\\?=|::|=|:|>)[ \\t]{0,4}";
const QUOTED = `${OPERATOR}(\\\\?)(["'\`])((?:(?!\\3)[^\\s\\\\]){1,256})\\2\\3`;

interface Assigned {
  tail: string;
  value: string;
  /** Offset just past the value. */
  end: number;
}

function assignment(id: string, names: readonly string[], kind: Kind, description: string): Detector {
  const quoted = new RegExp(`(${NAME_TAIL})${QUOTED}`, "y");
  const bare = new RegExp(`(${NAME_TAIL})${ASSIGN}(${VALUE})${VALUE_TAIL}`, "y");

  function read(text: string, from: number): Assigned | null {
    quoted.lastIndex = from;
    const q = quoted.exec(text);
    if (q && q[1] !== undefined && q[4] !== undefined) {
      const close = (q[2]?.length ?? 0) + 1;
      return { tail: q[1], value: q[4], end: q.index + q[0].length - close };
    }
    bare.lastIndex = from;
    const m = bare.exec(text);
    if (m && m[1] !== undefined && m[2] !== undefined)
      return { tail: m[1], value: m[2], end: m.index + m[0].length };
    return null;
  }

  return custom(
    { id, family: "generic", description, keywords: names, generic: true },
    (text, at, kwLength) => {
      const a = read(text, at + kwLength);
      if (!a) return null;
      const from = identStart(text, at);
      // camelCase to snake_case first, so `passwordHash` is allowlisted like `password_hash`.
      const name = text
        .slice(from, at + kwLength + a.tail.length)
        .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
        .toLowerCase();
      if (NAME_ALLOW.test(name) || !acceptsValue(kind, name, a.value)) return null;
      // `>` only assigns inside an XML element (`<password>…</password>`), not in `<password>@host`.
      const op = text.slice(at + kwLength + a.tail.length, at + kwLength + a.tail.length + 8);
      if (
        /^\\?["'`]?[ \t]{0,4}>/.test(op) &&
        (text.charAt(from - 1) !== "<" || !text.startsWith("</", a.end))
      ) {
        return null;
      }
      return { start: a.end - a.value.length, end: a.end, keep: 0 };
    },
  );
}

const NETRC =
  /[ \t]{1,8}[^\s]{1,253}[ \t\r\n]{1,8}login[ \t]{1,8}[^\s]{1,128}[ \t\r\n]{1,8}password[ \t]{1,8}([^\s]{1,256})/y;

const BEARER = /([A-Za-z0-9_.~+/=-]{16,4096})(?![A-Za-z0-9_.~+/=-])/y;
const BASIC = /([A-Za-z0-9+/]{8,1024}={0,2})(?![A-Za-z0-9+/=])/y;
const CLI_USER = /([^\s:'"@]{1,64}):([^\s'"]{1,128})(?=[\s'"]|$)/y;

function bearer(text: string, at: number, kwLength: number): Candidate | null {
  if (!startsToken(text, at)) return null;
  BEARER.lastIndex = at + kwLength;
  const m = BEARER.exec(text);
  const value = m?.[1];
  if (!m || value === undefined) return null;
  if (isPlaceholder(value) || shannonEntropy(value) < 3.0 || !/[0-9]/.test(value)) return null;
  return { start: at + kwLength, end: at + kwLength + value.length, keep: 0 };
}

/** `Basic base64(user:password)`: only a value that decodes to printable `user:password`. */
function basic(text: string, at: number, kwLength: number): Candidate | null {
  if (!startsToken(text, at)) return null;
  BASIC.lastIndex = at + kwLength;
  const m = BASIC.exec(text);
  const value = m?.[1];
  if (!m || value === undefined) return null;
  let decoded: string;
  try {
    decoded = atob(value);
  } catch {
    return null;
  }
  const colon = decoded.indexOf(":");
  if (colon < 0 || !/^[\x20-\x7e]{1,1024}$/.test(decoded)) return null;
  const password = decoded.slice(colon + 1);
  if (password.length === 0 || isPlaceholder(password)) return null;
  return { start: at + kwLength, end: at + kwLength + value.length, keep: 0 };
}

export const GENERIC: readonly Detector[] = [
  custom(
    {
      id: "netrc_password",
      family: "generic",
      description: ".netrc / _netrc entry: machine <host> login <user> password <secret>",
      keywords: ["machine"],
    },
    (text, at, kwLength) => {
      NETRC.lastIndex = at + kwLength;
      const m = NETRC.exec(text);
      const password = m?.[1];
      if (!m || password === undefined || isPlaceholder(password)) return null;
      const end = m.index + m[0].length;
      return { start: end - password.length, end, keep: 0 };
    },
  ),
  assignment(
    "generic_password",
    ["password", "passwd", "passphrase", "pwd", "_pass"],
    "password",
    "Password assignment (password= / passwd: / DB_PASS=) with a non-placeholder value",
  ),
  assignment(
    "generic_secret",
    ["secret", "private_key", "privatekey", "signing_key", "encryption_key"],
    "secret",
    "Secret assignment (client_secret=, secret:) with a high-entropy value",
  ),
  assignment(
    "generic_api_key",
    ["api_key", "apikey", "api-key", "access_key", "accesskey", "auth_key", "app_key", "master_key"],
    "secret",
    "API key assignment or header (api_key=, X-API-Key:) with a high-entropy value",
  ),
  assignment(
    "generic_token",
    ["token", "credential"],
    "secret",
    "Token assignment (access_token=, auth_token:) with a high-entropy value",
  ),
  custom(
    {
      id: "bearer_token",
      family: "generic",
      description: "HTTP Bearer credential (Authorization: Bearer …)",
      keywords: ["bearer "],
      generic: true,
    },
    bearer,
  ),
  custom(
    {
      id: "basic_auth_header",
      family: "generic",
      description: "HTTP Basic credential (Authorization: Basic base64(user:password))",
      keywords: ["basic "],
      generic: true,
    },
    basic,
  ),
  custom(
    {
      id: "cli_user_password",
      family: "generic",
      description: "user:password passed on a command line (curl -u / --user)",
      keywords: [" -u ", " --user ", " --user="],
      generic: true,
    },
    (text, at, kwLength) => {
      const from = at + kwLength;
      const quoted = text.charAt(from) === '"' || text.charAt(from) === "'";
      CLI_USER.lastIndex = quoted ? from + 1 : from;
      const m = CLI_USER.exec(text);
      const user = m?.[1];
      const password = m?.[2];
      if (!m || user === undefined || password === undefined) return null;
      if (isPlaceholder(password) || password.startsWith("$")) return null;
      const start = m.index + user.length + 1;
      return { start, end: start + password.length, keep: 0 };
    },
  ),
];
