import type { CreatedLink } from "../../../api/links";

/** UTC, to the second: the agent may run in another time zone than the operator. */
const when = (iso: string) => `at ${new Date(iso).toISOString().replace(/\.\d+Z$/, "Z")}`;

/** The text an operator pastes into the agent's chat: only the one-time URL, never a credential. */
export function agentPrompt(link: CreatedLink): string {
  if (link.kind === "rotate") {
    return [
      `Your Gatehouse credentials for the AppRole "${link.role_display_name}" are being rotated.`,
      "",
      `Fetch the instructions from this one-time link (it expires ${when(link.expires_at)}):`,
      "",
      `  curl -fsS "${link.url}"`,
      "",
      "Follow them to exchange the link for your new secret_id, and replace the old one wherever you keep it.",
      "Never print the secret_id, or put it in chat, logs, commits or files other people can read.",
    ].join("\n");
  }
  return [
    `You are being connected to Gatehouse, the secrets vault for this environment, as the AppRole "${link.role_display_name}".`,
    "",
    `Fetch your onboarding instructions from this one-time link (it expires ${when(link.expires_at)}):`,
    "",
    `  curl -fsS "${link.url}"`,
    "",
    "Follow them: they show how to exchange the link for your own credentials (it works only once).",
    "Keep the secret_id and tokens out of chat, logs, commits and files other people can read, and use",
    "Gatehouse's proxy or MCP tools so that secret values never enter your context.",
  ].join("\n");
}
