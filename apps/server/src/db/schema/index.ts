// The SQLite definitions are the source of truth; pg.ts derives the PostgreSQL twin from them.
export * from "./audit";
export * from "./meta";
