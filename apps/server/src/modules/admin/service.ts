import { renameSync, writeFileSync } from "node:fs";
import { GatehouseError, invalid, isGatehouseError } from "@gatehouse/core";
import { encodeSealed, fingerprint, type Keyring, parseMasterKey, rewrap } from "@gatehouse/core/crypto";
import type { Actor } from "../../auth/actor";
import { requireGlobalAdmin } from "../../auth/guards";
import type { AppContext } from "../../context";
import { ENCRYPTED_COLUMNS, rewriteSealed } from "../../db/encrypted";
import { KEY_FINGERPRINT, KEYRING_VERSION, type Keys, readKeyringVersion, setMeta } from "../../keys";
import { errorFields } from "../../log";
import type { RotateKeyInput } from "./model";

const ACTION = "admin.key_rotation";
const auditBy = (actor: Actor) => ({
  identity: actor.identity,
  sourceIp: actor.ip,
  requestId: actor.requestId,
});

export function keyFingerprint(ctx: AppContext, actor: Actor) {
  requireGlobalAdmin(ctx, actor);
  return {
    fingerprint: ctx.keys.fingerprint,
    algorithm: "HKDF-SHA256" as const,
    key_version: ctx.keys.keyring.version,
  };
}

/** Test seam: runs inside the rotation transaction after each column is re-wrapped (fault injection). */
export interface RotateHooks {
  afterEach?: (column: string) => void | Promise<void>;
}

function parseNewKey(hex: string): Uint8Array {
  try {
    return parseMasterKey(hex);
  } catch (e) {
    // core names the field "master_key"; the caller sent "new_master_key". Messages never hold key bytes.
    if (isGatehouseError(e)) throw invalid("new_master_key", e.message.replace(/^master_key: /, ""));
    throw e;
  }
}

const sameKey = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

const rotating = new WeakSet<Keys>();

/**
 * Re-wraps every registered encrypted column under a new master key in one transaction, with the
 * new keyring version and fingerprint; only the DEK wrapping changes, so the audit and JWT keys
 * (sealed random keys) keep their bytes and existing tokens and the audit chain stay valid.
 */
export async function rotateMasterKey(
  ctx: AppContext,
  actor: Actor,
  input: RotateKeyInput,
  hooks: RotateHooks = {},
) {
  if (!ctx.policies.isGlobalAdmin(actor)) {
    await ctx.audit.append({ ...auditBy(actor), action: ACTION, success: false, outcome: "denied" });
  }
  requireGlobalAdmin(ctx, actor);
  const next = parseNewKey(input.new_master_key);
  const keys = ctx.keys;
  const from = keys.keyring;
  if (sameKey(next, from.current)) {
    throw invalid("new_master_key", "is the master key already in use; rotation needs a new key");
  }
  if (rotating.has(keys)) throw new GatehouseError("conflict", "A key rotation is already running");
  rotating.add(keys);
  const fromFp = keys.fingerprint;
  const toFp = fingerprint(next);
  const to: Keyring = { version: from.version + 1, current: next };
  // Until the swap below, open with the new key as a fallback: rows are re-wrapped the moment the commit lands.
  keys.rotate({ ...from, previous: next }, fromFp);
  try {
    const rewrapped = await ctx.store.tx(async (tx) => {
      const dbVersion = await readKeyringVersion(ctx.store, tx, "update");
      if (dbVersion !== from.version) {
        throw new GatehouseError(
          "key_mismatch",
          `Another server already rotated the master key (keyring version ${dbVersion}, this server holds ${from.version}); restart this server with the new key`,
        );
      }
      const counts: Record<string, number> = {};
      for (const col of ENCRYPTED_COLUMNS) {
        counts[col.name] = await rewriteSealed(ctx.store, tx, col, (sealed, row) => {
          try {
            return encodeSealed(rewrap(sealed, from, to, col.purpose));
          } catch {
            throw new GatehouseError(
              "key_mismatch",
              `${col.name} (${row.key.join("/")}) does not open with the key in use; nothing was rotated`,
            );
          }
        });
        await hooks.afterEach?.(col.name);
      }
      await setMeta(ctx.store, tx, KEYRING_VERSION, String(to.version));
      await setMeta(ctx.store, tx, KEY_FINGERPRINT, toFp);
      await ctx.audit.append(
        {
          ...auditBy(actor),
          action: ACTION,
          success: true,
          metadata: {
            key_version: to.version,
            fingerprint: toFp,
            previous_fingerprint: fromFp,
            rewrapped: counts,
          },
        },
        tx,
      );
      return counts;
    });
    keys.rotate(to, toFp);
    // Other replicas still hold the old key: they refuse writes until restarted with the new one.
    ctx.events.publish({
      type: "keyring",
      identity: "system",
      data: { key_version: to.version, fingerprint: toFp },
    });
    ctx.log.warn("master key rotated", {
      key_version: to.version,
      fingerprint: toFp,
      previous_fingerprint: fromFp,
    });
    const byPurpose = (purpose: string) =>
      ENCRYPTED_COLUMNS.filter((c) => c.purpose === purpose).reduce(
        (n, c) => n + (rewrapped[c.name] ?? 0),
        0,
      );
    return {
      rotated: true as const,
      key_version: to.version,
      fingerprint: toFp,
      rewrapped,
      // Gatehouse's fields, for its clients.
      secrets_rewrapped: byPurpose("secret"),
      dynamic_configs_rewrapped: byPurpose("dynamic_config"),
      warning: saveDevKey(ctx, next),
    };
  } catch (e) {
    keys.rotate(from, fromFp);
    ctx.log.error("master key rotation failed; the old key stays in use", errorFields(e));
    await ctx.audit
      .append({
        ...auditBy(actor),
        action: ACTION,
        success: false,
        outcome: "error",
        metadata: { fingerprint: toFp, error_code: isGatehouseError(e) ? e.code : "internal" },
      })
      .catch(() => {});
    throw e;
  } finally {
    rotating.delete(keys);
  }
}

const RESTART_HINT =
  "Set GATEHOUSE_MASTER_KEY to the new key on every server (keep the old one as GATEHOUSE_MASTER_KEY_PREVIOUS until all have restarted); servers still holding the old key refuse to write.";

/** Dev mode keeps its key in the data directory (like `vault server -dev`), so the file follows the rotation. */
function saveDevKey(ctx: AppContext, key: Uint8Array): string {
  const file = ctx.config.devKeyFile;
  if (!file) return RESTART_HINT;
  try {
    writeFileSync(`${file}.tmp`, `${Buffer.from(key).toString("hex")}\n`, { mode: 0o600 });
    renameSync(`${file}.tmp`, file);
    return `Dev mode: ${file} now holds the new key.`;
  } catch (e) {
    ctx.log.error("could not update the dev key file", { file, ...errorFields(e) });
    return `Dev mode: ${file} could not be updated; ${RESTART_HINT}`;
  }
}
