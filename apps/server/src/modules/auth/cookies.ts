import { SESSION_COOKIE } from "../../auth/resolve";
import type { AppContext } from "../../context";
import { SESSION_TTL_MS } from "./service";

// HttpOnly + SameSite=Strict; Secure only over https (homelabs often serve plain http on a LAN).
const secure = (ctx: AppContext, request: Request) =>
  request.url.startsWith("https:") || Boolean(ctx.config.publicUrl?.startsWith("https:"));

export const sessionCookie = (ctx: AppContext, request: Request, value: string) =>
  `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${SESSION_TTL_MS / 1000}${secure(ctx, request) ? "; Secure" : ""}`;

export const clearedCookie = (ctx: AppContext, request: Request) =>
  `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${secure(ctx, request) ? "; Secure" : ""}`;
