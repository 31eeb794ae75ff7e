// Values that look like credentials but are not: placeholders, documentation examples,
// identifiers, hashes, integrity strings and public keys.

/** Published example credentials from vendor documentation (never live keys). */
export const DOC_EXAMPLES: ReadonlySet<string> = new Set([
  "AKIAIOSFODNN7EXAMPLE",
  "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY",
  "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
  "sk_test_4eC39HqLyjWDarjtT1zdp7dc",
  "sk_test_BQokikJOvBiI2HlWgH4olfQ2",
  "sk_test_26PHem9AhJZvU623DfE1x4sd",
  "rk_test_26PHem9AhJZvU623DfE1x4sd",
  "ghp_16C7e42F292c6912E7710c838347Ae178B4a",
  "AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQe",
  "xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy",
]);

const PLACEHOLDER_WORDS = new Set([
  "changeme",
  "change_me",
  "changeit",
  "password",
  "passwd",
  "secret",
  "token",
  "example",
  "redacted",
  "placeholder",
  "dummy",
  "sample",
  "test",
  "testing",
  "null",
  "nil",
  "none",
  "true",
  "false",
  "undefined",
  "todo",
  "tbd",
  "empty",
  "hidden",
  "masked",
  "notset",
  "not_set",
  "required",
  "optional",
  "string",
  "bearer",
]);

const TEMPLATE =
  /\$\{|\{\{|\}\}|^\$[A-Za-z_]|^%[A-Za-z_]\w{0,64}%$|^@[A-Za-z_]\w{0,64}@$|^<[^>]{0,80}>$|^\[[^\]]{0,80}\]$|^![A-Za-z][A-Za-z0-9_]{0,30}$/;
const FAKE_MARKERS =
  /EXAMPLE|[Ee]xample|PLACEHOLDER|[Pp]laceholder|REDACTED|[Rr]edacted|[Yy]our[_-]|YOUR[_-]|x{6}|X{6}|\*{3}|•|…|[Dd]ummy|DUMMY|[Ff]ake[_-]|FAKE[_-]|[Ii]nsert[_-]|[Rr]eplace[_-]?me|REPLACE[_-]?ME/;
const SEQUENCES = ["0123456789", "123456789", "abcdefghij", "qwertyuiop", "987654321"];
const CODE_REFERENCE =
  /^(?:process\.env|os\.environ|os\.getenv|env\(|getenv|System\.getenv|ENV\[|secrets\.|vars\.|config\.|settings\.)/;

/** True when every character is the same (`xxxxxxxx`, `00000000`, `********`). */
export function isRepeated(value: string): boolean {
  if (value.length < 2) return true;
  const first = value.charCodeAt(0);
  for (let i = 1; i < value.length; i++) if (value.charCodeAt(i) !== first) return false;
  return true;
}

/** Obvious stand-ins for a secret: templates, repeated characters, sequences, marker words. */
export function isPlaceholder(value: string): boolean {
  if (value.length === 0 || isRepeated(value)) return true;
  if (PLACEHOLDER_WORDS.has(value.toLowerCase())) return true;
  if (TEMPLATE.test(value) || FAKE_MARKERS.test(value) || CODE_REFERENCE.test(value)) return true;
  const lower = value.toLowerCase();
  for (const s of SEQUENCES) if (lower.includes(s)) return true;
  return false;
}

export const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const HEX_HASH =
  /^(?:[0-9a-f]{32}|[0-9a-f]{40}|[0-9a-f]{64}|[0-9a-f]{128}|[0-9A-F]{32}|[0-9A-F]{40}|[0-9A-F]{64})$/;
const INTEGRITY = /^(?:sha1|sha224|sha256|sha384|sha512|md5)[-:~]/i;
const PUBLIC_PREFIXES = [
  "ssh-rsa",
  "ssh-ed25519",
  "ssh-dss",
  "ecdsa-sha2-",
  "sk-ssh-",
  "age1",
  "pk_live_",
  "pk_test_",
  "phc_",
  "sb_publishable_",
  "-----BEGIN PUBLIC KEY",
  "-----BEGIN CERTIFICATE",
];

export function isUuid(value: string): boolean {
  return value.length === 36 && UUID.test(value);
}

/** Digests of content (git SHAs, sha256 hex), which generic detectors must not flag. */
export function isHashLike(value: string): boolean {
  return HEX_HASH.test(value);
}

/** Subresource-integrity and content-digest strings (`sha512-…`, `sha256:…`). */
export function isIntegrity(value: string): boolean {
  return INTEGRITY.test(value);
}

export function isPublicKey(value: string): boolean {
  for (const p of PUBLIC_PREFIXES) if (value.startsWith(p)) return true;
  return false;
}

/** Paths and URLs are configuration, not secrets (`PWD=/home/me`, `token_url: https://…`). */
export function isPathOrUrl(value: string): boolean {
  return /^(?:\/|\.\.?\/|~\/|[A-Za-z][A-Za-z0-9+.-]{0,20}:\/\/|[A-Za-z]:\\)/.test(value);
}
