import type { CaPublicKey } from "../../../api/dynamic";
import { CopyButton } from "../../../components/copy-button";
import { SecretValue } from "../../../components/secret-value";

/** The SSH CA's public key and what a host needs to trust certificates signed by it. */
export function CaKeyPanel({ ca }: { ca: CaPublicKey }) {
  const file = "/etc/ssh/gatehouse_user_ca.pub";
  const commands = [
    `echo '${ca.public_key}' | sudo tee ${file}`,
    `echo '${ca.sshd_config}' | sudo tee -a /etc/ssh/sshd_config`,
    "sudo systemctl reload ssh   # or sshd",
  ].join("\n");
  return (
    <div className="stack ca-key-panel">
      <SecretValue label="CA public key" value={ca.public_key} />
      <div className="stack">
        <h4 className="section-title">Host setup</h4>
        <ol className="host-steps">
          <li>
            Save the public key on each host as <code>{file}</code>.
          </li>
          <li>
            Add <code>{ca.sshd_config}</code> to <code>/etc/ssh/sshd_config</code>.
          </li>
          <li>
            Create each principal as a Unix user (<code>useradd -m agent</code>) and make sure it is not
            locked.
          </li>
          <li>Reload sshd.</li>
        </ol>
        <pre className="code-block">{commands}</pre>
        <div>
          <CopyButton value={commands} what="setup commands" />
        </div>
        <p className="field-hint">
          Certificates cannot be revoked early (no KRL is published): each one ends at its validity, so keep
          TTLs short.
        </p>
      </div>
    </div>
  );
}
