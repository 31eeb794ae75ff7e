// Mounted once in the signed-in shell: keeps cached lists fresh from the live stream and raises
// a toast (plus a browser notification, when allowed) for each new approval request.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useRef } from "react";
import { approvalKeys } from "../api/approvals";
import { sessionQuery } from "../api/auth";
import { type LiveEvent, useLiveEvents } from "../api/events";
import { leaseKeys } from "../api/leases";
import { secretKeys } from "../api/secrets";
import { showBrowserNotification } from "../lib/notify";
import { navigate } from "../lib/router";
import { toast } from "../lib/toast";

// Audit actions that change what the secrets and leases pages show (reads are left out: listing
// secrets is itself audited, and refetching on it would loop).
const SECRET_CHANGES = new Set([
  "secret.write",
  "secret.metadata_update",
  "secret.rollback",
  "secret.delete",
  "secret.bulk_import",
]);

const str = (v: unknown) => (typeof v === "string" ? v : "");

export function LiveUpdates() {
  const queryClient = useQueryClient();
  const user = useQuery(sessionQuery()).data?.user;
  const canDecide = user?.role === "admin" || user?.role === "approver";
  const me = user ? `user:${user.username}` : null;
  const announced = useRef(new Set<string>());

  useLiveEvents((event: LiveEvent) => {
    if (event.type === "resync") {
      void queryClient.invalidateQueries({ queryKey: approvalKeys.all });
      void queryClient.invalidateQueries({ queryKey: leaseKeys.all });
      return;
    }
    const { data } = event;
    if (event.type === "approval") {
      void queryClient.invalidateQueries({ queryKey: approvalKeys.all });
      const id = str(data.request_id);
      if (data.status === "pending" && canDecide && data.identity !== me && !announced.current.has(id)) {
        announced.current.add(id);
        announce(data);
      }
    } else if (event.type === "lease") {
      void queryClient.invalidateQueries({ queryKey: leaseKeys.all });
    } else if (event.type === "audit") {
      const action = str(data.action);
      if (action.startsWith("lease.")) void queryClient.invalidateQueries({ queryKey: leaseKeys.all });
      if (SECRET_CHANGES.has(action)) {
        void queryClient.invalidateQueries({ queryKey: secretKeys.all });
        void queryClient.invalidateQueries({ queryKey: leaseKeys.all });
      }
    }
  });
  return null;
}

function announce(data: Record<string, unknown>): void {
  const who = str(data.display_name) || str(data.identity);
  const what = `${who} asks to ${str(data.capability) || str(data.kind)} ${str(data.path)}`;
  const reason = str(data.reason);
  toast.info(`New approval request: ${what}${reason ? ` (“${reason}”)` : ""}`);
  showBrowserNotification("Gatehouse: approval requested", {
    body: reason ? `${what}\n“${reason}”` : what,
    tag: str(data.request_id),
    onClick: () => navigate("/approvals"),
  });
}
