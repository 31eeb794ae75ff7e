import { createScrubber } from "@gatehouse/core/scrubber";
import { Elysia, t } from "elysia";
import type { AppContext } from "../../context";
import type { authPlugin } from "../../http/auth";

const Body = t.Object({ text: t.String({ maxLength: 16 * 1024 * 1024 }) });

/** Gatehouse's scrub endpoints: any authenticated caller; positions are offsets into the original text. */
export const scrubModule = (_ctx: AppContext, auth: ReturnType<typeof authPlugin>) => {
  const scrubber = createScrubber();
  return new Elysia({ name: "module.scrub" })
    .use(auth)
    .post(
      "/v1/scrub",
      ({ body }) => {
        const r = scrubber.scrub(body.text);
        return {
          scrubbed: r.scrubbed,
          redaction_count: r.redactions.length,
          redactions: r.redactions.map((x) => ({ type: x.type, position: x.position, length: x.length })),
        };
      },
      { auth: true, body: Body, detail: { tags: ["scrub"], summary: "Redact credentials from text" } },
    )
    .post("/v1/scrub/check", ({ body }) => ({ contains_credentials: scrubber.contains(body.text) }), {
      auth: true,
      body: Body,
      detail: { tags: ["scrub"], summary: "Does this text contain credentials?" },
    });
};
