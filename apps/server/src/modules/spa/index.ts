import { existsSync, statSync } from "node:fs";
import { extname, resolve, sep } from "node:path";
import { GatehouseError } from "@gatehouse/core";
import { Elysia } from "elysia";
import type { AppContext } from "../../context";

// No inline script anywhere: the SPA's only script is its bundled module.
export const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
  "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'";

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>Gatehouse</title>
<p>The web UI is not built. Run <code>bun run start</code> (it builds it) or <code>bun run build</code>.</p>`;

export const spaModule = (ctx: AppContext) => {
  const root = ctx.config.webDist;
  const index = resolve(root, "index.html");
  const headers = {
    "content-type": "text/html; charset=utf-8",
    "content-security-policy": CSP,
    "cache-control": "no-cache",
  };
  const html = () =>
    existsSync(index)
      ? new Response(Bun.file(index), { headers })
      : new Response(NOT_BUILT, { status: 503, headers });
  return new Elysia({ name: "module.spa" }).get("/*", ({ request, set }) => {
    let pathname: string;
    try {
      pathname = decodeURIComponent(new URL(request.url).pathname);
    } catch {
      throw new GatehouseError("invalid_request", "Malformed URL encoding in the path", { field: "path" });
    }
    if (pathname.startsWith("/v1/") || pathname === "/v1")
      throw new GatehouseError("not_found", "No such route");
    if (extname(pathname)) {
      const file = resolve(root, `.${pathname}`);
      if (file.startsWith(root + sep) && existsSync(file) && statSync(file).isFile()) {
        set.headers["cache-control"] = pathname.startsWith("/assets/")
          ? "public, max-age=31536000, immutable"
          : "no-cache";
        return Bun.file(file);
      }
      throw new GatehouseError("not_found", "No such file");
    }
    return html();
  });
};
