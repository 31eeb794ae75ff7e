import { GatehouseError } from "@gatehouse/core";
import type { ParsedIp } from "@gatehouse/core/net";
import { ipHost, type ProxyNet } from "./net";

export interface UpstreamCall {
  method: string;
  /** The final URL (after injection): its host names the virtual host and the TLS server name. */
  url: URL;
  /** The checked address the connection goes to. */
  address: ParsedIp;
  /** True when the URL's host is itself an IP literal (no server name to send). */
  literal: boolean;
  headers: Headers;
  body?: string;
  timeoutMs: number;
}

export interface UpstreamResult {
  status: number;
  headers: Headers;
  /** The body as text (UTF-8, invalid sequences replaced). */
  text: string;
}

const SAFE_CODE = /^[A-Z][A-Z0-9_]{1,48}$/;

/** A failure's code only: fetch's messages quote the URL, which can carry an injected value. */
function failure(e: unknown): GatehouseError {
  const code = (e as { code?: unknown }).code;
  const reason = typeof code === "string" && SAFE_CODE.test(code) ? code : "connect_failed";
  const tls = reason.includes("CERT") || reason.includes("TLS") || reason.includes("SSL");
  return new GatehouseError(
    "upstream_failed",
    tls
      ? `The upstream TLS certificate was not accepted (${reason})`
      : `The upstream request failed (${reason})`,
    { reason },
  );
}

// Encodings fetch decodes itself; anything else would reach the scrubber still encoded.
const DECODED = new Set(["", "identity", "gzip", "x-gzip", "deflate", "br", "zstd"]);

const tooLarge = (limit: number) =>
  new GatehouseError("upstream_failed", `The upstream response is larger than ${limit} bytes`, {
    reason: "response_too_large",
    limit,
  });

const timedOut = (ms: number) =>
  new GatehouseError("upstream_timeout", `The upstream did not answer within ${ms} ms`, { timeout: ms });

/**
 * One HTTP exchange with the upstream: connects to the checked address (an IP literal URL) with the
 * original Host header and, for https, the original name as the TLS server name, so certificate
 * verification is against the name the caller asked for. Redirects come back as they are. The body is
 * read with a byte cap and the whole exchange, body included, with one timeout.
 */
export async function callUpstream(net: ProxyNet, call: UpstreamCall): Promise<UpstreamResult> {
  const { url } = call;
  const https = url.protocol === "https:";
  const connect = `${url.protocol}//${ipHost(call.address)}${url.port ? `:${url.port}` : ""}${url.pathname}${url.search}`;
  const headers = new Headers(call.headers);
  headers.set("host", url.host);
  const controller = new AbortController();
  let expired = false;
  const timer = setTimeout(() => {
    expired = true;
    controller.abort();
  }, call.timeoutMs);
  try {
    let res: Response;
    try {
      res = await fetch(connect, {
        method: call.method,
        headers,
        body: call.body,
        redirect: "manual",
        signal: controller.signal,
        ...(https
          ? {
              tls: {
                ...(call.literal ? {} : { serverName: url.hostname.replace(/\.$/, "") }),
                ...(net.ca ? { ca: net.ca } : {}),
                rejectUnauthorized: true,
              },
            }
          : {}),
      });
    } catch (e) {
      throw expired ? timedOut(call.timeoutMs) : failure(e);
    }
    const encoding = (res.headers.get("content-encoding") ?? "").trim().toLowerCase();
    if (!DECODED.has(encoding)) {
      controller.abort();
      throw new GatehouseError(
        "upstream_failed",
        "The upstream used a content encoding that cannot be scrubbed",
        {
          reason: "unsupported_content_encoding",
        },
      );
    }
    const limit = net.maxResponseBytes;
    const declared = Number(res.headers.get("content-length") ?? "NaN");
    if (Number.isFinite(declared) && declared > limit) {
      controller.abort();
      throw tooLarge(limit);
    }
    if (!res.body || call.method === "HEAD") {
      await res.body?.cancel().catch(() => {});
      return { status: res.status, headers: res.headers, text: "" };
    }
    // Fast path: an unencoded body of declared length within the cap is exactly that many bytes.
    if (Number.isFinite(declared) && (encoding === "" || encoding === "identity")) {
      try {
        return { status: res.status, headers: res.headers, text: await res.text() };
      } catch (e) {
        throw expired ? timedOut(call.timeoutMs) : failure(e);
      }
    }
    const chunks: Uint8Array[] = [];
    let total = 0;
    const reader = res.body.getReader();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        total += value.byteLength;
        if (total > limit) {
          controller.abort();
          throw tooLarge(limit);
        }
        chunks.push(value);
      }
    } catch (e) {
      if (e instanceof GatehouseError) throw e;
      throw expired ? timedOut(call.timeoutMs) : failure(e);
    } finally {
      reader.releaseLock();
    }
    const bytes = new Uint8Array(total);
    let at = 0;
    for (const c of chunks) {
      bytes.set(c, at);
      at += c.byteLength;
    }
    return { status: res.status, headers: res.headers, text: new TextDecoder().decode(bytes) };
  } finally {
    clearTimeout(timer);
  }
}
