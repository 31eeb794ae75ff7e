// Chat, messaging and e-mail delivery.

import { assigned, custom, prefixed } from "../build";
import type { Detector } from "../types";
import { backBy, UUID_LOWER } from "./shared";

const DISCORD_TOKEN = "[MNO][A-Za-z0-9_-]{23,25}\\.[A-Za-z0-9_-]{6}\\.[A-Za-z0-9_-]{27,38}";
const discordAssigned = assigned({
  id: "discord_bot_token",
  family: "chat",
  description: "",
  names: ["discord"],
  value: DISCORD_TOKEN,
});
const discordHeader = prefixed({
  id: "discord_bot_token",
  family: "chat",
  description: "",
  prefixes: ["Bot "],
  body: DISCORD_TOKEN,
  tail: "[A-Za-z0-9_-]",
});

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

// Telegram tokens start with the bot's numeric id; in API URLs they follow `/bot`.
const TELEGRAM = /[0-9]{8,10}:AA[A-Za-z0-9_-]{33}(?![A-Za-z0-9_-])/y;

export const CHAT: readonly Detector[] = [
  prefixed({
    id: "slack_bot_token",
    family: "chat",
    description: "Slack bot token: xoxb- + team id - bot id - 24 alphanumerics",
    prefixes: ["xoxb-"],
    body: "[0-9]{8,14}-(?:[0-9]{8,14}-)?[A-Za-z0-9]{18,34}",
    tail: "[A-Za-z0-9-]",
    keep: 5,
  }),
  prefixed({
    id: "slack_user_token",
    family: "chat",
    description: "Slack user token: xoxp- + three numeric ids + 28-34 alphanumerics",
    prefixes: ["xoxp-"],
    body: "(?:[0-9]{10,13}-){3}[A-Za-z0-9]{28,34}",
    tail: "[A-Za-z0-9-]",
    keep: 5,
  }),
  prefixed({
    id: "slack_app_token",
    family: "chat",
    description: "Slack app-level token: xapp-N- + id - number - 64 hex",
    prefixes: ["xapp-"],
    body: "[0-9]-[A-Z0-9]{9,12}-[0-9]{10,14}-[a-f0-9]{64}",
    keep: 5,
  }),
  prefixed({
    id: "slack_config_token",
    family: "chat",
    description: "Slack configuration access token: xoxe.xoxp-/xoxe.xoxb- + N- + 163-166 characters",
    prefixes: ["xoxe.xoxp-", "xoxe.xoxb-"],
    body: "[0-9]-[A-Za-z0-9]{163,166}",
  }),
  prefixed({
    id: "slack_config_refresh_token",
    family: "chat",
    description: "Slack configuration refresh token: xoxe-N- + 146 characters",
    prefixes: ["xoxe-"],
    body: "[0-9]-[A-Za-z0-9]{146}",
  }),
  prefixed({
    id: "slack_legacy_token",
    family: "chat",
    description: "Slack legacy/workspace token: xoxa-/xoxr-/xoxs- + numeric id + segments",
    prefixes: ["xoxa-", "xoxr-", "xoxs-"],
    body: "[0-9]{1,16}-[0-9A-Za-z-]{8,100}",
    tail: "[A-Za-z0-9-]",
    keep: 5,
  }),
  prefixed({
    id: "slack_webhook_url",
    family: "chat",
    description: "Slack incoming webhook / workflow trigger URL path",
    prefixes: ["hooks.slack.com/services/", "hooks.slack.com/workflows/", "hooks.slack.com/triggers/"],
    body: "[A-Za-z0-9+/]{40,80}",
    tail: "[A-Za-z0-9+/]",
    noLeadingBoundary: true,
  }),
  prefixed({
    id: "discord_webhook_url",
    family: "chat",
    description: "Discord webhook URL: /api/webhooks/<id>/<60-68 character token>",
    prefixes: ["discord.com/api/webhooks/", "discordapp.com/api/webhooks/"],
    body: "[0-9]{17,20}/[A-Za-z0-9_-]{60,68}",
    tail: "[A-Za-z0-9_-]",
    noLeadingBoundary: true,
  }),
  custom(
    {
      id: "discord_bot_token",
      family: "chat",
      description: "Discord bot token (M/N/O + 23-25 . 6 . 27-38), labelled discord or after `Bot `",
      keywords: ["discord", "bot "],
    },
    (text, at, kwLength, state) =>
      kwLength === 4
        ? discordHeader.match(text, at, kwLength, state)
        : discordAssigned.match(text, at, kwLength, state),
  ),
  custom(
    {
      id: "telegram_bot_token",
      family: "chat",
      description: "Telegram bot token: 8-10 digit bot id + :AA + 33 URL-safe characters",
      keywords: [":aa"],
    },
    (text, at) => {
      let start = at;
      while (start > 0 && at - start < 10 && isDigit(text.charCodeAt(start - 1))) start--;
      if (at - start < 8) return null;
      const before = text.charCodeAt(start - 1);
      const afterBot = start >= 3 && text.slice(start - 3, start) === "bot";
      if (start > 0 && !afterBot && (isDigit(before) || /[A-Za-z_]/.test(text.charAt(start - 1))))
        return null;
      TELEGRAM.lastIndex = start;
      const m = TELEGRAM.exec(text);
      return m ? { start, end: start + m[0].length, keep: 0 } : null;
    },
  ),
  prefixed({
    id: "twilio_api_key",
    family: "chat",
    description: "Twilio API key SID: SK + 32 hex",
    prefixes: ["SK"],
    body: "[0-9a-f]{32}",
  }),
  assigned({
    id: "twilio_auth_token",
    family: "chat",
    description: "Twilio auth token: 32 hex labelled twilio",
    names: ["twilio"],
    value: "[a-f0-9]{32}",
  }),
  prefixed({
    id: "sendgrid_api_key",
    family: "chat",
    description: "SendGrid API key: SG. + 22 . 43 URL-safe characters",
    prefixes: ["SG."],
    body: "[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{43}",
    tail: "[A-Za-z0-9_-]",
  }),
  prefixed({
    id: "mailgun_api_key",
    family: "chat",
    description: "Mailgun private API key: key- + 32 hex",
    prefixes: ["key-"],
    body: "[a-f0-9]{32}",
  }),
  prefixed({
    id: "mailchimp_api_key",
    family: "chat",
    description: "Mailchimp API key: 32 hex + -us + data-centre number",
    prefixes: [""],
    body: "[a-f0-9]{32}-us[0-9]{1,2}",
    anchor: { keywords: ["-us"], start: backBy(32) },
  }),
  prefixed({
    id: "brevo_api_key",
    family: "chat",
    description: "Brevo (Sendinblue) API / SMTP key: xkeysib-/xsmtpsib- + 64 hex + - + 16 alphanumerics",
    prefixes: ["xkeysib-", "xsmtpsib-"],
    body: "[a-f0-9]{64}-[A-Za-z0-9]{16}",
  }),
  prefixed({
    id: "teams_webhook_url",
    family: "chat",
    description: "Microsoft Teams incoming webhook URL path (webhook.office.com/webhookb2/…)",
    prefixes: ["webhook.office.com/webhookb2/"],
    body: "[a-f0-9-]{36}@[a-f0-9-]{36}/IncomingWebhook/[A-Za-z0-9]{32}/[a-f0-9-]{36}(?:/[A-Za-z0-9_-]{20,80})?",
    tail: "[A-Za-z0-9_-]",
    noLeadingBoundary: true,
  }),
  assigned({
    id: "postmark_server_token",
    family: "chat",
    description: "Postmark server/account token: a UUID labelled postmark",
    names: ["postmark"],
    value: UUID_LOWER,
  }),
  assigned({
    id: "intercom_access_token",
    family: "chat",
    description: "Intercom access token: 60 characters labelled intercom",
    names: ["intercom"],
    value: "[A-Za-z0-9=_-]{60}",
    tail: "[A-Za-z0-9=_-]",
    minEntropy: 3.5,
  }),
  assigned({
    id: "zendesk_api_token",
    family: "chat",
    description: "Zendesk API token: 40 alphanumerics labelled zendesk",
    names: ["zendesk"],
    value: "[A-Za-z0-9]{40}",
    minEntropy: 3.5,
  }),
];
