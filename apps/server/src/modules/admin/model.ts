import { t } from "elysia";

export const RotateKeyInput = t.Object({ new_master_key: t.String({ minLength: 1, maxLength: 256 }) });
export type RotateKeyInput = typeof RotateKeyInput.static;

export const KeyFingerprint = t.Object({
  fingerprint: t.String(),
  algorithm: t.Literal("HKDF-SHA256"),
  key_version: t.Integer(),
});

export const KeyRotated = t.Object({
  rotated: t.Literal(true),
  key_version: t.Integer(),
  fingerprint: t.String(),
  /** Re-wrapped values per registered column (`table.column`). */
  rewrapped: t.Record(t.String(), t.Integer()),
  secrets_rewrapped: t.Integer(),
  dynamic_configs_rewrapped: t.Integer(),
  warning: t.String(),
});
