import { createScrubber, type Scrubber } from "@gatehouse/core/scrubber";
import { Elysia, t } from "elysia";
import type { AppContext } from "../../context";
import type { authPlugin } from "../../http/auth";

const Body = t.Object({ text: t.String({ maxLength: 16 * 1024 * 1024 }) });

/** Gatehouse's `POST /v1/scrub` answer (also the gatehouse_scrub MCP tool's). */
export function scrubReport(scrubber: Scrubber, text: string) {
  const r = scrubber.scrub(text);
  return {
    scrubbed: r.scrubbed,
    redaction_count: r.redactions.length,
    redactions: r.redactions.map((x) => ({ type: x.type, position: x.position, length: x.length })),
  };
}

/** Gatehouse's scrub endpoints: any authenticated caller; positions are offsets into the original text. */
export const scrubModule = (_ctx: AppContext, auth: ReturnType<typeof authPlugin>) => {
  const scrubber = createScrubber();
  return new Elysia({ name: "module.scrub" })
    .use(auth)
    .post("/v1/scrub", ({ body }) => scrubReport(scrubber, body.text), {
      auth: true,
      body: Body,
      detail: { tags: ["scrub"], summary: "Redact credentials from text" },
    })
    .post("/v1/scrub/check", ({ body }) => ({ contains_credentials: scrubber.contains(body.text) }), {
      auth: true,
      body: Body,
      detail: { tags: ["scrub"], summary: "Does this text contain credentials?" },
    });
};
