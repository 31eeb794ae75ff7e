import { Elysia } from "elysia";
import type { AppContext } from "../../context";
import type { authPlugin } from "../../http/auth";
import {
  CreateUserInput,
  PublicUser,
  UpdateUserInput,
  UserDeleted,
  UserList,
  UsernameParams,
  UserUpdated,
} from "./model";
import { createUser, deleteUser, listUsers, updateUser } from "./service";

/** User administration (Gatehouse's `/v1/auth/users`): global admins only, re-checked on every request. */
export const usersModule = (ctx: AppContext, auth: ReturnType<typeof authPlugin>) =>
  new Elysia({ name: "module.users", prefix: "/v1/auth/users" })
    .use(auth)
    .get("", async ({ actor }) => ({ users: await listUsers(ctx, actor) }), {
      auth: true,
      response: { 200: UserList },
      detail: { tags: ["users"], summary: "List users" },
    })
    .post("", async ({ actor, body, status }) => status(201, await createUser(ctx, actor, body)), {
      auth: true,
      body: CreateUserInput,
      response: { 201: PublicUser },
      detail: { tags: ["users"], summary: "Create a user" },
    })
    .put(
      "/:username",
      async ({ actor, body, params }) => ({
        updated: true as const,
        user: await updateUser(ctx, actor, params.username, body),
      }),
      {
        auth: true,
        params: UsernameParams,
        body: UpdateUserInput,
        response: { 200: UserUpdated },
        detail: { tags: ["users"], summary: "Update a user (disable, role, password, 2FA reset)" },
      },
    )
    .delete(
      "/:username",
      async ({ actor, params }) => {
        await deleteUser(ctx, actor, params.username);
        return { deleted: true as const };
      },
      {
        auth: true,
        params: UsernameParams,
        response: { 200: UserDeleted },
        detail: { tags: ["users"], summary: "Delete a user" },
      },
    );
