// Private keys and signed tokens: PEM blocks (with their bodies), PuTTY, age, JWT,
// base64-wrapped PEM (kubeconfig `client-key-data`) and WireGuard keys.

import { assigned, custom, prefixed, startsToken } from "../build";
import type { Candidate, Detector, ScanState } from "../types";

const MAX_BLOCK = 64 * 1024;

/**
 * First index of `needle` at or after `from`, memoised per scan so that many openings before
 * one closing (or none) cost one forward search in total rather than one each.
 */
function nextIndexOf(text: string, needle: string, from: number, state: ScanState): number {
  const keyFrom = `${needle}\u0000from`;
  const keyAt = `${needle}\u0000at`;
  const searchedFrom = state.memo.get(keyFrom);
  const foundAt = state.memo.get(keyAt);
  if (searchedFrom !== undefined && foundAt !== undefined && searchedFrom <= from) {
    if (foundAt === -1 || foundAt >= from) return foundAt;
  }
  const at = text.indexOf(needle, from);
  state.memo.set(keyFrom, from);
  state.memo.set(keyAt, at);
  return at;
}

function isBodyCode(c: number): boolean {
  return (
    (c >= 48 && c <= 57) ||
    (c >= 65 && c <= 90) ||
    (c >= 97 && c <= 122) ||
    c === 43 || // +
    c === 47 || // /
    c === 61 || // =
    c === 58 || // :  (Proc-Type: / DEK-Info: headers)
    c === 44 || // ,
    c === 45 || // -
    c === 32 ||
    c === 9 ||
    c === 13 ||
    c === 10 ||
    c === 92 // backslash of JSON-escaped newlines
  );
}

/** End of a truncated block: the body run, stopping at a blank line (raw or JSON-escaped). */
function bodyEnd(text: string, from: number): number {
  const limit = Math.min(text.length, from + MAX_BLOCK);
  let i = from;
  let newlines = 0;
  while (i < limit) {
    const c = text.charCodeAt(i);
    if (!isBodyCode(c)) break;
    if (c === 10 || (c === 110 && text.charCodeAt(i - 1) === 92)) {
      newlines++;
      if (newlines >= 2) break;
    } else if (c !== 13 && c !== 92 && c !== 32 && c !== 9) newlines = 0;
    i++;
  }
  // Leave the trailing line break (raw or escaped) outside the redaction.
  for (;;) {
    const c = text.charCodeAt(i - 1);
    if (i > from && (c === 10 || c === 13 || c === 32 || c === 9)) i--;
    else if (i - 1 > from && c === 110 && text.charCodeAt(i - 2) === 92) i -= 2;
    else return i;
  }
}

const PEM_HEADER = /-----BEGIN ((?:[A-Z0-9]{1,16} ){0,2})PRIVATE KEY( BLOCK)?-----/y;
const PEM_FOOTER = /-----END (?:[A-Z0-9]{1,16} ){0,2}PRIVATE KEY(?: BLOCK)?-----/y;

function pem(id: string, labels: readonly string[], description: string): Detector {
  return custom({ id, family: "keys", description, keywords: ["-----begin"] }, (text, at, _kw, state) => {
    PEM_HEADER.lastIndex = at;
    const m = PEM_HEADER.exec(text);
    if (!m || !labels.includes(m[1] ?? "")) return null;
    const bodyStart = at + m[0].length;
    const footer = nextIndexOf(text, "-----END ", bodyStart, state);
    if (footer !== -1 && footer - bodyStart <= MAX_BLOCK) {
      PEM_FOOTER.lastIndex = footer;
      const f = PEM_FOOTER.exec(text);
      if (f) return { start: at, end: footer + f[0].length, keep: 0 };
    }
    return { start: at, end: bodyEnd(text, bodyStart), keep: 0 };
  });
}

const PUTTY_MAC = /Private-MAC: [0-9a-f]{40,64}/y;

function decodeBase64Url(s: string): string | null {
  const b64 = s.replace(/-/g, "+").replace(/_/g, "/");
  try {
    return atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
  } catch {
    return null;
  }
}

