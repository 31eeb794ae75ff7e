import { Elysia } from "elysia";
import type { AppContext } from "../../context";
import type { authPlugin } from "../../http/auth";
import {
  AppRoleList,
  AppRoleLogin,
  AppRoleToken,
  AppRoleView,
  CreateAppRole,
  CreatedAppRole,
  DeletedAppRole,
  RoleIdParams,
  RotatedSecret,
  SuspendAppRole,
  UpdateAppRole,
} from "./model";
import {
  appRoleLogin,
  createAppRole,
  deleteAppRole,
  getAppRole,
  listAppRoles,
  rotateSecret,
  setSuspended,
  updateAppRole,
} from "./service";

const tags = ["approles"];

export const approlesModule = (ctx: AppContext, auth: ReturnType<typeof authPlugin>) =>
  new Elysia({ name: "module.approles", prefix: "/v1/auth/approle" })
    .use(auth)
    .post("/login", ({ body, caller }) => appRoleLogin(ctx, caller, body), {
      caller: true,
      body: AppRoleLogin,
      response: { 200: AppRoleToken },
      detail: { tags, summary: "Exchange role_id + secret_id for a short-lived token" },
    })
    .get("", async ({ actor }) => ({ roles: await listAppRoles(ctx, actor) }), {
      auth: true,
      response: { 200: AppRoleList },
      detail: { tags, summary: "List AppRoles" },
    })
    .post("", async ({ actor, body, status }) => status(201, await createAppRole(ctx, actor, body)), {
      auth: true,
      body: CreateAppRole,
      response: { 201: CreatedAppRole },
      detail: { tags, summary: "Create an AppRole (the secret_id is shown once)" },
    })
    .get("/:id", ({ actor, params }) => getAppRole(ctx, actor, params.id), {
      auth: true,
      params: RoleIdParams,
      response: { 200: AppRoleView },
      detail: { tags, summary: "One AppRole" },
    })
    .put("/:id", ({ actor, params, body }) => updateAppRole(ctx, actor, params.id, body), {
      auth: true,
      params: RoleIdParams,
      body: UpdateAppRole,
      response: { 200: AppRoleView },
      detail: { tags, summary: "Change an AppRole's name, policies, allowlist or token TTL" },
    })
    .patch("/:id/suspend", ({ actor, params, body }) => setSuspended(ctx, actor, params.id, body.suspended), {
      auth: true,
      params: RoleIdParams,
      body: SuspendAppRole,
      response: { 200: AppRoleView },
      detail: { tags, summary: "Suspend or resume an AppRole (its tokens stop at once)" },
    })
    .delete("/:id", ({ actor, params }) => deleteAppRole(ctx, actor, params.id), {
      auth: true,
      params: RoleIdParams,
      response: { 200: DeletedAppRole },
      detail: { tags, summary: "Delete an AppRole and its links" },
    })
    .post("/:id/rotate-secret", ({ actor, params }) => rotateSecret(ctx, actor, params.id), {
      auth: true,
      params: RoleIdParams,
      response: { 200: RotatedSecret },
      detail: { tags, summary: "Issue a new secret_id; the old one and its tokens stop working" },
    });
