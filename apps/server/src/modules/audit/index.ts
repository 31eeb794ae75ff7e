import { Elysia, t } from "elysia";
import type { AppContext } from "../../context";
import type { authPlugin } from "../../http/auth";
import { exportAudit } from "./export";
import {
  EntryCount,
  EntryList,
  ExportQuery,
  Filter,
  ListQuery,
  Purged,
  PurgeInput,
  Retention,
  Verified,
} from "./model";
import { countAudit, listAudit, purgeAsAdmin, readRetention, setRetention, verifyAudit } from "./service";

const tags = ["audit"];

/** The audit log: filtered reads (own entries unless global admin), export, retention, purge, verify. */
export const auditModule = (ctx: AppContext, auth: ReturnType<typeof authPlugin>) =>
  new Elysia({ name: "module.audit", prefix: "/v1/audit" })
    .use(auth)
    .get("", ({ actor, query }) => listAudit(ctx, actor, query), {
      auth: true,
      query: ListQuery,
      response: { 200: EntryList },
      detail: { tags, summary: "Audit entries, newest first (non-admins see their own)" },
    })
    .get("/count", ({ actor, query }) => countAudit(ctx, actor, query), {
      auth: true,
      query: Filter,
      response: { 200: EntryCount },
      detail: { tags, summary: "How many entries match the filters (non-admins count their own)" },
    })
    .get("/export", ({ actor, query }) => exportAudit(ctx, actor, query), {
      auth: true,
      query: ExportQuery,
      detail: { tags, summary: "Export matching entries as JSON, JSON Lines or CSV (oldest first)" },
    })
    .get("/retention", ({ actor }) => readRetention(ctx, actor), {
      auth: true,
      response: { 200: Retention },
      detail: { tags, summary: "Audit retention in days (0 keeps entries forever)" },
    })
    .post("/retention", ({ actor, body }) => setRetention(ctx, actor, body.retention_days), {
      auth: true,
      body: Retention,
      response: { 200: Retention },
      detail: { tags, summary: "Set the audit retention" },
    })
    .post("/purge", ({ actor, body }) => purgeAsAdmin(ctx, actor, body ?? {}), {
      auth: true,
      body: t.Optional(PurgeInput),
      response: { 200: Purged },
      detail: {
        tags,
        summary: "Delete entries older than the retention (or `before`) behind a signed checkpoint",
      },
    })
    .post("/verify", ({ actor }) => verifyAudit(ctx, actor), {
      auth: true,
      response: { 200: Verified },
      detail: { tags, summary: "Verify the audit chain from the latest checkpoint" },
    });
