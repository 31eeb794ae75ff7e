// The SQLite definitions are the source of truth; pg.ts derives the PostgreSQL twin from them.
export * from "./approles";
export * from "./approvals";
export * from "./audit";
export * from "./dynamic";
export * from "./gateway";
export * from "./meta";
export * from "./policies";
export * from "./proxy";
export * from "./secrets";
export * from "./users";
