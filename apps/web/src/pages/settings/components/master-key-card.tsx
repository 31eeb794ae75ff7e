import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { keyFingerprintQuery, useRotateKey } from "../../../api/admin";
import { Dialog } from "../../../components/dialog";
import { QueryState } from "../../../components/query-state";
import { RotateKeyForm } from "./rotate-key-form";

interface Done {
  keyVersion: number;
  fingerprint: string;
  secrets: number;
  warning: string;
}

export function MasterKeyCard() {
  const fingerprint = useQuery(keyFingerprintQuery());
  const rotate = useRotateKey();
  const [open, setOpen] = useState(false);
  const [done, setDone] = useState<Done | null>(null);
  const close = () => {
    rotate.reset();
    setOpen(false);
  };
  return (
    <section className="card" aria-labelledby="master-key-title">
      <div className="card-header">
        <h2 id="master-key-title" className="card-title">
          Master key
        </h2>
        <button type="button" className="button button-secondary button-small" onClick={() => setOpen(true)}>
          Rotate key…
        </button>
      </div>
      <QueryState query={fingerprint} what="the key fingerprint">
        {(fp) => (
          <dl className="facts">
            <dt>Fingerprint</dt>
            <dd className="mono" data-testid="key-fingerprint">
              {fp.fingerprint}
            </dd>
            <dt>Keyring version</dt>
            <dd>{fp.key_version}</dd>
            <dt>Derivation</dt>
            <dd>{fp.algorithm}</dd>
          </dl>
        )}
      </QueryState>
      {done ? (
        <div className="callout callout-success" role="status">
          <p>
            <strong>Rotated.</strong> Keyring version {done.keyVersion}, fingerprint{" "}
            <span className="mono">{done.fingerprint}</span>; {done.secrets} secret{" "}
            {done.secrets === 1 ? "version" : "versions"} re-wrapped.
          </p>
          <p>{done.warning}</p>
        </div>
      ) : null}
      {open ? (
        <Dialog title="Rotate the master key?" onClose={close} wide>
          <RotateKeyForm
            currentFingerprint={fingerprint.data?.fingerprint}
            pending={rotate.isPending}
            error={rotate.error}
            onCancel={close}
            onSubmit={(key) =>
              rotate.mutate(key, {
                onSuccess: (result) => {
                  setDone({
                    keyVersion: result.key_version,
                    fingerprint: result.fingerprint,
                    secrets: result.secrets_rewrapped,
                    warning: result.warning,
                  });
                  close();
                },
              })
            }
          />
        </Dialog>
      ) : null}
    </section>
  );
}
