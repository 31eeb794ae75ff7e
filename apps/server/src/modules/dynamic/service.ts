import { randomUUID } from "node:crypto";
import { GatehouseError, invalid, isGatehouseError } from "@gatehouse/core";
import { validateSecretPath } from "@gatehouse/core/paths";
import { and, asc, count, desc, eq, gt, inArray, lte, or, type SQL } from "drizzle-orm";
import type { Actor } from "../../auth/actor";
import { requireGlobalAdmin } from "../../auth/guards";
import type { AppContext } from "../../context";
import type { Db } from "../../db/store";
import { assertKeyringCurrent } from "../../keys";
import { errorFields } from "../../log";
import type { RequestRow } from "../approvals/service";
import { MAX_TTL_S, MIN_TTL_S } from "../leases/model";
import { applyMaxTtl } from "../leases/ttl";
import { auditBy, authorizeSecret } from "../secrets/access";
import type { ProviderRegistry } from "./providers";
import { generateCaKeypair, sshdSetup } from "./providers/ssh";
import {
  type DynamicProvider,
  makeUsername,
  PROVIDER_TYPES,
  type ProviderConfig,
  ProviderError,
  type ProviderType,
  randomPassword,
  scrubMessage,
  withTimeout,
} from "./providers/types";

export type DynamicLeaseRow = AppContext["store"]["t"]["dynamicLeases"]["$inferSelect"];
export type DynamicConfigRow = AppContext["store"]["t"]["dynamicConfigs"]["$inferSelect"];
export type LeaseStatus = "creating" | "active" | "revoking" | "revoke_failed" | "revoked" | "failed";

export const DLEASE_PREFIX = "dlease-";
/** Statuses in which a user may exist on the engine. */
export const LIVE_STATUSES: LeaseStatus[] = ["creating", "active", "revoking", "revoke_failed"];
/** A `creating` or `revoking` row untouched this long is stuck (its process died): the reaper takes it. */
export const STUCK_AFTER_MS = 120_000;
/** Revoke retries: 30 s, 1 min, 2 min, ... at most an hour apart. */
export const backoffMs = (attempts: number) => Math.min(30_000 * 2 ** Math.max(0, attempts - 1), 3_600_000);
const CALL_TIMEOUT_MS = 30_000;
const IDENTITY_REAPER = "system:reaper";

const configContext = (path: string) => `dynamic_config:${path}`;
const credentialContext = (id: string) => `lease_credential:${id}`;
const iso = (ms: number) => new Date(ms).toISOString();

// `lease/<id>` is the revoke route and these two are literal routes: no configuration may shadow them.
const RESERVED_PATHS = new Set(["providers", "generate-ca-keypair"]);

/** A dynamic-secret path: a secret path (reserved final words included) that no literal route shadows. */
export function checkDynamicPath(path: string): string {
  validateSecretPath(path);
  if (RESERVED_PATHS.has(path) || path.split("/")[0] === "lease") {
    throw new GatehouseError("path_reserved", `path: "${path}" is reserved by the /v1/dynamic routes`, {
      field: "path",
    });
  }
  return path;
}

/** Checks a requested TTL before anything else happens (Gatehouse let NaN reach the provider). */
export function checkTtl(ttl: unknown): number | undefined {
  if (ttl === undefined) return undefined;
  if (typeof ttl !== "number" || !Number.isInteger(ttl))
    throw invalid("ttl", "must be an integer number of seconds");
  if (ttl < MIN_TTL_S || ttl > MAX_TTL_S) {
    throw new GatehouseError(
      "ttl_out_of_range",
      `ttl: must be between ${MIN_TTL_S} and ${MAX_TTL_S} seconds`,
      {
        field: "ttl",
      },
    );
  }
  return ttl;
}

type Who = { identity: string; sourceIp?: string | null; requestId?: string | null };

export interface CheckoutInput {
  ttl?: number;
  reason?: string;
}

export interface SaveInput {
  path: string;
  provider_type: ProviderType;
  config: Record<string, unknown>;
}

