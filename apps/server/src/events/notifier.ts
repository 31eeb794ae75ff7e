import type { Logger } from "../log";

export type NotifyFormat = "json" | "ntfy" | "slack";

export interface Notifier {
  approvalRequested(req: {
    request_id: string;
    identity: string;
    display_name: string;
    path: string;
    kind: string;
    reason: string | null;
  }): void;
}

/**
 * Optional webhook on new approval requests (ntfy and Slack-compatible bodies, or plain JSON). Fire and
 * forget with a timeout: a slow webhook never delays the agent. Bodies hold names and paths, never values.
 */
export function createNotifier(opts: {
  url?: string;
  format: NotifyFormat;
  publicUrl?: string;
  log: Logger;
  fetchImpl?: typeof fetch;
}): Notifier {
  const send = opts.fetchImpl ?? fetch;
  return {
    approvalRequested(req) {
      if (!opts.url) return;
      const link = `${opts.publicUrl ?? ""}/approvals?request=${encodeURIComponent(req.request_id)}`;
      const text = `${req.display_name} (${req.identity}) asks for ${req.kind} on ${req.path}${req.reason ? `: "${req.reason}"` : ""}`;
      const body =
        opts.format === "slack"
          ? { text: `${text}\n<${link}|Review in Gatehouse>` }
          : opts.format === "ntfy"
            ? {
                topic: "gatehouse",
                title: "Gatehouse approval requested",
                message: text,
                click: link,
                tags: ["key"],
              }
            : { event: "approval.requested", request: req, link };
      send(opts.url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(5000),
      }).then(
        (r) => {
          if (!r.ok) opts.log.warn("approval webhook failed", { status: r.status });
        },
        (e: unknown) =>
          opts.log.warn("approval webhook failed", {
            error_message: e instanceof Error ? e.message : String(e),
          }),
      );
    },
  };
}
