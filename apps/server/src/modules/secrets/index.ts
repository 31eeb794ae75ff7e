import { invalid } from "@gatehouse/core";
import { Elysia, t } from "elysia";
import type { AppContext } from "../../context";
import type { authPlugin } from "../../http/auth";
import { cut, rest } from "../../http/wildcard";
import { bulkImport } from "./bulk";
import {
  BulkImport,
  BulkResult,
  ListQuery,
  SecretDeleted,
  SecretList,
  SecretPatch,
  SecretPost,
  SecretValue,
  SecretView,
  VersionList,
} from "./model";
import { checkPath } from "./rows";
import { getSecret, listSecrets, listVersions, revealValue, revealVersion } from "./service";

// An agent explains a read that may need approval with this header (GET has no body).
const reasonOf = (request: Request) => request.headers.get("x-gatehouse-reason")?.slice(0, 500) || undefined;

import { deleteSecret, rollbackSecret, updateMetadata, writeSecret } from "./write";

const tags = ["secrets"];
const MERGE_PATCH = "application/merge-patch+json";
const VERSION_N = /^(.+)\/versions\/(\d{1,10})$/;

function wantsText(request: Request): boolean {
  const accept = request.headers.get("accept")?.toLowerCase() ?? "";
  const text = accept.indexOf("text/plain");
  const json = accept.indexOf("application/json");
  return text >= 0 && (json < 0 || text < json);
}

export const secretsModule = (ctx: AppContext, auth: ReturnType<typeof authPlugin>) =>
  new Elysia({ name: "module.secrets" })
    .use(auth)
    .onAfterHandle(({ set }) => {
      set.headers["cache-control"] = "no-store";
    })
    .get("/v1/secrets", ({ actor, query }) => listSecrets(ctx, actor, query.prefix), {
      auth: true,
      query: ListQuery,
      response: { 200: SecretList },
      detail: { tags, summary: "Secrets under a prefix that the caller may see" },
    })
    .get(
      "/v1/secrets/*",
      async ({ actor, params, request, set }) => {
        const r = rest(params);
        const v = VERSION_N.exec(r);
        if (v) {
          const n = Number(v[2]);
          if (n < 1) throw invalid("version", "must be a positive integer");
          return revealVersion(ctx, actor, checkPath(v[1] as string), n);
        }
        const versionsOf = cut(r, "/versions");
        if (versionsOf !== undefined) return listVersions(ctx, actor, checkPath(versionsOf));
        const secretOfValue = cut(r, "/value");
        if (secretOfValue !== undefined) {
          const out = await revealValue(ctx, actor, checkPath(secretOfValue), reasonOf(request));
          if (!wantsText(request)) return out;
          set.headers["content-type"] = "text/plain; charset=utf-8";
          return out.value;
        }
        return getSecret(ctx, actor, checkPath(r));
      },
      {
        auth: true,
        response: { 200: t.Union([SecretView, SecretValue, VersionList, t.String()]) },
        detail: {
          tags,
          summary: "`:path` metadata, `:path/value`, `:path/versions` or `:path/versions/:n`",
        },
      },
    )
    .post("/v1/secrets-bulk", ({ actor, body }) => bulkImport(ctx, actor, body), {
      auth: true,
      body: BulkImport,
      response: { 200: BulkResult },
      detail: { tags, summary: "Import .env text or a list of secrets (all or nothing; dry run)" },
    })
    .post(
      "/v1/secrets/*",
      async ({ actor, params, body, set }) => {
        const r = rest(params);
        const rollbackOf = cut(r, "/rollback");
        if (rollbackOf !== undefined) return rollbackSecret(ctx, actor, checkPath(rollbackOf), body.version);
        const { view, created } = await writeSecret(ctx, actor, checkPath(r), body);
        set.status = created ? 201 : 200;
        return view;
      },
      {
        auth: true,
        body: SecretPost,
        response: { 200: SecretView, 201: SecretView },
        detail: {
          tags,
          summary: "`:path` writes a new version {value, metadata?}; `:path/rollback` {version}",
        },
      },
    )
    .patch(
      "/v1/secrets/*",
      ({ actor, params, body, request }) => {
        const merge = (request.headers.get("content-type") ?? "").toLowerCase().startsWith(MERGE_PATCH);
        return updateMetadata(ctx, actor, checkPath(rest(params)), body, merge);
      },
      {
        auth: true,
        parse: [
          ({ request, contentType }) =>
            contentType?.toLowerCase().startsWith(MERGE_PATCH) ? request.json() : undefined,
          "json",
        ],
        body: SecretPatch,
        response: { 200: SecretView },
        detail: { tags, summary: `Replace the metadata, or merge it with Content-Type: ${MERGE_PATCH}` },
      },
    )
    .delete("/v1/secrets/*", ({ actor, params }) => deleteSecret(ctx, actor, checkPath(rest(params))), {
      auth: true,
      response: { 200: SecretDeleted },
      detail: { tags, summary: "Delete a secret (history kept, leases revoked)" },
    });
