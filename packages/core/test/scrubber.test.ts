// Behaviour of the scrubber API: redaction format, offsets into the original text, PEM blocks,
// connection strings, known values, allowlists and options.

import { describe, expect, test } from "bun:test";
import { createScrubber, DETECTORS, KnownValues, scrub } from "../src/scrubber/index";
import { Rng, toBase64 } from "./corpus/rng";

const r = new Rng(99);
const ghp = `ghp_${r.alnum(36)}`;
const akia = `AKIA${r.str("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)}`;

function pemBlock(label: string): string {
  const body = (r.base64(400).match(/.{1,64}/g) ?? []).join("\n");
  return `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----`;
}

describe("DETECTORS", () => {
  test("at least 100 formats with metadata and lower-case keywords", () => {
    expect(DETECTORS.length).toBeGreaterThanOrEqual(100);
    expect(new Set(DETECTORS.map((d) => d.id)).size).toBe(DETECTORS.length);
    for (const d of DETECTORS) {
      expect(d.id).toMatch(/^[a-z0-9_]+$/);
      expect(d.description.length).toBeGreaterThan(10);
      expect(d.keywords.length).toBeGreaterThan(0);
      for (const k of d.keywords) expect(k).toBe(k.toLowerCase());
    }
    const families = new Set(DETECTORS.map((d) => d.family));
    for (const f of [
      "cloud",
      "vcs",
      "ci",
      "registry",
      "payment",
      "chat",
      "ai",
      "observability",
      "database",
      "keys",
      "generic",
    ]) {
      expect(families.has(f as never)).toBe(true);
    }
  });
});

describe("redaction format", () => {
  test("prefixed tokens keep their prefix for humans", () => {
    expect(scrub(`token: ${ghp}`).scrubbed).toBe("token: ghp_…[REDACTED]");
    expect(scrub(akia).scrubbed).toBe("AKIA…[REDACTED]");
  });

  test("positions and lengths are offsets into the original text", () => {
    const text = `a ${ghp} b postgres://app:Sup3rS3cretPw@db:5432/app c ${akia} d`;
    const { scrubbed, redactions } = scrub(text);
    expect(redactions.map((x) => x.type)).toEqual([
      "github_pat",
      "postgres_uri_password",
      "aws_access_key_id",
    ]);
    for (const x of redactions) expect(x.position).toBeGreaterThanOrEqual(0);
    expect(
      text.slice(redactions[0]?.position, (redactions[0]?.position ?? 0) + (redactions[0]?.length ?? 0)),
    ).toBe(ghp);
    expect(
      text.slice(redactions[1]?.position, (redactions[1]?.position ?? 0) + (redactions[1]?.length ?? 0)),
    ).toBe("Sup3rS3cretPw");
    expect(
      text.slice(redactions[2]?.position, (redactions[2]?.position ?? 0) + (redactions[2]?.length ?? 0)),
    ).toBe(akia);
    expect(scrubbed).toBe("a ghp_…[REDACTED] b postgres://app:[REDACTED]@db:5432/app c AKIA…[REDACTED] d");
  });

  test("connection strings keep scheme, user and host", () => {
    expect(scrub("mongodb+srv://svc:q8Zr2LpX9vTt@cluster0.example.net/app").scrubbed).toBe(
      "mongodb+srv://svc:[REDACTED]@cluster0.example.net/app",
    );
    expect(scrub("redis://:N7pQ2xR9sW4z@cache:6379/0").scrubbed).toBe("redis://:[REDACTED]@cache:6379/0");
  });

  test("PEM private key blocks are replaced whole, body included", () => {
    const key = pemBlock("RSA PRIVATE KEY");
    const { scrubbed, redactions } = scrub(`before\n${key}\nafter`);
    expect(scrubbed).toBe("before\n[REDACTED]\nafter");
    expect(redactions).toEqual([{ type: "rsa_private_key", position: 7, length: key.length }]);
  });

  test("PEM blocks inside JSON strings and truncated blocks are covered", () => {
    const key = pemBlock("PRIVATE KEY");
    const json = JSON.stringify({
      type: "service_account",
      private_key: `${key}\n`,
      client_email: "a@b.iam",
    });
    const out = scrub(json).scrubbed;
    expect(out).not.toContain("MII");
    expect(out).toContain('"client_email":"a@b.iam"');
    expect(JSON.parse(out)).toMatchObject({ type: "service_account" });
    const truncated = key.slice(0, 200);
    const t = scrub(`key:\n${truncated}\n\nnext paragraph`).scrubbed;
    expect(t).toBe("key:\n[REDACTED]\n\nnext paragraph");
  });

  test("public keys and certificates are not redacted", () => {
    const text = `${pemBlock("PUBLIC KEY")}\n${pemBlock("CERTIFICATE")}\nssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${r.base64(32)} me`;
    expect(scrub(text).redactions).toEqual([]);
  });

  test("overlapping detections merge into one redaction under the specific type", () => {
    const { scrubbed, redactions } = scrub(`{"api_key": "${ghp}"}`);
    expect(redactions).toHaveLength(1);
    expect(redactions[0]?.type).toBe("github_pat");
    expect(scrubbed).toBe('{"api_key": "ghp_…[REDACTED]"}');
  });
});

