// The better-sqlite3 types the repositories and the migrations share. A module of their own, so the
// migrations (which db.ts applies) never import db.ts back.
import type BetterSqlite3 from 'better-sqlite3';

export type Database = BetterSqlite3.Database;
export type Statement<P extends unknown[], R = unknown> = BetterSqlite3.Statement<P, R>;
