import { eq, sql } from "drizzle-orm";
import type { Store } from "../db/store";

/** The reads every authenticated request makes, prepared once per store. */
function build(store: Store) {
  const { users, sessions, accessTokens, approles } = store.t;
  const id = sql.placeholder("id");
  return {
    userById: store.prepare("gh_user_by_id", (db) => db.select().from(users).where(eq(users.id, id))),
    approleById: store.prepare("gh_approle_by_id", (db) =>
      db.select().from(approles).where(eq(approles.id, id)),
    ),
    session: store.prepare("gh_session_by_id", (db) =>
      db
        .select({ s: sessions, u: users })
        .from(sessions)
        .innerJoin(users, eq(users.id, sessions.userId))
        .where(eq(sessions.id, id)),
    ),
    accessToken: store.prepare("gh_access_token_by_hash", (db) =>
      db
        .select({ t: accessTokens, u: users })
        .from(accessTokens)
        .innerJoin(users, eq(users.id, accessTokens.userId))
        .where(eq(accessTokens.tokenHash, id)),
    ),
  };
}

const cache = new WeakMap<Store, ReturnType<typeof build>>();

export function authQueries(store: Store): ReturnType<typeof build> {
  let q = cache.get(store);
  if (!q) {
    q = build(store);
    cache.set(store, q);
  }
  return q;
}