describe("known values", () => {
  const secret = "vault-issued-S3cret!value";

  test("raw value and its common encodings are redacted fully as known_value", () => {
    const b64 = btoa(secret);
    const b64url = b64.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    const text = [
      `raw ${secret}`,
      `b64 ${b64}`,
      `b64url ${b64url}`,
      `url ${encodeURIComponent(secret)}`,
      `json ${JSON.stringify({ v: `"${secret}"` })}`,
    ].join("\n");
    const { scrubbed, redactions } = scrub(text, [secret]);
    expect(scrubbed).not.toContain(secret);
    expect(scrubbed).not.toContain(b64.slice(0, 20));
    expect(scrubbed).not.toContain(encodeURIComponent(secret));
    expect(redactions.every((x) => x.type === "known_value")).toBe(true);
    expect(redactions.length).toBeGreaterThanOrEqual(5);
    expect(scrubbed.startsWith("raw [REDACTED]\n")).toBe(true);
  });

  test("a known value inside a longer base64 blob (Basic auth) is still caught", () => {
    const header = `Authorization: Basic ${btoa(`deploy:${secret}`)}`;
    const custom = createScrubber({ detectors: [] });
    expect(custom.contains(header, [secret])).toBe(true);
    expect(custom.scrub(header, [secret]).scrubbed).not.toContain(btoa(`deploy:${secret}`).slice(12, 30));
  });

  test("known values shorter than 6 characters are ignored", () => {
    expect(scrub("the word abc appears", ["abc"]).redactions).toEqual([]);
  });

  test("known values win over detectors and keep no prefix", () => {
    const { scrubbed, redactions } = scrub(`use ${ghp} now`, [ghp]);
    expect(scrubbed).toBe("use [REDACTED] now");
    expect(redactions[0]?.type).toBe("known_value");
  });

  test("precomputed known values: the sent auth header and its encodings are redacted like the value", () => {
    const detectorless = createScrubber({ detectors: [] });
    const basic = `Basic ${btoa(`${secret}:`)}`;
    const bearer = `Bearer ${secret}`;
    const known = new KnownValues([secret], [basic, bearer]);
    for (const header of [basic, bearer]) {
      for (const text of [header, encodeURIComponent(header), JSON.stringify(header), btoa(header)]) {
        const out = detectorless.scrub(`echo: ${text} end`, known).scrubbed;
        expect(out).toContain("[REDACTED]");
        expect(out).not.toContain(secret);
        expect(out).not.toContain(btoa(`${secret}:`).slice(0, 30));
        // Whatever is left of the encoded header is at most its non-secret edges.
        expect(out.replace("echo: ", "").replace(" end", "").replace("[REDACTED]", "").length).toBeLessThan(
          16,
        );
      }
    }
    // Reused for several texts, it gives what the plain list gives.
    const text = `a ${secret} b ${btoa(secret)} c ${basic}`;
    expect(detectorless.scrub(text, known).scrubbed).toBe(detectorless.scrub(text, [secret, basic]).scrubbed);
  });

  test("utf-8 known values are matched in base64", () => {
    const v = "pässwörd-ünïcode-9";
    const b64 = toBase64(new TextEncoder().encode(v));
    expect(scrub(`x ${b64} y`, [v]).scrubbed).toBe("x [REDACTED] y");
  });
});

describe("options", () => {
  test("contains() answers /v1/scrub/check", () => {
    const s = createScrubber();
    expect(s.contains(`export GITHUB_TOKEN=${ghp}`)).toBe(true);
    expect(s.contains("nothing to see here: 9fceb02d0ae598e95dc970b74767f19372d61af8")).toBe(false);
  });

  test("extraAllowlist skips exact values and patterns", () => {
    expect(createScrubber({ extraAllowlist: [ghp] }).scan(`t=${ghp}`)).toEqual([]);
    expect(createScrubber({ extraAllowlist: [/^AKIA/] }).scan(akia)).toEqual([]);
  });

  test("a custom detector list restricts what runs", () => {
    const only = DETECTORS.filter((d) => d.id === "aws_access_key_id");
    const s = createScrubber({ detectors: only });
    expect(s.scan(`${ghp} ${akia}`).map((f) => f.type)).toEqual(["aws_access_key_id"]);
  });

  test("documented example keys are allowlisted", () => {
    expect(scrub("AKIAIOSFODNN7EXAMPLE wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY").redactions).toEqual([]);
  });
});

describe("many known values", () => {
  test("hundreds of known values are all found in one pass", () => {
    const rng = new Rng(5);
    const known = Array.from({ length: 300 }, () => `kv-${rng.alnum(20)}`);
    const text = known.map((k, i) => (i % 2 === 0 ? `line ${i} ${k}` : `line ${i} ${btoa(k)}`)).join("\n");
    const { scrubbed, redactions } = createScrubber({ detectors: [] }).scrub(text, known);
    expect(redactions).toHaveLength(300);
    for (const k of known) expect(scrubbed).not.toContain(k);
  });
});
