// Recognises every IPv4 spelling that the WHATWG URL host parser (fetch, new URL) and inet_aton
// (getaddrinfo, curl) turn into an address: 1 to 4 parts, each decimal, octal (leading 0) or hex
// (0x), the last part filling the remaining bytes ("127.1", "2130706433", "0x7f.0.0.1"), plus a
// trailing dot. Fullwidth digits, ideographic full stops and percent-encoding are folded first,
// as the URL parser does, so an SSRF check cannot be bypassed with "１２７。０。０。１".

const HEX_DIGITS = /^[0-9a-f]*$/;
const OCT_DIGITS = /^[0-7]*$/;
const DEC_DIGITS = /^[0-9]+$/;
const MAX = 0xffffffff;

/** One part as a number, or null. Values above 2^32-1 are refused without losing precision. */
function parsePart(part: string): number | null {
  if (part === "") return null;
  let digits = part;
  let radix = 10;
  if (part.length >= 2 && part.startsWith("0x")) {
    digits = part.slice(2);
    radix = 16;
    if (!HEX_DIGITS.test(digits)) return null;
  } else if (part.length >= 2 && part.startsWith("0")) {
    digits = part.slice(1);
    radix = 8;
    if (!OCT_DIGITS.test(digits)) return null;
  } else if (!DEC_DIGITS.test(digits)) {
    return null;
  }
  // "0x" alone is 0 for the URL parser.
  let value = 0;
  for (const ch of digits) {
    value = value * radix + Number.parseInt(ch, radix);
    if (value > MAX) return null;
  }
  return value;
}

function fold(host: string): string | null {
  let text = host;
  if (text.includes("%")) {
    try {
      text = decodeURIComponent(text);
    } catch {
      return null;
    }
  }
  // NFKC maps fullwidth digits and U+FF0E to ASCII; UTS 46 also maps these full stops to ".".
  return text
    .normalize("NFKC")
    .replace(/[\u3002\uff0e\uff61]/g, ".")
    .toLowerCase();
}

/** Canonical dotted-quad for any IPv4 literal spelling, or null if `host` is not one. */
export function parseIpv4Literal(host: string): string | null {
  if (typeof host !== "string" || host.length === 0 || host.length > 256) return null;
  const text = fold(host);
  if (text === null) return null;
  const parts = text.split(".");
  if (parts.length > 1 && parts[parts.length - 1] === "") parts.pop();
  if (parts.length > 4) return null;

  const numbers: number[] = [];
  for (const part of parts) {
    const n = parsePart(part);
    if (n === null) return null;
    numbers.push(n);
  }
  const last = numbers.pop();
  if (last === undefined) return null;
  if (numbers.some((n) => n > 255)) return null;
  // The last part fills the bytes the earlier parts did not.
  if (last >= 256 ** (4 - numbers.length)) return null;

  let value = last;
  numbers.forEach((n, i) => {
    value += n * 256 ** (3 - i);
  });
  return [value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff].join(".");
}
