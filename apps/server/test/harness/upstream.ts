import { spawnSync } from "node:child_process";
import dgram from "node:dgram";
import { promises as dnsp } from "node:dns";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

// Local upstreams for proxy tests: a throwaway certificate authority (openssl), HTTPS/HTTP servers on
// loopback that record what they received, and a tiny UDP DNS server so names resolve to loopback.

export interface TestPki {
  ca: string;
  cert: string;
  key: string;
}

let pki: TestPki | undefined;

function openssl(args: string[], cwd: string) {
  const r = spawnSync("openssl", args, { cwd, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr}`);
}

/** A CA made for this process and a server certificate it signed for *.gatehouse.test and loopback. */
export function testPki(): TestPki {
  if (pki) return pki;
  const dir = mkdtempSync(join(tmpdir(), "gh-pki-"));
  try {
    const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
    openssl(
      [
        "req",
        "-x509",
        ...ec,
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=Gatehouse test CA",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign",
      ],
      dir,
    );
    openssl(["req", ...ec, "-keyout", "srv.key", "-out", "srv.csr", "-subj", "/CN=api.gatehouse.test"], dir);
    writeFileSync(
      join(dir, "ext.cnf"),
      "subjectAltName=DNS:gatehouse.test,DNS:*.gatehouse.test,IP:127.0.0.1,IP:::1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    );
    openssl(
      [
        "x509",
        "-req",
        "-in",
        "srv.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "srv.pem",
        "-days",
        "2",
        "-extfile",
        "ext.cnf",
      ],
      dir,
    );
    pki = {
      ca: readFileSync(join(dir, "ca.pem"), "utf8"),
      cert: readFileSync(join(dir, "srv.pem"), "utf8"),
      key: readFileSync(join(dir, "srv.key"), "utf8"),
    };
    return pki;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface Received {
  method: string;
  host: string | null;
  path: string;
  query: string;
  headers: Record<string, string>;
  body: string;
}

export interface Upstream {
  port: number;
  /** Every request received, oldest first. */
  received: Received[];
  last(): Received;
  stop(): void;
}

const enc = new TextEncoder();

/**
 * An upstream with a few behaviours chosen by path:
 *   /leak          echoes the credential it got (Authorization, minus its scheme) raw, base64, base64url,
 *                  URL-encoded and JSON-escaped, in the body and in headers
 *   /gzip-leak     the same echo, gzip-compressed; /bomb?n= n zero bytes gzipped; /encoded?e= an encoding
 *   /redirect?to=  302 to `to`
 *   /status/<n>    answers n
 *   /big?n=&cl=1   n bytes, chunked (or with content-length when cl=1)
 *   /slow?ms=      answers after ms; /trickle?ms= sends headers at once and the body after ms
 *   anything else  200 JSON echo of method, path, query and body
 */
export function startUpstream(
  opts: { tls?: boolean; hostname?: string; port?: number; name?: string } = {},
): Upstream {
  const received: Received[] = [];
  const { cert, key } = testPki();
  const server = Bun.serve({
    hostname: opts.hostname ?? "127.0.0.1",
    port: opts.port ?? 0,
    ...(opts.tls === false ? {} : { tls: { cert, key } }),
    async fetch(req) {
      const url = new URL(req.url);
      const body = await req.text();
      received.push({
        method: req.method,
        host: req.headers.get("host"),
        path: url.pathname,
        query: url.search,
        headers: Object.fromEntries(req.headers),
        body,
      });
      const p = url.pathname;
      if (p === "/leak") {
        const auth = req.headers.get("authorization") ?? req.headers.get("x-api-key") ?? "";
        const v = auth.replace(/^(Bearer|token)\s+/i, "");
        const b64 = Buffer.from(v).toString("base64");
        return new Response(
          JSON.stringify({
            raw: v,
            header: auth,
            base64: b64,
            base64url: Buffer.from(v).toString("base64url"),
            url: encodeURIComponent(v),
            wrapped: `prefix-${b64}-suffix`,
            note: `token=${v}`,
          }),
          {
            headers: {
              "content-type": "application/json",
              "x-request-id": v,
              link: `<https://api.gatehouse.test/next?token=${encodeURIComponent(v)}>; rel="next"`,
              "www-authenticate": `Bearer realm="${b64}"`,
              "x-secret-echo": v,
              "set-cookie": `session=${v}`,
            },
          },
        );
      }
      if (p === "/gzip-leak") {
        const v = (req.headers.get("authorization") ?? "").replace(/^Bearer\s+/i, "");
        return new Response(
          Bun.gzipSync(JSON.stringify({ raw: v, base64: Buffer.from(v).toString("base64") })),
          {
            headers: { "content-type": "application/json", "content-encoding": "gzip" },
          },
        );
      }
      if (p === "/bomb")
        return new Response(Bun.gzipSync(new Uint8Array(Number(url.searchParams.get("n") ?? "0"))), {
          headers: { "content-type": "text/plain", "content-encoding": "gzip" },
        });
      if (p === "/encoded")
        return new Response("opaque", {
          headers: { "content-encoding": url.searchParams.get("e") ?? "compress" },
        });
      if (p === "/redirect")
        return new Response(null, { status: 302, headers: { location: url.searchParams.get("to") ?? "/" } });
      if (p.startsWith("/status/")) {
        const n = Number(p.slice("/status/".length));
        return Response.json({ status: n, error: n >= 400 ? "nope" : null }, { status: n });
      }
      if (p === "/big") {
        const n = Number(url.searchParams.get("n") ?? "0");
        const chunk = enc.encode("x".repeat(64 * 1024));
        if (url.searchParams.get("cl") === "1")
          return new Response(new Uint8Array(n).fill(120), { headers: { "content-type": "text/plain" } });
        let sent = 0;
        return new Response(
          new ReadableStream({
            pull(c) {
              if (sent >= n) return c.close();
              const part = chunk.subarray(0, Math.min(chunk.length, n - sent));
              sent += part.length;
              c.enqueue(part);
            },
          }),
          { headers: { "content-type": "text/plain" } },
        );
      }
      if (p === "/slow") {
        await Bun.sleep(Number(url.searchParams.get("ms") ?? "0"));
        return Response.json({ slow: true });
      }
      if (p === "/trickle") {
        const ms = Number(url.searchParams.get("ms") ?? "0");
        return new Response(
          new ReadableStream({
            async start(c) {
              c.enqueue(enc.encode('{"part":'));
              await Bun.sleep(ms);
              c.enqueue(enc.encode("1}"));
              c.close();
            },
          }),
          { headers: { "content-type": "application/json" } },
        );
      }
      let parsed: unknown = body;
      try {
        parsed = body ? JSON.parse(body) : null;
      } catch {}
      return Response.json({
        who: opts.name ?? "upstream",
        method: req.method,
        path: p,
        query: Object.fromEntries(url.searchParams),
        body: parsed,
        items: [{ id: 1, title: "t", done: false }],
      });
    },
  });
  return {
    port: server.port as number,
    received,
    last: () => {
      const r = received[received.length - 1];
      if (!r) throw new Error("the upstream received nothing");
      return r;
    },
    stop: () => void server.stop(true),
  };
}

