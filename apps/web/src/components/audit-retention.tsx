import { useQuery } from "@tanstack/react-query";
import { type FormEvent, useEffect, useState } from "react";
import { retentionQuery, usePurgeAudit, useSetRetention } from "../api/audit";
import { toast } from "../lib/toast";
import { ConfirmDialog } from "./confirm-dialog";
import { Field } from "./field";
import { FormError } from "./form-error";

/** Audit retention in days, and a purge behind a confirmation (admins). Used by Audit and Settings. */
export function AuditRetention() {
  const retention = useQuery(retentionQuery());
  const save = useSetRetention();
  const purge = usePurgeAudit();
  const [days, setDays] = useState("");
  const [confirming, setConfirming] = useState(false);
  const current = retention.data?.retention_days;

  useEffect(() => {
    if (current !== undefined) setDays(String(current));
  }, [current]);

  const n = Number(days);
  const invalid = days === "" || !Number.isInteger(n) || n < 0 || n > 36_500;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!invalid)
      save.mutate(n, {
        onSuccess: () =>
          toast.success(
            n === 0 ? "Audit entries are now kept forever." : `Audit entries are now kept for ${n} days.`,
          ),
      });
  };

  return (
    <div className="stack">
      <form className="form-inline retention-form" onSubmit={submit} noValidate>
        <Field
          label="Retention (days)"
          type="number"
          inputMode="numeric"
          min={0}
          max={36_500}
          value={days}
          onChange={(e) => setDays(e.target.value)}
          hint={
            current === undefined
              ? "Loading…"
              : current === 0
                ? "0 keeps every entry forever."
                : `Currently ${current} days. 0 keeps entries forever.`
          }
          error={days !== "" && invalid ? "Between 0 and 36500 days." : undefined}
        />
        <button
          type="submit"
          className="button button-secondary"
          disabled={save.isPending || invalid || n === current}
        >
          {save.isPending ? "Saving…" : "Save retention"}
        </button>
      </form>
      <FormError error={save.error ?? retention.error} />
      <div className="purge-row">
        <p className="muted">
          A purge deletes entries older than the retention and writes a signed checkpoint, so the chain still
          verifies.
        </p>
        <button
          type="button"
          className="button button-danger-ghost"
          disabled={!current}
          title={current ? undefined : "Set a retention first"}
          onClick={() => setConfirming(true)}
        >
          Purge old entries
        </button>
      </div>
      {confirming ? (
        <ConfirmDialog
          title="Purge old audit entries?"
          confirmLabel="Purge entries"
          danger
          pending={purge.isPending}
          error={purge.error}
          onClose={() => {
            purge.reset();
            setConfirming(false);
          }}
          onConfirm={() =>
            purge.mutate(undefined, {
              onSuccess: (result) => {
                toast.success(
                  result.purged === 0
                    ? "Nothing was old enough to purge."
                    : `Purged ${result.purged} entries behind checkpoint #${result.checkpoint_seq}.`,
                );
                setConfirming(false);
              },
            })
          }
        >
          <p>
            Entries older than <strong>{current} days</strong> are deleted for good. Export them first if you
            need them. The purge itself is audited.
          </p>
        </ConfirmDialog>
      ) : null}
    </div>
  );
}