export function createDynamicService(ctx: AppContext, providers: ProviderRegistry) {
  const { dynamicConfigs: configs, dynamicLeases: leases } = ctx.store.t;
  /** Approved checkouts whose credential is being created in this process (collect waits for them). */
  const inflight = new Map<string, Promise<void>>();

  // ---- helpers -----------------------------------------------------------------------------

  function providerOf(type: string): DynamicProvider {
    const p = providers.get(type as ProviderType);
    if (!p) throw invalid("provider_type", `must be one of ${PROVIDER_TYPES.join(", ")}`);
    return p;
  }

  const openConfig = (row: DynamicConfigRow): ProviderConfig =>
    JSON.parse(ctx.keys.open("dynamic_config", configContext(row.path), row.config)) as ProviderConfig;

  const sensitiveValues = (p: DynamicProvider, c: ProviderConfig) =>
    p.fields
      .filter((f) => f.sensitive)
      .map((f) => (typeof c[f.name] === "string" ? (c[f.name] as string) : undefined));

  /** A provider failure as shown to callers and stored: scrubbed of every secret in play. */
  function safeError(e: unknown, secrets: (string | undefined)[]): string {
    const raw =
      e instanceof ProviderError || isGatehouseError(e)
        ? e.message
        : e instanceof Error
          ? `${e.name}: ${e.message}`
          : String(e);
    return scrubMessage(raw, secrets).slice(0, 500);
  }

  function masked(p: DynamicProvider, c: ProviderConfig): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const f of p.fields) {
      if (c[f.name] === undefined) continue;
      out[f.name] = f.sensitive ? "***" : c[f.name];
    }
    return out;
  }

  /** Non-sensitive, short fields kept unsealed for lists (host, port, database, principals, ...). */
  function publicMetadata(p: DynamicProvider, c: ProviderConfig): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const f of p.fields) {
      if (f.sensitive || f.type === "text" || c[f.name] === undefined) continue;
      if (f.name === "user" || f.name === "username" || f.name === "password") continue;
      out[f.name] = c[f.name];
    }
    return out;
  }

  async function findConfig(path: string, db: Db = ctx.store.db): Promise<DynamicConfigRow | undefined> {
    return (await db.select().from(configs).where(eq(configs.path, path)).limit(1))[0];
  }

  async function requireConfig(path: string): Promise<DynamicConfigRow> {
    const row = await findConfig(path);
    if (!row) throw new GatehouseError("not_found", `No dynamic secret at "${path}"`);
    return row;
  }

  async function findLease(id: string): Promise<DynamicLeaseRow | undefined> {
    return (await ctx.store.db.select().from(leases).where(eq(leases.id, id)).limit(1))[0];
  }

  const owns = (actor: Actor, l: DynamicLeaseRow) =>
    l.subjectId === actor.subjectId && l.identity === actor.identity;
  const canManage = (actor: Actor, l: DynamicLeaseRow) =>
    owns(actor, l) ||
    ctx.policies.isGlobalAdmin(actor) ||
    ctx.policies.authorize(actor, "admin", l.path).allowed;

  async function audit(
    who: Who,
    action: string,
    l: Pick<DynamicLeaseRow, "id" | "path" | "identity" | "providerType" | "username">,
    metadata: Record<string, unknown>,
    success = true,
    tx?: Db,
    outcome?: string,
  ) {
    await ctx.audit.append(
      {
        identity: who.identity,
        sourceIp: who.sourceIp ?? null,
        requestId: who.requestId ?? null,
        action,
        path: l.path,
        leaseId: l.id,
        success,
        outcome,
        metadata: {
          provider_type: l.providerType,
          username: l.username,
          lease_identity: l.identity,
          ...metadata,
        },
      },
      tx,
    );
  }

  // ---- views -------------------------------------------------------------------------------

  const configSummary = (row: DynamicConfigRow) => ({
    path: row.path,
    provider_type: row.providerType,
    metadata: row.metadata,
    created_at: iso(row.createdAt),
    updated_at: iso(row.updatedAt),
    created_by: row.createdBy,
    updated_by: row.updatedBy,
  });

  function configView(row: DynamicConfigRow) {
    const p = providerOf(row.providerType);
    return {
      ...configSummary(row),
      config: masked(p, openConfig(row)),
      revocation: p.revocation,
      renewable: p.renewable,
    };
  }

  const leaseView = (l: DynamicLeaseRow, now: number) => ({
    id: l.id,
    path: l.path,
    provider_type: l.providerType,
    identity: l.identity,
    credential_username: l.username,
    status: l.status,
    ttl_seconds: l.ttlSeconds,
    created_at: iso(l.createdAt),
    expires_at: iso(l.expiresAt),
    expires_in: Math.max(0, Math.ceil((l.expiresAt - now) / 1000)),
    revoked: l.status === "revoked",
    revoked_at: l.revokedAt === null ? null : iso(l.revokedAt),
    revoke_reason: l.revokeReason,
    revoke_attempts: l.revokeAttempts,
    next_attempt_at: l.nextAttemptAt !== null && l.status === "revoke_failed" ? iso(l.nextAttemptAt) : null,
    last_error: l.lastError,
    approval_request_id: l.approvalRequestId,
  });

  const checkoutView = (l: DynamicLeaseRow, credential: Record<string, unknown>) => ({
    lease_id: l.id,
    path: l.path,
    provider_type: l.providerType,
    credential,
    ttl_seconds: l.ttlSeconds,
    created_at: iso(l.createdAt),
    expires_at: iso(l.expiresAt),
  });

  // ---- creation ----------------------------------------------------------------------------

  function intent(
    cfg: DynamicConfigRow,
    who: { identity: string; subjectId: string; sourceIp: string | null },
    ttl: number,
    approvalRequestId: string | null,
  ): DynamicLeaseRow {
    const p = providerOf(cfg.providerType);
    const now = ctx.now();
    return {
      id: `${DLEASE_PREFIX}${randomUUID()}`,
      path: cfg.path,
      providerType: cfg.providerType,
      identity: who.identity,
      subjectId: who.subjectId,
      username: makeUsername(who.identity, p.maxUsernameLength),
      status: "creating",
      credential: null,
      ttlSeconds: ttl,
      createdAt: now,
      expiresAt: now + ttl * 1000,
      activatedAt: null,
      revokedAt: null,
      revokeReason: null,
      revokeAttempts: 0,
      nextAttemptAt: now + STUCK_AFTER_MS,
      lastError: null,
      sourceIp: who.sourceIp,
      approvalRequestId,
    };
  }

  /** Calls the provider for an intent row; a failure is a ProviderError with a scrubbed message. */
  async function callCreate(row: DynamicLeaseRow, cfg: DynamicConfigRow): Promise<Record<string, unknown>> {
    const p = providerOf(row.providerType);
    const config = openConfig(cfg);
    const password = randomPassword();
    try {
      return await withTimeout(
        p.create(config, {
          leaseId: row.id,
          username: row.username,
          password,
          identity: row.identity,
          ttlSeconds: row.ttlSeconds,
          createdAt: ctx.now(),
          expiresAt: row.expiresAt,
        }),
        CALL_TIMEOUT_MS,
        `${p.type} create`,
      );
    } catch (e) {
      throw new ProviderError(safeError(e, [password, ...sensitiveValues(p, config)]));
    }
  }

  /** creating → active with the sealed credential (sealed again if a rotation lands in between). */
  async function activate(
    row: DynamicLeaseRow,
    credential: Record<string, unknown>,
    who: Who,
    extra: Record<string, unknown>,
  ) {
    for (let attempt = 0; ; attempt++) {
      const sealed = ctx.keys.seal("lease_credential", credentialContext(row.id), JSON.stringify(credential));
      try {
        return await ctx.store.tx(async (tx) => {
          await assertKeyringCurrent(ctx, tx, sealed);
          const now = ctx.now();
          const [done] = await tx
            .update(leases)
            .set({
              status: "active",
              credential: sealed,
              activatedAt: now,
              nextAttemptAt: null,
              lastError: null,
            })
            .where(and(eq(leases.id, row.id), eq(leases.status, "creating")))
            .returning();
          if (!done)
            throw new GatehouseError("conflict", `Lease "${row.id}" was revoked while it was being created`);
          await audit(who, "dynamic.checkout", done, { ttl_seconds: done.ttlSeconds, ...extra }, true, tx);
          return done;
        });
      } catch (e) {
        if (attempt === 0 && isGatehouseError(e) && e.code === "key_mismatch") continue;
        throw e;
      }
    }
  }

  /** Creation failed: remove whatever the engine may hold, then record the failure (retried if the cleanup fails). */
  async function failCreation(row: DynamicLeaseRow, error: string, who: Who) {
    await ctx.store.tx(async (tx) => {
      await tx
        .update(leases)
        .set({
          status: "revoking",
          revokeReason: "creation_failed",
          credential: null,
          lastError: error,
          nextAttemptAt: ctx.now() + STUCK_AFTER_MS,
        })
        .where(and(eq(leases.id, row.id), inArray(leases.status, ["creating", "active"])));
      await audit(who, "dynamic.checkout", row, { error }, false, tx, "error");
    });
    const cleaned = await finishRevoke(
      { ...row, status: "revoking", revokeReason: "creation_failed" },
      who,
      "dynamic.cleanup",
      "failed",
    );
    if (!cleaned.ok)
      ctx.log.warn("dynamic lease cleanup failed; the reaper retries it", {
        lease_id: row.id,
        error_message: cleaned.error,
      });
  }

  /** Provider create + activate for an intent row already committed. */
  async function complete(
    row: DynamicLeaseRow,
    cfg: DynamicConfigRow,
    who: Who,
    extra: Record<string, unknown> = {},
  ) {
    let credential: Record<string, unknown>;
    try {
      credential = await callCreate(row, cfg);
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      await failCreation(row, error, who);
      throw new GatehouseError(
        "upstream_failed",
        `The ${providerOf(row.providerType).label} provider failed: ${error}`,
        {
          lease_id: row.id,
        },
      );
    }
    try {
      return { row: await activate(row, credential, who, extra), credential };
    } catch (e) {
      await failCreation(row, safeError(e, []), who);
      throw e;
    }
  }

  // ---- revocation --------------------------------------------------------------------------

  /**
   * Calls the provider's revoke for a row already marked `revoking`. Success: `revoked` (or `failed`
   * for a creation that was cleaned up). Failure: `revoke_failed` with the scrubbed error and the next
   * retry time; never marked done.
   */
  async function finishRevoke(
    row: DynamicLeaseRow,
    who: Who,
    action: string,
    terminal: "revoked" | "failed" = "revoked",
  ): Promise<{ ok: true } | { ok: false; error: string; nextAttemptAt: number }> {
    const cfg = await findConfig(row.path);
    const p = providers.get(row.providerType as ProviderType);
    let secrets: (string | undefined)[] = [];
    try {
      if (!cfg || !p || cfg.providerType !== row.providerType) {
        throw new ProviderError(`no ${row.providerType} configuration at "${row.path}" to revoke with`);
      }
      const config = openConfig(cfg);
      secrets = sensitiveValues(p, config);
      await withTimeout(p.revoke(config, row.username), CALL_TIMEOUT_MS, `${p.type} revoke`);
    } catch (e) {
      const error = safeError(e, secrets);
      const attempts = row.revokeAttempts + 1;
      const nextAttemptAt = ctx.now() + backoffMs(attempts);
      await ctx.store.tx(async (tx) => {
        const [done] = await tx
          .update(leases)
          .set({
            status: "revoke_failed",
            revokeAttempts: attempts,
            nextAttemptAt,
            lastError: error,
            credential: null,
          })
          .where(and(eq(leases.id, row.id), eq(leases.status, "revoking")))
          .returning({ id: leases.id });
        if (done)
          await audit(
            who,
            "dynamic.revoke.error",
            row,
            { error, attempts, next_attempt_at: iso(nextAttemptAt), reason: row.revokeReason },
            false,
            tx,
            "error",
          );
      });
      ctx.log.warn("dynamic lease revoke failed", { lease_id: row.id, attempts, error_message: error });
      return { ok: false, error, nextAttemptAt };
    }
    await ctx.store.tx(async (tx) => {
      const now = ctx.now();
      const [done] = await tx
        .update(leases)
        .set({
          status: terminal,
          revokedAt: terminal === "revoked" ? now : null,
          revokeAttempts: row.revokeAttempts + 1,
          nextAttemptAt: null,
          credential: null,
          ...(terminal === "revoked" ? { lastError: null } : {}),
        })
        .where(and(eq(leases.id, row.id), eq(leases.status, "revoking")))
        .returning({ id: leases.id });
      if (done)
        await audit(
          who,
          action,
          row,
          // "expiry": the credential (an SSH certificate) stays valid until it expires.
          { reason: row.revokeReason, attempts: row.revokeAttempts + 1, revocation: p?.revocation },
          true,
          tx,
        );
    });
    return { ok: true };
  }

  /** Marks a live lease `revoking` (blanking its credential); null when it is already done. */
  async function claimForRevoke(id: string, reason: string): Promise<DynamicLeaseRow | null> {
    return ctx.store.tx(async (tx) => {
      const [row] = await tx.select().from(leases).where(eq(leases.id, id)).limit(1);
      if (!row || !LIVE_STATUSES.includes(row.status as LeaseStatus)) return null;
      const [claimed] = await tx
        .update(leases)
        .set({
          status: "revoking",
          revokeReason: row.revokeReason ?? reason,
          credential: null,
          nextAttemptAt: ctx.now() + STUCK_AFTER_MS,
        })
        .where(and(eq(leases.id, id), eq(leases.status, row.status)))
        .returning();
      return claimed ?? null;
    });
  }

  async function revokeOne(who: Who, id: string, reason: string) {
    const claimed = await claimForRevoke(id, reason);
    if (!claimed) throw new GatehouseError("conflict", `Lease "${id}" is already revoked`);
    const done = await finishRevoke(claimed, who, "dynamic.revoke");
    if (!done.ok) {
      throw new GatehouseError(
        "upstream_failed",
        `Revoking lease "${id}" failed (${done.error}); it is marked revoke_failed and retried from ${iso(done.nextAttemptAt)}`,
        { lease_id: id, status: "revoke_failed", next_attempt_at: iso(done.nextAttemptAt) },
      );
    }
  }

  // ---- the service -------------------------------------------------------------------------

  const service = {
    providers,

    listProviders() {
      return {
        providers: [...PROVIDER_TYPES],
        details: [...providers.values()].map((p) => ({
          type: p.type,
          label: p.label,
          revocation: p.revocation,
          renewable: p.renewable,
          fields: p.fields.map((f) => ({
            name: f.name,
            type: f.type,
            required: f.required ?? false,
            sensitive: f.sensitive ?? false,
            derived: f.derived ?? false,
            default: f.default ?? null,
            description: f.description,
          })),
        })),
      };
    },

    async listConfigs(actor: Actor) {
      requireGlobalAdmin(ctx, actor);
      const rows = await ctx.store.db.select().from(configs).orderBy(asc(configs.path));
      const live = await ctx.store.db
        .select({ path: leases.path, n: count() })
        .from(leases)
        .where(inArray(leases.status, LIVE_STATUSES))
        .groupBy(leases.path);
      const byPath = new Map(live.map((r) => [r.path, Number(r.n)]));
      return { configs: rows.map((r) => ({ ...configSummary(r), active_leases: byPath.get(r.path) ?? 0 })) };
    },

    async getConfig(actor: Actor, rawPath: string) {
      const path = checkDynamicPath(rawPath);
      await authorizeSecret(ctx, actor, "admin", path, "dynamic.config.read");
      return configView(await requireConfig(path));
    },

    /** Creates or replaces a configuration; blank (or `***`) sensitive fields keep their stored values. */
    async saveConfig(
      actor: Actor,
      input: SaveInput,
      action = "dynamic.config.save",
      extra: Record<string, unknown> = {},
    ) {
      const path = checkDynamicPath(input.path);
      await authorizeSecret(ctx, actor, "admin", path, action);
      const p = providerOf(input.provider_type);
      const existing = await findConfig(path);
      const merged: ProviderConfig = { ...input.config };
      if (existing && existing.providerType === p.type) {
        const stored = openConfig(existing);
        for (const f of p.fields) {
          const v = merged[f.name];
          if (f.sensitive && (v === undefined || v === null || v === "" || v === "***"))
            merged[f.name] = stored[f.name];
        }
      }
      for (const f of p.fields) {
        if (f.sensitive && merged[f.name] === "***") throw invalid(`config.${f.name}`, "is required");
      }
      if (existing && existing.providerType !== p.type) {
        const [live] = await ctx.store.db
          .select({ n: count() })
          .from(leases)
          .where(and(eq(leases.path, path), inArray(leases.status, LIVE_STATUSES)));
        if (Number(live?.n ?? 0) > 0) {
          throw new GatehouseError(
            "conflict",
            `"${path}" has live ${existing.providerType} leases; revoke them before changing the provider type`,
          );
        }
      }
      const config = await p.validateConfig(merged);
      const sealed = ctx.keys.seal("dynamic_config", configContext(path), JSON.stringify(config));
      const metadata = publicMetadata(p, config);
      const row = await ctx.store.tx(async (tx) => {
        await assertKeyringCurrent(ctx, tx, sealed);
        const now = ctx.now();
        const [saved] = await tx
          .insert(configs)
          .values({
            path,
            providerType: p.type,
            config: sealed,
            metadata,
            createdAt: now,
            updatedAt: now,
            createdBy: actor.identity,
            updatedBy: actor.identity,
          })
          .onConflictDoUpdate({
            target: configs.path,
            set: {
              providerType: p.type,
              config: sealed,
              metadata,
              updatedAt: now,
              updatedBy: actor.identity,
            },
          })
          .returning();
        await ctx.audit.append(
          {
            ...auditBy(actor),
            action,
            path,
            success: true,
            metadata: { provider_type: p.type, created: !existing, ...extra },
          },
          tx,
        );
        return saved as DynamicConfigRow;
      });
      return { view: configView(row), created: !existing };
    },

    async validate(actor: Actor, rawPath: string) {
      const path = checkDynamicPath(rawPath);
      await authorizeSecret(ctx, actor, "admin", path, "dynamic.validate");
      const cfg = await requireConfig(path);
      const p = providerOf(cfg.providerType);
      const config = openConfig(cfg);
      let error: string | undefined;
      try {
        await withTimeout(p.test(config), CALL_TIMEOUT_MS, `${p.type} test`);
      } catch (e) {
        error = safeError(e, sensitiveValues(p, config));
      }
      await ctx.audit.append({
        ...auditBy(actor),
        action: "dynamic.validate",
        path,
        success: !error,
        outcome: error ? "failure" : "success",
        metadata: { provider_type: p.type, ...(error ? { error } : {}) },
      });
      return error ? { ok: false, error } : { ok: true };
    },

    async caPublicKey(actor: Actor, rawPath: string) {
      const path = checkDynamicPath(rawPath);
      if (!ctx.policies.authorize(actor, "lease", path).allowed) {
        await authorizeSecret(ctx, actor, "admin", path, "dynamic.ca_pubkey");
      }
      const cfg = await requireConfig(path);
      if (cfg.providerType !== "ssh-cert")
        throw invalid("path", `"${path}" is a ${cfg.providerType} provider, not ssh-cert`);
      const publicKey = String(cfg.metadata.ca_public_key ?? openConfig(cfg).ca_public_key ?? "");
      return { path, public_key: publicKey, ...sshdSetup(publicKey) };
    },

    /** A new ed25519 CA kept sealed in the ssh-cert configuration at `path`; only the public key leaves. */
    async generateCa(
      actor: Actor,
      input: { path: string; config?: Record<string, unknown>; replace?: boolean },
    ) {
      if (!ctx.policies.isGlobalAdmin(actor)) {
        await ctx.audit.append({
          ...auditBy(actor),
          action: "dynamic.generate_ca_keypair",
          path: input.path,
          success: false,
          outcome: "denied",
        });
      }
      requireGlobalAdmin(ctx, actor);
      const path = checkDynamicPath(input.path);
      const existing = await findConfig(path);
      if (existing && !input.replace) {
        throw new GatehouseError(
          "conflict",
          `"${path}" already exists; send replace: true to put a new CA there (hosts must then trust the new public key)`,
        );
      }
      let base: Record<string, unknown> = {};
      if (existing?.providerType === "ssh-cert") {
        const { ca_private_key: _k, ca_public_key: _p, ...rest } = openConfig(existing);
        base = rest;
      }
      const { ca_private_key: _ignored, ...given } = input.config ?? {};
      const pair = await generateCaKeypair();
      const { view, created } = await service.saveConfig(
        actor,
        { path, provider_type: "ssh-cert", config: { ...base, ...given, ca_private_key: pair.privateKey } },
        "dynamic.generate_ca_keypair",
        { replaced: !!existing },
      );
      const publicKey = String(view.config.ca_public_key ?? pair.publicKey);
      return {
        path,
        provider_type: "ssh-cert" as const,
        public_key: publicKey,
        created,
        config: view.config,
        ...sshdSetup(publicKey),
      };
    },

    /** Revokes the path's leases (awaited), then deletes the configuration; kept if any revoke fails. */
    async deleteConfig(actor: Actor, rawPath: string) {
      const path = checkDynamicPath(rawPath);
      await authorizeSecret(ctx, actor, "admin", path, "dynamic.config.delete");
      const cfg = await requireConfig(path);
      const live = await ctx.store.db
        .select({ id: leases.id })
        .from(leases)
        .where(and(eq(leases.path, path), inArray(leases.status, LIVE_STATUSES)));
      const failed: string[] = [];
      for (const { id } of live) {
        const claimed = await claimForRevoke(id, "config_deleted");
        if (!claimed) continue;
        const done = await finishRevoke(claimed, auditBy(actor), "dynamic.revoke");
        if (!done.ok) failed.push(id);
      }
      if (failed.length > 0) {
        throw new GatehouseError(
          "upstream_failed",
          `${failed.length} lease(s) of "${path}" could not be revoked; the configuration is kept so they are retried`,
          { failed_leases: failed },
        );
      }
      await ctx.store.tx(async (tx) => {
        const [still] = await tx
          .select({ n: count() })
          .from(leases)
          .where(and(eq(leases.path, path), inArray(leases.status, LIVE_STATUSES)));
        if (Number(still?.n ?? 0) > 0) {
          throw new GatehouseError(
            "conflict",
            `New leases of "${path}" were created meanwhile; delete again`,
          );
        }
        await tx.delete(configs).where(eq(configs.path, path));
        await ctx.audit.append(
          {
            ...auditBy(actor),
            action: "dynamic.config.delete",
            path,
            success: true,
            metadata: { provider_type: cfg.providerType, revoked_leases: live.length },
          },
          tx,
        );
      });
      return { deleted: true as const, path, revoked_leases: live.length };
    },

    async pathLeases(
      actor: Actor,
      rawPath: string,
      opts: { includeRevoked?: boolean; check?: boolean; limit?: number },
    ) {
      const path = checkDynamicPath(rawPath);
      await authorizeSecret(ctx, actor, "admin", path, "dynamic.leases");
      const cfg = await requireConfig(path);
      const where: SQL[] = [eq(leases.path, path)];
      if (!opts.includeRevoked) where.push(inArray(leases.status, LIVE_STATUSES));
      const rows = await ctx.store.db
        .select()
        .from(leases)
        .where(and(...where))
        .orderBy(desc(leases.createdAt))
        .limit(opts.limit ?? 500);
      const now = ctx.now();
      const out: Record<string, unknown> = {
        path,
        provider_type: cfg.providerType,
        leases: rows.map((l) => leaseView(l, now)),
      };
      if (opts.check) {
        const p = providerOf(cfg.providerType);
        const config = openConfig(cfg);
        try {
          const onServer = await withTimeout(p.listActive(config), CALL_TIMEOUT_MS, `${p.type} list`);
          const known = new Set(
            (
              await ctx.store.db
                .select({ username: leases.username })
                .from(leases)
                .where(and(eq(leases.path, path), inArray(leases.status, LIVE_STATUSES)))
            ).map((r) => r.username),
          );
          out.provider_active = onServer;
          // Gatehouse-named users with no live lease here (another path on the same server shows up too).
          out.unknown_on_provider = onServer.filter((u) => !known.has(u));
        } catch (e) {
          out.provider_error = safeError(e, sensitiveValues(p, config));
        }
      }
      return out;
    },

    async checkout(actor: Actor, rawPath: string, input: CheckoutInput) {
      const path = checkDynamicPath(rawPath);
      const requested = checkTtl(input.ttl);
      const preview = ctx.policies.authorize(actor, "lease", path);
      if (!preview.allowed) await authorizeSecret(ctx, actor, "lease", path, "dynamic.checkout");
      const cfg = await requireConfig(path);
      // The TTL is settled before asking for approval, so a request never waits only to fail on it.
      applyMaxTtl(requested, preview.maxTtl);
      const decision = await authorizeSecret(ctx, actor, "lease", path, "dynamic.checkout", undefined, {
        kind: "dynamic",
        reason: input.reason,
        requestedTtl: requested,
        details: { provider_type: cfg.providerType },
      });
      const ttl = applyMaxTtl(requested, decision.maxTtl);
      const row = intent(
        cfg,
        { identity: actor.identity, subjectId: actor.subjectId, sourceIp: actor.ip },
        ttl,
        null,
      );
      await ctx.store.tx((tx) => tx.insert(leases).values(row));
      const done = await complete(row, cfg, auditBy(actor));
      return checkoutView(done.row, done.credential);
    },

    /** DELETE /v1/dynamic/lease/:id and DELETE /v1/lease/dlease-…: owner, admin on the path, or global admin. */
    async revoke(actor: Actor, id: string) {
      const l = await findLease(id);
      if (!l || !canManage(actor, l)) throw new GatehouseError("not_found", `No lease "${id}"`);
      await revokeOne(auditBy(actor), id, "revoked");
      return { revoked: true as const, id };
    },

    async renew(actor: Actor, id: string, ttlInput: number | undefined) {
      const l = await findLease(id);
      if (!l || !(owns(actor, l) || ctx.policies.isGlobalAdmin(actor))) {
        throw new GatehouseError("not_found", `No lease "${id}"`);
      }
      const requested = checkTtl(ttlInput);
      const now = ctx.now();
      if (l.status !== "active") throw new GatehouseError("conflict", `Lease "${id}" is ${l.status}`);
      if (l.expiresAt <= now) throw new GatehouseError("conflict", `Lease "${id}" has expired`);
      const p = providerOf(l.providerType);
      if (!p.renewable || !p.renew) {
        throw new GatehouseError("conflict", `${p.label} leases cannot be renewed; check out a new one`);
      }
      const decision = await authorizeSecret(ctx, actor, "lease", l.path, "dynamic.renew");
      const ttl =
        requested === undefined
          ? Math.min(l.ttlSeconds, decision.maxTtl ?? MAX_TTL_S)
          : applyMaxTtl(requested, decision.maxTtl);
      const expiresAt = now + ttl * 1000;
      const cfg = await requireConfig(l.path);
      const config = openConfig(cfg);
      try {
        await withTimeout(p.renew(config, l.username, expiresAt), CALL_TIMEOUT_MS, `${p.type} renew`);
      } catch (e) {
        throw new GatehouseError(
          "upstream_failed",
          `The ${p.label} provider failed: ${safeError(e, sensitiveValues(p, config))}`,
        );
      }
      const renewed = await ctx.store.tx(async (tx) => {
        const [r] = await tx
          .update(leases)
          .set({ ttlSeconds: ttl, expiresAt })
          .where(and(eq(leases.id, id), eq(leases.status, "active"), gt(leases.expiresAt, now)))
          .returning();
        if (!r) throw new GatehouseError("conflict", `Lease "${id}" was revoked or expired meanwhile`);
        await audit(auditBy(actor), "dynamic.renew", r, { ttl_seconds: ttl }, true, tx);
        return r;
      });
      return {
        lease: {
          id: renewed.id,
          secret_path: renewed.path,
          identity: renewed.identity,
          ttl_seconds: renewed.ttlSeconds,
          created_at: iso(renewed.createdAt),
          expires_at: iso(renewed.expiresAt),
          revoked: false,
        },
      };
    },

    /** For GET /v1/lease: global admins see every dynamic lease, others their own; live ones unless `includeExpired`. */
    async listForLeases(actor: Actor, includeExpired: boolean, limit: number) {
      const now = ctx.now();
      const where: (SQL | undefined)[] = [];
      if (!ctx.policies.isGlobalAdmin(actor))
        where.push(eq(leases.subjectId, actor.subjectId), eq(leases.identity, actor.identity));
      if (!includeExpired) {
        // Failing revokes stay listed: they are the ones someone should look at.
        where.push(
          or(
            and(eq(leases.status, "active"), gt(leases.expiresAt, now)),
            inArray(leases.status, ["creating", "revoking", "revoke_failed"]),
          ),
        );
      }
      const rows = await ctx.store.db
        .select()
        .from(leases)
        .where(and(...where))
        .orderBy(desc(leases.createdAt), desc(leases.id))
        .limit(limit);
      return rows.map((l) => {
        const v = leaseView(l, now);
        return {
          id: v.id,
          kind: "dynamic" as const,
          path: v.path,
          identity: v.identity,
          provider_type: v.provider_type,
          status: v.status,
          ttl_seconds: v.ttl_seconds,
          created_at: v.created_at,
          expires_at: v.expires_at,
          expires_in: v.expires_in,
          revoked: v.revoked,
          revoked_at: v.revoked_at,
          revoke_reason: v.revoke_reason,
          last_error: v.last_error,
          createdAt: l.createdAt,
        };
      });
    },

    /** Approval: the intent row is written with the approval, the credential created right after it commits. */
    async fulfil(tx: Db, req: RequestRow, ttl: number) {
      const cfg = await findConfig(req.path, tx);
      if (!cfg) throw new GatehouseError("not_found", `No dynamic secret at "${req.path}" any more`);
      const row = intent(
        cfg,
        { identity: req.identity, subjectId: req.subjectId, sourceIp: req.sourceIp },
        ttl,
        req.id,
      );
      await tx.insert(leases).values(row);
      ctx.store.afterCommit(tx, () => {
        const who = { identity: req.identity, sourceIp: req.sourceIp };
        const job = complete(row, cfg, who, { approval_request: req.id })
          .then(() => {})
          .catch((e: unknown) =>
            ctx.log.warn("approved dynamic checkout failed", { lease_id: row.id, ...errorFields(e) }),
          )
          .finally(() => inflight.delete(row.id));
        inflight.set(row.id, job);
      });
      return { leaseId: row.id, expiresAt: row.expiresAt };
    },

    /** The requester collects an approved credential (again until it expires). */
    async collect(req: RequestRow, actor: Actor): Promise<Record<string, unknown>> {
      if (!req.leaseId) return {};
      const pending = inflight.get(req.leaseId);
      if (pending) await withTimeout(pending, CALL_TIMEOUT_MS, "create").catch(() => {});
      const l = await findLease(req.leaseId);
      if (!l) return {};
      if (l.status === "creating") return { lease_status: "creating" };
      if (l.status !== "active" || l.expiresAt <= ctx.now() || !l.credential) {
        return { lease_status: l.status, ...(l.lastError ? { lease_error: l.lastError } : {}) };
      }
      const credential = JSON.parse(
        ctx.keys.open("lease_credential", credentialContext(l.id), l.credential),
      ) as Record<string, unknown>;
      await audit(auditBy(actor), "dynamic.collect", l, { approval_request: req.id });
      return { lease: checkoutView(l, credential), credential };
    },

    /**
     * One reaper pass: revokes expired leases, retries failed revokes whose backoff has passed, and
     * takes over `creating` / `revoking` rows whose process died (approved checkouts still wanted are
     * finished, others cleaned up). Rows are claimed (SKIP LOCKED on PostgreSQL) before any provider call.
     */
    async reapOnce(batch = 50): Promise<number> {
      let total = 0;
      for (;;) {
        const now = ctx.now();
        const claimed = await ctx.store.tx(async (tx) => {
          const due = await ctx.store.claim(
            tx
              .select()
              .from(leases)
              .where(
                or(
                  and(eq(leases.status, "active"), lte(leases.expiresAt, now)),
                  and(
                    inArray(leases.status, ["creating", "revoking", "revoke_failed"]),
                    lte(leases.nextAttemptAt, now),
                  ),
                ),
              )
              .orderBy(asc(leases.expiresAt), asc(leases.id))
              .limit(batch),
          );
          const out: { before: DynamicLeaseRow; row: DynamicLeaseRow }[] = [];
          for (const r of due) {
            const set =
              r.status === "creating"
                ? { nextAttemptAt: now + STUCK_AFTER_MS }
                : {
                    status: "revoking",
                    credential: null,
                    nextAttemptAt: now + STUCK_AFTER_MS,
                    revokeReason: r.revokeReason ?? "expired",
                  };
            const [row] = await tx
              .update(leases)
              .set(set)
              .where(and(eq(leases.id, r.id), eq(leases.status, r.status)))
              .returning();
            if (row) out.push({ before: r, row });
          }
          return out;
        });
        for (const { before, row } of claimed) {
          try {
            await reapRow(before, row, now);
          } catch (e) {
            ctx.log.error("dynamic reaper: lease failed", { lease_id: row.id, ...errorFields(e) });
          }
        }
        total += claimed.length;
        if (claimed.length < batch) return total;
      }
    },
  };

  const reaper: Who = { identity: IDENTITY_REAPER };

  async function reapRow(before: DynamicLeaseRow, row: DynamicLeaseRow, now: number) {
    if (before.status !== "creating") {
      await finishRevoke(row, reaper, row.revokeReason === "expired" ? "dynamic.reap" : "dynamic.revoke");
      return;
    }
    // A creation whose process died: remove anything the engine may hold first.
    const cfg = await findConfig(row.path);
    const wanted = row.approvalRequestId !== null && row.expiresAt > now + 10_000 && cfg !== undefined;
    const claimed = await claimForRevoke(row.id, wanted ? "recreate" : "abandoned");
    if (!claimed) return;
    const cleaned = await finishRevoke(claimed, reaper, "dynamic.cleanup", wanted ? "failed" : "revoked");
    if (!wanted || !cleaned.ok || !cfg) return;
    // An approved checkout the requester still waits for: issue it under a fresh lease row and point the request at it.
    const who = { identity: row.identity, subjectId: row.subjectId, sourceIp: row.sourceIp };
    const fresh = { ...intent(cfg, who, row.ttlSeconds, row.approvalRequestId), expiresAt: row.expiresAt };
    const { approvalRequests } = ctx.store.t;
    await ctx.store.tx(async (tx) => {
      await tx.insert(leases).values(fresh);
      await tx
        .update(approvalRequests)
        .set({ leaseId: fresh.id })
        .where(eq(approvalRequests.id, row.approvalRequestId as string));
    });
    await complete(
      fresh,
      cfg,
      { identity: row.identity, sourceIp: row.sourceIp },
      { approval_request: row.approvalRequestId, finished_by: IDENTITY_REAPER, replaces: row.id },
    );
  }

  return service;
}

export type DynamicService = ReturnType<typeof createDynamicService>;
