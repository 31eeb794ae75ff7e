import { Dialog, DialogActions } from "../../../components/dialog";
import { SecretValue } from "../../../components/secret-value";

interface Props {
  title: string;
  roleName: string;
  roleId: string;
  secretId: string;
  onClose: () => void;
}

/** role_id + secret_id, shown once after creation or rotation. */
export function CredentialsDialog({ title, roleName, roleId, secretId, onClose }: Props) {
  return (
    <Dialog title={title} onClose={onClose} wide>
      <div className="form">
        <div className="callout callout-warning" role="note">
          The secret ID of <strong>{roleName}</strong> is shown only this once. Give it to the agent through a
          safe channel, or close this and send an onboarding link instead.
        </div>
        <SecretValue label="Role ID" value={roleId} />
        <SecretValue label="Secret ID" value={secretId} />
        <DialogActions>
          <button type="button" className="button button-primary" onClick={onClose}>
            Done
          </button>
        </DialogActions>
      </div>
    </Dialog>
  );
}
