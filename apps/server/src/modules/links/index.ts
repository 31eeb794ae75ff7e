import { Elysia, t } from "elysia";
import type { AppContext } from "../../context";
import type { authPlugin } from "../../http/auth";
import {
  CreatedOnboardLink,
  CreatedRotateLink,
  CreateLink,
  LinkList,
  ListLinksQuery,
  OnboardExchanged,
  OnboardIdParams,
  RevokedLink,
  RotateExchanged,
  TokenParams,
} from "./model";
import {
  createLink,
  exchangeOnboardLink,
  exchangeRotateLink,
  listOnboardLinks,
  revokeOnboardLink,
  viewLink,
} from "./service";

const tags = ["links"];
const MARKDOWN = "text/markdown; charset=utf-8";

export const linksModule = (ctx: AppContext, auth: ReturnType<typeof authPlugin>) => {
  // Links point at the configured public URL, else at the origin this request reached; never at
  // X-Forwarded-Host, which any client can set.
  const baseUrl = (request: Request) => ctx.config.publicUrl ?? new URL(request.url).origin;
  const markdown = (set: { headers: Record<string, unknown> }) => {
    set.headers["content-type"] = MARKDOWN;
    set.headers["cache-control"] = "no-store";
  };
  return new Elysia({ name: "module.links" })
    .use(auth)
    .post(
      "/v1/onboard",
      async ({ actor, body, request }) => {
        const { url, ...link } = await createLink(ctx, actor, "onboard", body, baseUrl(request));
        return { ...link, onboard_url: url };
      },
      {
        auth: true,
        body: CreateLink,
        response: { 200: CreatedOnboardLink },
        detail: { tags, summary: "Create a one-time onboarding link for an AppRole" },
      },
    )
    .get("/v1/onboard", async ({ actor, query }) => ({ tokens: await listOnboardLinks(ctx, actor, query) }), {
      auth: true,
      query: ListLinksQuery,
      response: { 200: LinkList },
      detail: { tags, summary: "List onboarding links (newest 100)" },
    })
    .delete("/v1/onboard/:id", ({ actor, params }) => revokeOnboardLink(ctx, actor, params.id), {
      auth: true,
      params: OnboardIdParams,
      response: { 200: RevokedLink },
      detail: { tags, summary: "Revoke an unused onboarding link" },
    })
    .get(
      "/v1/onboard/:token",
      async ({ caller, params, request, set }) => {
        const doc = await viewLink(ctx, caller, "onboard", params.token, baseUrl(request));
        markdown(set);
        return doc;
      },
      {
        caller: true,
        params: TokenParams,
        response: { 200: t.String() },
        detail: { tags, summary: "The agent's bootstrap document (until the link is exchanged)" },
      },
    )
    .post(
      "/v1/onboard/:token/exchange",
      ({ caller, params, request }) => exchangeOnboardLink(ctx, caller, params.token, baseUrl(request)),
      {
        caller: true,
        params: TokenParams,
        response: { 200: OnboardExchanged },
        detail: { tags, summary: "Exchange an onboarding link for credentials (once)" },
      },
    )
    .post(
      "/v1/rotate",
      async ({ actor, body, request }) => {
        const { url, ...link } = await createLink(ctx, actor, "rotate", body, baseUrl(request));
        return { ...link, rotate_url: url };
      },
      {
        auth: true,
        body: CreateLink,
        response: { 200: CreatedRotateLink },
        detail: { tags, summary: "Create a one-time secret rotation link for an AppRole" },
      },
    )
    .get(
      "/v1/rotate/:token",
      async ({ caller, params, request, set }) => {
        const doc = await viewLink(ctx, caller, "rotate", params.token, baseUrl(request));
        markdown(set);
        return doc;
      },
      {
        caller: true,
        params: TokenParams,
        response: { 200: t.String() },
        detail: { tags, summary: "Instructions for a rotation link (until it is exchanged)" },
      },
    )
    .post(
      "/v1/rotate/:token/exchange",
      ({ caller, params, request }) => exchangeRotateLink(ctx, caller, params.token, baseUrl(request)),
      {
        caller: true,
        params: TokenParams,
        response: { 200: RotateExchanged },
        detail: { tags, summary: "Exchange a rotation link for a new secret_id (once)" },
      },
    );
};
