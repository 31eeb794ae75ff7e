import { invalid } from "@gatehouse/core";
import { Elysia, t } from "elysia";
import type { AppContext } from "../../context";
import type { authPlugin } from "../../http/auth";
import {
  Checkout,
  LeaseBody,
  LeaseIdParams,
  LeaseList,
  LeaseRevoked,
  ListLeasesQuery,
  Renewed,
} from "./model";
import {
  checkoutLease,
  collectLease,
  fulfilLeaseRequest,
  listLeases,
  renewLease,
  revokeLease,
} from "./service";

const tags = ["leases"];

function rest(params: Record<string, string>): string {
  try {
    return decodeURIComponent(params["*"] ?? "");
  } catch {
    throw invalid("path", "malformed URL encoding");
  }
}

// `/v1/lease/:leaseId/renew` is matched before the `/v1/lease/*` checkout: "renew" is a reserved
// final segment, so no secret path can end in it.
export const leasesModule = (ctx: AppContext, auth: ReturnType<typeof authPlugin>) => {
  ctx.approvals.registerFulfiller(
    "lease",
    (tx, req, ttl) => fulfilLeaseRequest(ctx, tx, req, ttl),
    (req, actor) => collectLease(ctx, req, actor),
  );
  return new Elysia({ name: "module.leases" })
    .use(auth)
    .onAfterHandle(({ set }) => {
      set.headers["cache-control"] = "no-store";
    })
    .get(
      "/v1/lease",
      ({ actor, query }) => listLeases(ctx, actor, query.include_expired === "true", query.limit),
      {
        auth: true,
        query: ListLeasesQuery,
        response: { 200: LeaseList },
        detail: { tags, summary: "Active leases (global admins: all; others: their own)" },
      },
    )
    .post(
      "/v1/lease/:leaseId/renew",
      ({ actor, params, body }) => renewLease(ctx, actor, params.leaseId, body ?? {}),
      {
        auth: true,
        params: LeaseIdParams,
        body: t.Optional(LeaseBody),
        response: { 200: Renewed },
        detail: { tags, summary: "Extend a lease (owner or global admin)" },
      },
    )
    .post("/v1/lease/*", ({ actor, params, body }) => checkoutLease(ctx, actor, rest(params), body ?? {}), {
      auth: true,
      body: t.Optional(LeaseBody),
      response: { 200: Checkout },
      detail: { tags, summary: "Lease a static secret: its value plus a lease id" },
    })
    .delete("/v1/lease/:leaseId", ({ actor, params }) => revokeLease(ctx, actor, params.leaseId), {
      auth: true,
      params: LeaseIdParams,
      response: { 200: LeaseRevoked },
      detail: { tags, summary: "Revoke a lease (owner or global admin)" },
    });
};
