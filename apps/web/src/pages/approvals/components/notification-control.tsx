import { BellIcon } from "../../../components/vault-icons";
import { requestNotificationPermission, useNotificationPermission } from "../../../lib/notify";
import { toast } from "../../../lib/toast";

/** Asks for notification permission only when clicked; afterwards shows the state. */
export function NotificationControl() {
  const permission = useNotificationPermission();
  if (permission === "unsupported") return null;
  if (permission === "granted") {
    return (
      <span className="notify-state" role="status">
        <BellIcon /> Browser notifications on
      </span>
    );
  }
  if (permission === "denied") {
    return (
      <span
        className="notify-state is-off"
        role="status"
        title="Allow notifications for this site in the browser's settings"
      >
        <BellIcon /> Notifications blocked
      </span>
    );
  }
  return (
    <button
      type="button"
      className="button button-secondary"
      onClick={async () => {
        const result = await requestNotificationPermission();
        if (result === "granted") toast.success("You will get a browser notification for each new request.");
      }}
    >
      <BellIcon />
      Enable notifications
    </button>
  );
}
