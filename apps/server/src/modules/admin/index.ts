import { Elysia } from "elysia";
import type { AppContext } from "../../context";
import type { authPlugin } from "../../http/auth";
import { KeyFingerprint, KeyRotated, RotateKeyInput } from "./model";
import { keyFingerprint, rotateMasterKey } from "./service";

const tags = ["admin"];

/** Master-key administration (Gatehouse's `/v1/admin/*`): global admins only. */
export const adminModule = (ctx: AppContext, auth: ReturnType<typeof authPlugin>) =>
  new Elysia({ name: "module.admin", prefix: "/v1/admin" })
    .use(auth)
    .get("/key-fingerprint", ({ actor }) => keyFingerprint(ctx, actor), {
      auth: true,
      response: { 200: KeyFingerprint },
      detail: { tags, summary: "Fingerprint and keyring version of the master key in use" },
    })
    .post("/rotate-key", ({ actor, body }) => rotateMasterKey(ctx, actor, body), {
      auth: true,
      body: RotateKeyInput,
      response: { 200: KeyRotated },
      detail: { tags, summary: "Re-wrap every encrypted value under a new master key (one transaction)" },
    });
