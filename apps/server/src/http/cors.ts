import { Elysia } from "elysia";

const ALLOW_HEADERS = "authorization, content-type, x-csrf-token, x-request-id";
const ALLOW_METHODS = "GET, POST, PUT, PATCH, DELETE, OPTIONS";

/**
 * Only the configured origins (GATEHOUSE_CORS_ORIGINS) may call the API from another site's page.
 * The SPA is same-origin and needs none of this; preflights are answered here, before routing.
 */
export const corsPlugin = (origins: readonly string[]) => {
  const allowed = new Set(origins);
  return new Elysia({ name: "http.cors" })
    .onRequest(({ request, set }) => {
      const origin = request.headers.get("origin");
      if (!origin || !allowed.has(origin)) return;
      set.headers["access-control-allow-origin"] = origin;
      set.headers["access-control-allow-credentials"] = "true";
      set.headers.vary = "Origin";
      if (request.method === "OPTIONS") {
        return new Response(null, {
          status: 204,
          headers: {
            "access-control-allow-origin": origin,
            "access-control-allow-credentials": "true",
            "access-control-allow-headers": ALLOW_HEADERS,
            "access-control-allow-methods": ALLOW_METHODS,
            "access-control-max-age": "600",
            vary: "Origin",
          },
        });
      }
    })
    .as("global");
};