/** A JWT's first segment must decode to a JSON object header naming an algorithm or type. */
function isJwtHeader(segment: string): boolean {
  const json = decodeBase64Url(segment);
  if (json === null) return false;
  try {
    const header: unknown = JSON.parse(json);
    return typeof header === "object" && header !== null && ("alg" in header || "typ" in header);
  } catch {
    return false;
  }
}

const JWT = /eyJ[A-Za-z0-9_-]{8,2048}\.e[wy][A-Za-z0-9_-]{8,8192}\.[A-Za-z0-9_-]{16,2048}(?![A-Za-z0-9_-])/y;
const B64_PEM = /LS0tLS1CRUdJTi[A-Za-z0-9+/]{40,16384}={0,2}(?![A-Za-z0-9+/=])/y;

export const KEYS: readonly Detector[] = [
  pem("rsa_private_key", ["RSA "], "PEM RSA private key block (BEGIN RSA PRIVATE KEY … END), body included"),
  pem("ec_private_key", ["EC "], "PEM EC private key block, body included"),
  pem("dsa_private_key", ["DSA "], "PEM DSA private key block, body included"),
  pem("openssh_private_key", ["OPENSSH "], "OpenSSH private key block, body included"),
  pem(
    "pkcs8_private_key",
    ["", "ENCRYPTED "],
    "PEM PKCS#8 (optionally encrypted) private key block, body included",
  ),
  pem("pgp_private_key", ["PGP "], "PGP private key block, body included"),
  custom(
    {
      id: "putty_private_key",
      family: "keys",
      description: "PuTTY private key file (PuTTY-User-Key-File-2/3 … Private-MAC)",
      keywords: ["putty-user-key-file-"],
    },
    (text, at, _kw, state): Candidate | null => {
      if (!text.startsWith("PuTTY-User-Key-File-", at)) return null;
      const mac = nextIndexOf(text, "Private-MAC: ", at, state);
      if (mac !== -1 && mac - at <= MAX_BLOCK) {
        PUTTY_MAC.lastIndex = mac;
        const f = PUTTY_MAC.exec(text);
        if (f) return { start: at, end: mac + f[0].length, keep: 0 };
      }
      return { start: at, end: bodyEnd(text, at), keep: 0 };
    },
  ),
  prefixed({
    id: "age_secret_key",
    family: "keys",
    description: "age secret key: AGE-SECRET-KEY-1 + 58 bech32 characters",
    prefixes: ["AGE-SECRET-KEY-1"],
    body: "[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}",
    keep: 15,
  }),
  custom(
    {
      id: "jwt",
      family: "keys",
      description: "JSON Web Token (signed): base64url header . payload . signature",
      keywords: ["eyj"],
    },
    (text, at) => {
      if (!startsToken(text, at)) return null;
      JWT.lastIndex = at;
      const m = JWT.exec(text);
      if (!m) return null;
      const dot = m[0].indexOf(".");
      if (!isJwtHeader(m[0].slice(0, dot))) return null;
      return { start: at, end: at + m[0].length, keep: 0 };
    },
  ),
  custom(
    {
      id: "base64_pem_private_key",
      family: "keys",
      description: "Base64-wrapped PEM private key (e.g. kubeconfig client-key-data: LS0tLS1CRUdJTi…)",
      keywords: ["ls0tls1crudjti"],
    },
    (text, at) => {
      if (!startsToken(text, at)) return null;
      B64_PEM.lastIndex = at;
      const m = B64_PEM.exec(text);
      if (!m) return null;
      let head: string;
      try {
        head = atob(m[0].slice(0, 64));
      } catch {
        return null;
      }
      return head.includes("PRIVATE KEY") ? { start: at, end: at + m[0].length, keep: 0 } : null;
    },
  ),
  assigned({
    id: "wireguard_private_key",
    family: "keys",
    description: "WireGuard / X25519 private key: 44 base64 characters labelled PrivateKey",
    names: ["privatekey", "private_key", "private-key"],
    value: "[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=",
    tail: "[A-Za-z0-9+/=]",
    minEntropy: 3.5,
  }),
];
