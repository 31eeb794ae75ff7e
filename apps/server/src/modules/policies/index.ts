import { Elysia } from "elysia";
import { requireGlobalAdmin } from "../../auth/guards";
import type { AppContext } from "../../context";
import type { authPlugin } from "../../http/auth";
import { CreatePolicy, PolicyName, Simulate, UpdatePolicy, ValidatePolicy } from "./model";

// Policies are admin business: every route needs `admin` on `**`.
export const policiesModule = (ctx: AppContext, auth: ReturnType<typeof authPlugin>) => {
  const svc = ctx.policyService;
  const admin = { auth: true as const };
  return new Elysia({ name: "module.policies" })
    .use(auth)
    .get(
      "/v1/policy",
      async ({ actor }) => {
        requireGlobalAdmin(ctx, actor);
        return svc.list();
      },
      {
        ...admin,
        detail: { tags: ["policies"], summary: "Every policy with its source, references and flags" },
      },
    )
    .get(
      "/v1/policy/:name",
      async ({ actor, params }) => {
        requireGlobalAdmin(ctx, actor);
        return svc.get(params.name);
      },
      { ...admin, params: PolicyName, detail: { tags: ["policies"], summary: "One policy" } },
    )
    .post(
      "/v1/policy",
      async ({ actor, body, set }) => {
        requireGlobalAdmin(ctx, actor);
        set.status = 201;
        return svc.save(actor, body, "create");
      },
      { ...admin, body: CreatePolicy, detail: { tags: ["policies"], summary: "Create a database policy" } },
    )
    .put(
      "/v1/policy/:name",
      async ({ actor, params, body }) => {
        requireGlobalAdmin(ctx, actor);
        return svc.save(actor, { ...body, name: params.name }, "update");
      },
      {
        ...admin,
        params: PolicyName,
        body: UpdatePolicy,
        detail: { tags: ["policies"], summary: "Replace a database policy's rules" },
      },
    )
    .delete(
      "/v1/policy/:name",
      async ({ actor, params }) => {
        requireGlobalAdmin(ctx, actor);
        await svc.remove(actor, params.name);
        return { deleted: true, name: params.name };
      },
      { ...admin, params: PolicyName, detail: { tags: ["policies"], summary: "Delete a database policy" } },
    )
    .post(
      "/v1/policy/reload",
      async ({ actor }) => {
        requireGlobalAdmin(ctx, actor);
        return svc.reloadFromDisk(actor);
      },
      { ...admin, detail: { tags: ["policies"], summary: "Re-read every policy file" } },
    )
    .post(
      "/v1/policy/validate",
      async ({ actor, body }) => {
        requireGlobalAdmin(ctx, actor);
        return svc.validate(body.document);
      },
      {
        ...admin,
        body: ValidatePolicy,
        detail: { tags: ["policies"], summary: "Validate a policy document without saving it" },
      },
    )
    .post(
      "/v1/policy/simulate",
      async ({ actor, body }) => {
        requireGlobalAdmin(ctx, actor);
        return svc.simulate(body);
      },
      {
        ...admin,
        body: Simulate,
        detail: { tags: ["policies"], summary: "What-if: would this identity be allowed?" },
      },
    );
};
