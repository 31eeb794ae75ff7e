// Personal data detectors. Pure; no I/O.
//
// Each detector is a bounded regular expression for the shape plus a check the shape alone cannot
// make: Luhn for payment cards and Canadian SINs, ISO 13616 mod-97 and the country's length for
// IBANs, the SSA's never-issued ranges for US SSNs, HMRC's prefix and suffix rules for UK National
// Insurance numbers, octet ranges for IPv4 and a real parse (compressed forms, embedded IPv4, zone
// ids) for IPv6. Phones: international numbers written with + or 00 (8 to 15 digits, E.164), North
// American numbers with their area-code rules, and European trunk-prefix formats.

export type PiiType = "email" | "phone" | "card" | "iban" | "us_ssn" | "uk_nino" | "ca_sin" | "ipv4" | "ipv6";

export const PII_TYPES: readonly PiiType[] = [
  "email",
  "phone",
  "card",
  "iban",
  "us_ssn",
  "uk_nino",
  "ca_sin",
  "ipv4",
  "ipv6",
];

export interface PiiFinding {
  type: PiiType;
  start: number;
  end: number;
}

const digitsOf = (s: string) => s.replace(/\D/g, "");

export function luhn(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

// ---- email -------------------------------------------------------------------------------------

// File names look like addresses ("icon@2x.png"); these endings are file types, not domains.
const FILE_TLDS = new Set([
  "png",
  "jpg",
  "jpeg",
  "gif",
  "svg",
  "webp",
  "ico",
  "js",
  "mjs",
  "cjs",
  "ts",
  "tsx",
  "jsx",
  "css",
  "scss",
  "json",
  "lock",
  "txt",
  "yaml",
  "yml",
  "toml",
  "html",
  "xml",
  "map",
  "wasm",
  "pdf",
  "zip",
  "gz",
  "tgz",
]);

const EMAIL =
  /(?<![A-Za-z0-9._%+-])[A-Za-z0-9](?:[A-Za-z0-9._%+-]{0,63})@((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.){1,8}([A-Za-z]{2,24}))(?![A-Za-z0-9-])/g;
// "jane [at] example [dot] com", "jane(at)example(dot)com", "jane at example dot com".
const AT = String.raw`(?:\s*[[({<]\s*at\s*[\])}>]\s*|\s+at\s+)`;
const DOT = String.raw`(?:\s*[[({<]\s*dot\s*[\])}>]\s*|\s+dot\s+)`;
const EMAIL_SPELLED = new RegExp(
  String.raw`(?<![\w.%+-])[a-z0-9][a-z0-9._%+-]{0,63}${AT}[a-z0-9-]{1,63}(?:(?:${DOT}|\.)[a-z0-9-]{1,63}){0,4}${DOT}(?:com|org|net|edu|gov|io|co|uk|de|fr|ca|au|info|biz|me|us|eu|dev|app|ai|nl|ch|se|es|it|jp|in|br)\b`,
  "gi",
);

function* emails(text: string): Generator<PiiFinding> {
  for (const m of text.matchAll(EMAIL)) {
    const tld = (m[2] ?? "").toLowerCase();
    if (FILE_TLDS.has(tld)) continue;
    const end = (m.index ?? 0) + m[0].length;
    // scp-style remotes (git@github.com:org/repo.git) are hosts, not mailboxes.
    if (text[end] === ":" && /\S/.test(text[end + 1] ?? "")) continue;
    yield { type: "email", start: m.index ?? 0, end };
  }
  for (const m of text.matchAll(EMAIL_SPELLED)) {
    yield { type: "email", start: m.index ?? 0, end: (m.index ?? 0) + m[0].length };
  }
}

// ---- phone -------------------------------------------------------------------------------------

const INTERNATIONAL = /(?<![\w+])(?<!\d[ .-])(?:\+|00)[1-9](?:[\s.\-()/]{0,2}\d){6,14}(?!\d)/g;
const NANP =
  /(?<![\w+])(?:\+?1[\s.-])?(?:\(([2-9]\d{2})\)\s?|([2-9]\d{2})([\s.-]))([2-9]\d{2})[\s.-](\d{4})(?![\d-])/g;
const TRUNK = /(?<![\w+.])(?:0\d{2,4}[\s-]\d{3,4}[\s-]\d{4}|0\d{4}[\s-]\d{6})(?![\d-])/g;
const FRENCH = /(?<![\w+.])0[1-9](?:[\s.-]\d{2}){4}(?![\d.-])/g;

function* phones(text: string): Generator<PiiFinding> {
  for (const m of text.matchAll(INTERNATIONAL)) {
    let raw = m[0];
    // A trailing ")" or separator is not part of the number.
    raw = raw.replace(/[\s.\-(/]+$/, "");
    const digits = digitsOf(raw.startsWith("00") ? raw.slice(2) : raw);
    if (digits.length < 8 || digits.length > 15) continue;
    yield { type: "phone", start: m.index ?? 0, end: (m.index ?? 0) + raw.length };
  }
  for (const m of text.matchAll(NANP)) {
    // One separator style throughout: 415-555-0132, not 415-555.0132 (dates and versions mix them less).
    const sep = m[3];
    if (sep !== undefined && !m[0].includes(`${m[4]}${sep}`)) continue;
    yield { type: "phone", start: m.index ?? 0, end: (m.index ?? 0) + m[0].length };
  }
  for (const re of [TRUNK, FRENCH]) {
    for (const m of text.matchAll(re)) {
      const digits = digitsOf(m[0]);
      if (digits.length < 9 || digits.length > 11) continue;
      yield { type: "phone", start: m.index ?? 0, end: (m.index ?? 0) + m[0].length };
    }
  }
}

// ---- payment cards -----------------------------------------------------------------------------

const CARD = /(?<![\d.-])\d(?:[ -]?\d){12,18}(?![\d-]|\.\d)/g;

/** Issuer ranges (IIN) and lengths of the schemes in use: Visa, Mastercard, Amex, Discover, JCB, Diners, UnionPay, Maestro, Mir. */
export function cardScheme(digits: string): string | null {
  const n = digits.length;
  const p2 = Number(digits.slice(0, 2));
  const p3 = Number(digits.slice(0, 3));
  const p4 = Number(digits.slice(0, 4));
  const p6 = Number(digits.slice(0, 6));
  if (digits[0] === "4" && (n === 13 || n === 16 || n === 19)) return "visa";
  if (((p2 >= 51 && p2 <= 55) || (p6 >= 222100 && p6 <= 272099)) && n === 16) return "mastercard";
  if ((p2 === 34 || p2 === 37) && n === 15) return "amex";
  if ((p4 === 6011 || p2 === 65 || (p3 >= 644 && p3 <= 649)) && n >= 16 && n <= 19) return "discover";
  if (p4 >= 3528 && p4 <= 3589 && n >= 16 && n <= 19) return "jcb";
  if (((p3 >= 300 && p3 <= 305) || p2 === 36 || p2 === 38 || p2 === 39) && n >= 14 && n <= 19)
    return "diners";
  if (p2 === 62 && n >= 16 && n <= 19) return "unionpay";
  if (p4 >= 2200 && p4 <= 2204 && n >= 16 && n <= 19) return "mir";
  if ((p2 === 50 || (p2 >= 56 && p2 <= 58) || p2 === 63 || p2 === 67) && n >= 12 && n <= 19) return "maestro";
  return null;
}

function* cards(text: string): Generator<PiiFinding> {
  for (const m of text.matchAll(CARD)) {
    const raw = m[0];
    // Separators, if any, are one kind: "4111 1111 1111 1111" or "4111-1111-...", not a mix.
    if (raw.includes(" ") && raw.includes("-")) continue;
    const digits = digitsOf(raw);
    if (!cardScheme(digits) || !luhn(digits)) continue;
    yield { type: "card", start: m.index ?? 0, end: (m.index ?? 0) + raw.length };
  }
}

// ---- IBAN --------------------------------------------------------------------------------------

/** ISO 13616 registry: country code → IBAN length. */
// biome-ignore format: a table
export const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BR: 29, BY: 28, CH: 21,
  CR: 22, CY: 28, CZ: 24, DE: 22, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18, FO: 18, FR: 27,
  GB: 22, GE: 22, GI: 23, GL: 18, GR: 27, GT: 28, HR: 21, HU: 28, IE: 22, IL: 23, IQ: 23, IS: 26,
  IT: 27, JO: 30, KW: 30, KZ: 20, LB: 28, LC: 32, LI: 21, LT: 20, LU: 20, LV: 21, MC: 27, MD: 24,
  ME: 22, MK: 19, MR: 27, MT: 31, MU: 30, NL: 18, NO: 15, PK: 24, PL: 28, PS: 29, PT: 25, QA: 29,
  RO: 24, RS: 22, SA: 24, SC: 31, SE: 24, SI: 19, SK: 24, SM: 27, ST: 25, SV: 28, TL: 23, TN: 24,
  TR: 26, UA: 29, VA: 22, VG: 24, XK: 20,
};

export function ibanValid(compact: string): boolean {
  const iban = compact.toUpperCase();
  const expected = IBAN_LENGTHS[iban.slice(0, 2)];
  if (!expected || iban.length !== expected || !/^[A-Z]{2}\d{2}[A-Z0-9]+$/.test(iban)) return false;
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let rem = 0;
  for (const ch of rearranged) {
    const v = ch >= "A" ? ch.charCodeAt(0) - 55 : ch.charCodeAt(0) - 48;
    rem = v >= 10 ? (rem * 100 + v) % 97 : (rem * 10 + v) % 97;
  }
  return rem === 1;
}

const IBAN_START = /(?<![A-Za-z0-9])([A-Za-z]{2})(\d{2})(?=[ ]?[A-Za-z0-9])/g;

function* ibans(text: string): Generator<PiiFinding> {
  for (const m of text.matchAll(IBAN_START)) {
    const start = m.index ?? 0;
    const expected = IBAN_LENGTHS[(m[1] ?? "").toUpperCase()];
    if (!expected) continue;
    // Collect exactly `expected` characters, allowing single spaces between them.
    let compact = "";
    let i = start;
    while (i < text.length && compact.length < expected) {
      const c = text[i] as string;
      if (/[A-Za-z0-9]/.test(c)) compact += c;
      else if (c === " " && compact.length >= 4 && /[A-Za-z0-9]/.test(text[i + 1] ?? "")) {
        // ok: a grouping space
      } else break;
      i++;
    }
    if (compact.length !== expected || /[A-Za-z0-9]/.test(text[i] ?? "")) continue;
    if (!ibanValid(compact)) continue;
    yield { type: "iban", start, end: i };
  }
}

// ---- national identifiers ---------------------------------------------------------------------

const SSN = /(?<![\d-])(\d{3})([- ])(\d{2})\2(\d{4})(?![\d-])/g;
const SSN_LABELLED = /\b(?:ssn|social security(?: number| no\.?| #)?)\s*(?:is|:|#|=)?\s*(\d{9})\b/gi;

export function ssnValid(area: string, group: string, serial: string): boolean {
  const a = Number(area);
  return a !== 0 && a !== 666 && a < 900 && group !== "00" && serial !== "0000";
}

function* ssns(text: string): Generator<PiiFinding> {
  for (const m of text.matchAll(SSN)) {
    if (!ssnValid(m[1] ?? "", m[3] ?? "", m[4] ?? "")) continue;
    yield { type: "us_ssn", start: m.index ?? 0, end: (m.index ?? 0) + m[0].length };
  }
  for (const m of text.matchAll(SSN_LABELLED)) {
    const d = m[1] ?? "";
    if (!ssnValid(d.slice(0, 3), d.slice(3, 5), d.slice(5))) continue;
    const start = (m.index ?? 0) + m[0].length - d.length;
    yield { type: "us_ssn", start, end: start + d.length };
  }
}

// HMRC: first letter not D F I Q U V; second not D F I O Q U V; BG GB KN NK NT TN ZZ never issued.
const NINO =
  /(?<![A-Za-z0-9])(?!(?:BG|GB|KN|NK|NT|TN|ZZ|bg|gb|kn|nk|nt|tn|zz))([A-CEGHJ-PR-TW-Za-ceghj-pr-tw-z][A-CEGHJ-NPR-TW-Za-ceghj-npr-tw-z])\s?(\d{2})\s?(\d{2})\s?(\d{2})\s?([A-Da-d])(?![A-Za-z0-9])/g;

function* ninos(text: string): Generator<PiiFinding> {
  for (const m of text.matchAll(NINO)) {
    yield { type: "uk_nino", start: m.index ?? 0, end: (m.index ?? 0) + m[0].length };
  }
}

const SIN = /(?<![\d-])([1-79]\d{2})([- ])(\d{3})\2(\d{3})(?![\d-])/g;
const SIN_LABELLED = /\b(?:sin|social insurance(?: number| no\.?)?)\s*(?:is|:|#|=)?\s*([1-79]\d{8})\b/gi;

function* sins(text: string): Generator<PiiFinding> {
  for (const m of text.matchAll(SIN)) {
    if (!luhn(digitsOf(m[0]))) continue;
    yield { type: "ca_sin", start: m.index ?? 0, end: (m.index ?? 0) + m[0].length };
  }
  for (const m of text.matchAll(SIN_LABELLED)) {
    const d = m[1] ?? "";
    if (!luhn(d)) continue;
    const start = (m.index ?? 0) + m[0].length - d.length;
    yield { type: "ca_sin", start, end: start + d.length };
  }
}

// ---- IP addresses ------------------------------------------------------------------------------

const OCTET = "(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
const IPV4 = new RegExp(`(?<![\\w.])(?:${OCTET}\\.){3}${OCTET}(?![\\w]|\\.\\d)`, "g");
const VERSION_BEFORE =
  /(?:\bv|version|ver\.?|release|build|firmware|oid|section|sec\.|§|chapter|clause|step|figure|table|item|rule)\s*[:=]?\s*$/i;

function isLoopbackV4(ip: string) {
  return ip.startsWith("127.") || ip === "0.0.0.0" || ip === "255.255.255.255";
}

function* ipv4s(text: string): Generator<PiiFinding> {
  for (const m of text.matchAll(IPV4)) {
    const start = m.index ?? 0;
    if (isLoopbackV4(m[0])) continue;
    if (VERSION_BEFORE.test(text.slice(Math.max(0, start - 12), start))) continue;
    yield { type: "ipv4", start, end: start + m[0].length };
  }
}

/** A strict IPv6 parse: 8 groups, or fewer with one "::"; an IPv4 tail counts as two groups. */
export function ipv6Valid(candidate: string): boolean {
  const addr = candidate.split("%")[0] ?? "";
  if (addr.length < 2) return false;
  let groups = addr.split(":");
  let extra = 0;
  const last = groups[groups.length - 1] ?? "";
  if (last.includes(".")) {
    if (!new RegExp(`^(?:${OCTET}\\.){3}${OCTET}$`).test(last)) return false;
    groups = groups.slice(0, -1).concat(["0", "0"]);
    extra = 0;
  }
  const doubles = addr.split("::").length - 1;
  if (doubles > 1) return false;
  if (doubles === 0) {
    return groups.length === 8 && groups.every((g) => /^[0-9a-f]{1,4}$/i.test(g));
  }
  const [head = "", tail = ""] = addr.split("::");
  const h = head ? head.split(":") : [];
  let t = tail ? tail.split(":") : [];
  if (t.length && (t[t.length - 1] ?? "").includes(".")) {
    t = t.slice(0, -1).concat(["0", "0"]);
  }
  const parts = [...h, ...t];
  if (!parts.every((g) => /^[0-9a-f]{1,4}$/i.test(g))) return false;
  return parts.length + extra <= 7;
}

const IPV6 =
  /(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|(?:\d{1,3}\.){3}\d{1,3})?(?:%[\w.]{1,16})?(?![\w:]|\.\d)/g;

function* ipv6s(text: string): Generator<PiiFinding> {
  for (const m of text.matchAll(IPV6)) {
    let raw = m[0];
    // "::" at the end of a sentence ("... on port :8080") or Rust/C++ paths are not addresses.
    if (!/\d/.test(raw) || raw === "::" || raw === "::1") continue;
    if (raw.endsWith(":") && !raw.endsWith("::")) raw = raw.slice(0, -1);
    if (!ipv6Valid(raw)) continue;
    yield { type: "ipv6", start: m.index ?? 0, end: (m.index ?? 0) + raw.length };
  }
}

// ---- all ---------------------------------------------------------------------------------------

const DETECTORS: Record<PiiType, (text: string) => Iterable<PiiFinding>> = {
  card: cards,
  iban: ibans,
  us_ssn: ssns,
  ca_sin: sins,
  uk_nino: ninos,
  email: emails,
  phone: phones,
  ipv6: ipv6s,
  ipv4: ipv4s,
};

// When spans overlap the more specific, checksummed type wins (a card number is not also a phone).
const PRIORITY: readonly PiiType[] = [
  "card",
  "iban",
  "us_ssn",
  "ca_sin",
  "uk_nino",
  "email",
  "ipv6",
  "ipv4",
  "phone",
];

/** Every PII finding of the given types (all by default), non-overlapping, in text order. */
export function detectPii(text: string, types: readonly PiiType[] = PII_TYPES): PiiFinding[] {
  if (text.length === 0) return [];
  const wanted = new Set(types);
  const kept: PiiFinding[] = [];
  for (const type of PRIORITY) {
    if (!wanted.has(type)) continue;
    for (const f of DETECTORS[type](text)) {
      if (kept.some((k) => k.start < f.end && f.start < k.end)) continue;
      kept.push(f);
    }
  }
  return kept.sort((a, b) => a.start - b.start);
}
