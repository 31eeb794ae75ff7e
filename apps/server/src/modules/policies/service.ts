import { GatehouseError } from "@gatehouse/core";
import {
  BUILTIN_ADMIN,
  CAPABILITIES,
  type Capability,
  flagChangedRules,
  type Policy,
  parsePolicy,
  toDocument,
  validatePolicy,
} from "@gatehouse/core/policy";
import { eq } from "drizzle-orm";
import type { Actor } from "../../auth/actor";
import { effectivePolicies } from "../../auth/actor";
import type { AppContext } from "../../context";
import { type FileProblem, readPolicyFiles } from "../../policies/files";

export type Source = "builtin" | "yaml" | "db";

/** A policy as the API shows it (core's document form, with an explicit null description). */
export const policyDoc = (p: Policy) => ({ ...toDocument(p), description: p.description ?? null });

interface Loaded {
  files: Map<string, { policy: Policy; file: string }>;
  problems: FileProblem[];
}

/** Keeps the YAML view of the config directory; `reload` re-reads every file and rebuilds the registry. */
export function createPolicyService(ctx: AppContext) {
  const { policies: table, approles, users } = ctx.store.t;
  let loaded: Loaded = { files: new Map(), problems: [] };

  async function reload() {
    const { policies, problems } = readPolicyFiles(ctx.config.configDir);
    const files = new Map<string, { policy: Policy; file: string }>();
    for (const p of policies) {
      if (p.policy.name === BUILTIN_ADMIN.name || files.has(p.policy.name)) {
        problems.push({
          file: p.file,
          errors: [{ path: "name", message: `policy name "${p.policy.name}" is already taken` }],
        });
        continue;
      }
      files.set(p.policy.name, { policy: p.policy, file: p.file });
    }
    loaded = { files, problems };
    ctx.policies.setExtra([...files.values()].map((f) => f.policy));
    await ctx.policies.reload();
    return policies.filter((p) => files.get(p.policy.name)?.file === p.file);
  }

  // Tells the other replicas to re-read files and database policies.
  const announce = () => ctx.events.publish({ type: "policy_reload", identity: "system", data: {} });

  async function dbRows() {
    return ctx.store.db.select().from(table);
  }

  async function references() {
    const [roles, people] = await Promise.all([
      ctx.store.db
        .select({ id: approles.id, name: approles.displayName, policies: approles.policies })
        .from(approles),
      ctx.store.db
        .select({ username: users.username, role: users.role, policies: users.policies })
        .from(users),
    ]);
    return (name: string) => ({
      approles: roles
        .filter((r) => r.policies.includes(name))
        .map((r) => ({ role_id: r.id, display_name: r.name })),
      users: people
        .filter((u) => effectivePolicies(u.role, u.policies).includes(name))
        .map((u) => u.username),
    });
  }

  async function list() {
    const rows = await dbRows();
    const refs = await references();
    const out = [
      {
        ...policyDoc(BUILTIN_ADMIN),
        source: "builtin" as Source,
        file: null,
        created_at: null,
        updated_at: null,
      },
      ...[...loaded.files.values()].map((f) => ({
        ...policyDoc(f.policy),
        source: "yaml" as Source,
        file: f.file,
        created_at: null,
        updated_at: null,
      })),
      ...rows.map((r) => {
        const p = parsePolicy({ ...(r.document as object), name: r.name });
        return {
          ...policyDoc(p),
          source: "db" as Source,
          file: null,
          created_at: new Date(r.createdAt).toISOString(),
          updated_at: new Date(r.updatedAt).toISOString(),
        };
      }),
    ];
    const conflicts = rows
      .filter((r) => loaded.files.has(r.name))
      .map((r) => ({
        name: r.name,
        message: `"${r.name}" exists both in ${loaded.files.get(r.name)?.file} and in the database; the file wins until one is renamed`,
      }));
    return {
      policies: out.map((p) => ({
        ...p,
        active: !(p.source === "db" && loaded.files.has(p.name)),
        changed_rules: p.source === "builtin" ? [] : flagChangedRules(p),
        referenced_by: refs(p.name),
      })),
      conflicts,
      file_errors: loaded.problems,
    };
  }

  async function get(name: string) {
    const all = await list();
    const found = all.policies.find((p) => p.name === name && p.active);
    if (!found) throw new GatehouseError("not_found", `Policy "${name}" does not exist`);
    return found;
  }

  function assertWritable(name: string) {
    if (name === BUILTIN_ADMIN.name)
      throw new GatehouseError("read_only", 'The built-in "admin" policy cannot be changed');
    const f = loaded.files.get(name);
    if (f)
      throw new GatehouseError(
        "read_only",
        `Policy "${name}" comes from ${f.file}; edit the file and reload`,
      );
  }

  async function save(
    actor: Actor,
    input: { name: string; description?: string; rules: unknown },
    mode: "create" | "update",
  ) {
    assertWritable(input.name);
    const policy = parsePolicy({
      name: input.name,
      ...(input.description ? { description: input.description } : {}),
      rules: input.rules,
    });
    const doc = policyDoc(policy);
    const now = ctx.now();
    await ctx.store.tx(async (tx) => {
      const [existing] = await tx.select({ name: table.name }).from(table).where(eq(table.name, policy.name));
      if (mode === "create" && existing)
        throw new GatehouseError("conflict", `Policy "${policy.name}" already exists`);
      if (mode === "update" && !existing)
        throw new GatehouseError("not_found", `Policy "${policy.name}" does not exist`);
      if (existing)
        await tx
          .update(table)
          .set({ document: doc, description: policy.description ?? null, updatedAt: now })
          .where(eq(table.name, policy.name));
      else
        await tx.insert(table).values({
          name: policy.name,
          description: policy.description ?? null,
          document: doc,
          createdAt: now,
          updatedAt: now,
        });
      await ctx.audit.append(
        {
          identity: actor.identity,
          action: mode === "create" ? "policy.save" : "policy.update",
          path: `policy:${policy.name}`,
          sourceIp: actor.ip,
          requestId: actor.requestId,
          success: true,
          metadata: { rules: policy.rules.length },
        },
        tx,
      );
    });
    await ctx.policies.reload();
    announce();
    return { ...doc, changed_rules: flagChangedRules(policy) };
  }

  async function remove(actor: Actor, name: string) {
    assertWritable(name);
    await ctx.store.tx(async (tx) => {
      const gone = await tx.delete(table).where(eq(table.name, name)).returning({ name: table.name });
      if (gone.length === 0) throw new GatehouseError("not_found", `Policy "${name}" does not exist`);
      await ctx.audit.append(
        {
          identity: actor.identity,
          action: "policy.delete",
          path: `policy:${name}`,
          sourceIp: actor.ip,
          requestId: actor.requestId,
          success: true,
        },
        tx,
      );
    });
    await ctx.policies.reload();
    announce();
  }

  async function reloadFromDisk(actor: Actor) {
    const fromFiles = await reload();
    announce();
    const changed = fromFiles
      .filter((f) => f.changed.length > 0)
      .map((f) => ({ name: f.policy.name, file: f.file, changed_rules: f.changed }));
    await ctx.audit.append({
      identity: actor.identity,
      action: "policy.reload",
      sourceIp: actor.ip,
      requestId: actor.requestId,
      success: loaded.problems.length === 0,
      metadata: { files: fromFiles.length, errors: loaded.problems.length, changed: changed.length },
    });
    return {
      imported: fromFiles.map((f) => f.policy.name),
      policies: ctx.policies.names(),
      changed,
      file_errors: loaded.problems,
    };
  }

  /** What-if: the same evaluator as every route, for an AppRole, a user, or a bare list of policies. */
  async function simulate(input: {
    approle?: string;
    user?: string;
    policies?: string[];
    capability: string;
    path: string;
    ip?: string;
  }) {
    const capability = input.capability as Capability;
    if (!CAPABILITIES.includes(capability) || capability === "deny") {
      throw new GatehouseError(
        "invalid_request",
        `capability: must be one of ${CAPABILITIES.filter((c) => c !== "deny").join(", ")}`,
        { field: "capability" },
      );
    }
    let subject: { identity: string; policies: string[] };
    if (input.approle) {
      const [r] = await ctx.store.db.select().from(approles).where(eq(approles.id, input.approle));
      if (!r) throw new GatehouseError("not_found", `AppRole "${input.approle}" does not exist`);
      subject = { identity: `approle:${r.id}`, policies: r.policies };
    } else if (input.user) {
      const [u] = await ctx.store.db.select().from(users).where(eq(users.username, input.user));
      if (!u) throw new GatehouseError("not_found", `User "${input.user}" does not exist`);
      subject = { identity: `user:${u.username}`, policies: effectivePolicies(u.role, u.policies) };
    } else if (input.policies) {
      subject = { identity: "policies", policies: input.policies };
    } else {
      throw new GatehouseError("invalid_request", "Give one of approle, user or policies", {
        field: "approle",
      });
    }
    const d = ctx.policies.authorize({ policies: subject.policies, ip: input.ip }, capability, input.path);
    return {
      identity: subject.identity,
      policies: subject.policies,
      capability: input.capability,
      path: input.path,
      ip: input.ip ?? null,
      decision: {
        allowed: d.allowed,
        approval: d.approval,
        max_ttl: d.maxTtl ?? null,
        reason: {
          policy: d.reason.policy ?? null,
          rule: d.reason.rule ?? null,
          glob: d.reason.glob ?? null,
          message: d.reason.message,
        },
      },
    };
  }

  const validate = (document: unknown) => {
    const { policy, errors } = validatePolicy(document);
    return { valid: errors.length === 0, errors, changed_rules: policy ? flagChangedRules(policy) : [] };
  };

  return { reload, list, get, save, remove, reloadFromDisk, simulate, validate };
}

export type PolicyService = ReturnType<typeof createPolicyService>;