export interface TestDns {
  port: number;
  /** Answers for a name: fixed addresses, or a function called per A query (for rebinding). */
  set(name: string, answer: string[] | (() => string[])): void;
  /** Never answer queries for this name (a resolver that hangs). */
  blackhole(name: string): void;
  /** A queries received per name. */
  queries(name: string): number;
  /** A resolver for the proxy that asks only this server (A and AAAA). */
  resolve(host: string): Promise<string[]>;
  stop(): void;
}

function ipv4Bytes(a: string): Buffer | null {
  const parts = a.split(".").map(Number);
  return parts.length === 4 && parts.every((n) => n >= 0 && n <= 255) ? Buffer.from(parts) : null;
}

function ipv6Bytes(a: string): Buffer | null {
  if (!a.includes(":")) return null;
  const [head = "", tail = ""] = a.split("::");
  const h = head ? head.split(":") : [];
  const t = a.includes("::") ? (tail ? tail.split(":") : []) : [];
  const groups = [...h, ...new Array(8 - h.length - t.length).fill("0"), ...t];
  const b = Buffer.alloc(16);
  for (const [i, g] of groups.entries()) b.writeUInt16BE(Number.parseInt(g, 16), i * 2);
  return b;
}

/** A UDP DNS server on loopback answering A/AAAA from a table (NXDOMAIN otherwise). */
export async function startDns(): Promise<TestDns> {
  const table = new Map<string, string[] | (() => string[])>();
  const silent = new Set<string>();
  const counts = new Map<string, number>();
  const sock = dgram.createSocket("udp4");
  sock.on("message", (msg, rinfo) => {
    const id = msg.readUInt16BE(0);
    let i = 12;
    const labels: string[] = [];
    while (i < msg.length && msg[i]) {
      const len = msg[i] as number;
      labels.push(msg.subarray(i + 1, i + 1 + len).toString("latin1"));
      i += len + 1;
    }
    const qtype = msg.readUInt16BE(i + 1);
    const question = msg.subarray(12, i + 5);
    const name = labels.join(".").toLowerCase();
    if (qtype === 1) counts.set(name, (counts.get(name) ?? 0) + 1);
    if (silent.has(name)) return;
    const entry = table.get(name);
    // A function answers A queries only, so a sequence advances once per resolution.
    const all = entry ? (typeof entry === "function" ? (qtype === 1 ? entry() : []) : entry) : undefined;
    const answers: Buffer[] = [];
    for (const a of all ?? []) {
      const bytes = qtype === 1 ? ipv4Bytes(a) : qtype === 28 ? ipv6Bytes(a) : null;
      if (!bytes) continue;
      const rr = Buffer.alloc(12);
      rr.writeUInt16BE(0xc00c, 0);
      rr.writeUInt16BE(qtype, 2);
      rr.writeUInt16BE(1, 4);
      rr.writeUInt32BE(0, 6); // TTL 0: resolvers must not cache (the rebinding tests change answers)
      rr.writeUInt16BE(bytes.length, 10);
      answers.push(rr, bytes);
    }
    const header = Buffer.alloc(12);
    header.writeUInt16BE(id, 0);
    header.writeUInt16BE(all ? 0x8180 : 0x8183, 2);
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(answers.length / 2, 6);
    sock.send(Buffer.concat([header, question, ...answers]), rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => sock.bind(0, "127.0.0.1", () => resolve()));
  const port = sock.address().port;
  const resolver = new dnsp.Resolver({ timeout: 5000, tries: 1 });
  resolver.setServers([`127.0.0.1:${port}`]);
  const none = (e: unknown) => {
    const code = (e as { code?: string }).code;
    if (code === "ENODATA" || code === "ENOTFOUND") return [] as string[];
    throw e;
  };
  return {
    port,
    set: (name, answer) => table.set(name.toLowerCase(), answer),
    blackhole: (name) => silent.add(name.toLowerCase()),
    queries: (name) => counts.get(name.toLowerCase()) ?? 0,
    async resolve(host) {
      // One round trip per family, like getaddrinfo; the rebinding tests count the A queries.
      const v4 = await resolver.resolve4(host).catch(none);
      const v6 = await resolver.resolve6(host).catch(none);
      const all = [...v4, ...v6];
      if (all.length === 0) throw Object.assign(new Error(`no addresses for ${host}`), { code: "ENOTFOUND" });
      return all;
    },
    stop: () => sock.close(),
  };
}
