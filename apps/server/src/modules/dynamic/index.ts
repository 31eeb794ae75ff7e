import { GatehouseError } from "@gatehouse/core";
import { Elysia, t } from "elysia";
import type { AppContext } from "../../context";
import type { authPlugin } from "../../http/auth";
import { cut, rest } from "../../http/wildcard";
import { CheckoutBody, GenerateCaBody, LeaseIdParams, PathQuery, SaveBody } from "./model";

const tags = ["dynamic"];

const noRoute = () => new GatehouseError("not_found", "No such route");

/**
 * Dynamic secrets (Gatehouse's /v1/dynamic*): provider configurations in their own path namespace,
 * checkouts that create a credential on the engine, revocation and the CA public key for SSH. The
 * `:path` routes take the rest of the URL and split off the suffix (paths contain slashes).
 */
export const dynamicModule = (ctx: AppContext, auth: ReturnType<typeof authPlugin>) => {
  ctx.approvals.registerFulfiller(
    "dynamic",
    (tx, req, ttl) => ctx.dynamic.fulfil(tx, req, ttl),
    (req, actor) => ctx.dynamic.collect(req, actor),
  );
  return new Elysia({ name: "module.dynamic" })
    .use(auth)
    .onAfterHandle(({ set }) => {
      set.headers["cache-control"] = "no-store";
    })
    .get("/v1/dynamic/providers", () => ctx.dynamic.listProviders(), {
      auth: true,
      detail: { tags, summary: "Provider types and their configuration fields" },
    })
    .post(
      "/v1/dynamic/generate-ca-keypair",
      async ({ actor, body, set }) => {
        const out = await ctx.dynamic.generateCa(actor, body);
        set.status = out.created ? 201 : 200;
        return out;
      },
      {
        auth: true,
        body: GenerateCaBody,
        detail: {
          tags,
          summary:
            "New ed25519 SSH CA kept sealed in the ssh-cert config at `path`; returns the public key only",
        },
      },
    )
    .get("/v1/dynamic", ({ actor }) => ctx.dynamic.listConfigs(actor), {
      auth: true,
      detail: { tags, summary: "Every dynamic-secret configuration (global admin)" },
    })
    .post(
      "/v1/dynamic",
      async ({ actor, body, set }) => {
        const { view, created } = await ctx.dynamic.saveConfig(actor, body);
        set.status = created ? 201 : 200;
        return view;
      },
      {
        auth: true,
        body: SaveBody,
        detail: {
          tags,
          summary: "Create or update a configuration; blank sensitive fields keep stored values",
        },
      },
    )
    .delete("/v1/dynamic/lease/:id", ({ actor, params }) => ctx.dynamic.revoke(actor, params.id), {
      auth: true,
      params: LeaseIdParams,
      detail: {
        tags,
        summary: "Revoke a dynamic lease (owner or admin); awaited, 502 if the provider fails",
      },
    })
    .get(
      "/v1/dynamic/*",
      ({ actor, params, query }) => {
        const r = rest(params);
        const caOf = cut(r, "/ca-pubkey");
        if (caOf !== undefined) return ctx.dynamic.caPublicKey(actor, caOf);
        const leasesOf = cut(r, "/leases");
        if (leasesOf !== undefined) {
          return ctx.dynamic.pathLeases(actor, leasesOf, {
            includeRevoked: query.include_revoked === "true",
            check: query.check === "true",
            limit: query.limit,
          });
        }
        return ctx.dynamic.getConfig(actor, r);
      },
      {
        auth: true,
        query: PathQuery,
        detail: {
          tags,
          summary:
            "`:path` config (secrets as ***), `:path/ca-pubkey` (ssh-cert) or `:path/leases` (?check=true asks the engine)",
        },
      },
    )
    .post(
      "/v1/dynamic/*",
      ({ actor, params, body }) => {
        const r = rest(params);
        const validateOf = cut(r, "/validate");
        if (validateOf !== undefined) return ctx.dynamic.validate(actor, validateOf);
        const checkoutOf = cut(r, "/checkout");
        if (checkoutOf !== undefined) return ctx.dynamic.checkout(actor, checkoutOf, body ?? {});
        throw noRoute();
      },
      {
        auth: true,
        body: t.Optional(CheckoutBody),
        detail: {
          tags,
          summary:
            "`:path/validate` tests the connection; `:path/checkout` {ttl?, reason?} issues a credential",
        },
      },
    )
    .delete("/v1/dynamic/*", ({ actor, params }) => ctx.dynamic.deleteConfig(actor, rest(params)), {
      auth: true,
      detail: { tags, summary: "Revoke the path's leases (awaited), then delete the configuration" },
    });
};
