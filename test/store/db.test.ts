import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { LATEST_SCHEMA_VERSION, openDatabase, openStore, StoreError } from '../../electron/store';
import { APPLICATION_ID } from '../../electron/store/db';
import { applyMigrations, MIGRATIONS, type Migration } from '../../electron/store/migrations';
import { tempDir, trackStore } from './fixtures';

function pragma(db: BetterSqlite3.Database, name: string): unknown {
  return db.pragma(name, { simple: true });
}

describe('openDatabase', () => {
  it('creates the schema on an empty file, with the pragmas set', () => {
    const path = join(tempDir(), 'nested', 'dir', 'data.sqlite');
    const db = openDatabase(path);
    try {
      expect(existsSync(path)).toBe(true);
      expect(pragma(db, 'user_version')).toBe(LATEST_SCHEMA_VERSION);
      expect(pragma(db, 'application_id')).toBe(APPLICATION_ID);
      expect(pragma(db, 'journal_mode')).toBe('wal');
      expect(pragma(db, 'synchronous')).toBe(1); // NORMAL
      expect(pragma(db, 'foreign_keys')).toBe(1);
      expect(pragma(db, 'busy_timeout')).toBe(5000);
      expect(pragma(db, 'encoding')).toBe('UTF-8');
      const names = db.prepare("SELECT name FROM sqlite_schema WHERE type IN ('table', 'index') AND name NOT LIKE 'sqlite_%'").pluck().all();
      expect(names).toEqual(
        expect.arrayContaining(['connections', 'mappings', 'objects', 'runs', 'logs', 'settings', 'runs_by_mapping', 'logs_by_mapping', 'logs_by_run']),
      );
      expect(db.pragma('foreign_key_check')).toEqual([]);
    } finally {
      db.close();
    }
  });

  it('opens an in-memory database without WAL', () => {
    const db = openDatabase(':memory:');
    expect(pragma(db, 'journal_mode')).toBe('memory');
    expect(pragma(db, 'user_version')).toBe(LATEST_SCHEMA_VERSION);
    db.close();
  });

  it('reopens an up-to-date database without changing it, keeping its data', () => {
    const path = join(tempDir(), 'data.sqlite');
    const first = openStore(path);
    first.settings.set('theme', 'dark');
    first.close();
    const before = readFileSync(path);

    const second = trackStore(openStore(path));
    expect(second.settings.get('theme', 'light')).toBe('dark');
    second.close();
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it('refuses a database written by a newer version and leaves the file untouched', () => {
    const path = join(tempDir(), 'data.sqlite');
    openStore(path).close();
    const raw = new BetterSqlite3(path);
    raw.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 3}`);
    raw.close();
    const before = readFileSync(path);

    expect(() => openDatabase(path)).toThrow(
      `database ${path} was written by a newer version of Cloud Data Sync (schema ${LATEST_SCHEMA_VERSION + 3}, ` +
        `this version knows up to ${LATEST_SCHEMA_VERSION}); upgrade the app or point databasePath at another file`,
    );
    expect(() => openStore(path)).toThrow(expect.objectContaining({ code: 'NewerSchema' }));
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it('refuses a file that is not a SQLite database, naming the path', () => {
    const path = join(tempDir(), 'config.json');
    writeFileSync(path, JSON.stringify({ providers: [], mappings: [] }).repeat(20));
    const before = readFileSync(path);
    let error: unknown;
    try {
      openDatabase(path);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).code).toBe('NotADatabase');
    expect((error as StoreError).message).toContain(path);
    expect((error as StoreError).message).toContain('not a SQLite database');
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it('reports a file it cannot open, naming the path', () => {
    const missing = join(tempDir(), 'missing.sqlite');
    expect(() => openDatabase(missing, { readonly: true })).toThrow(expect.objectContaining({ code: 'CannotOpen', message: expect.stringContaining(missing) }));
    expect(existsSync(missing)).toBe(false);
    const path = join(tempDir(), 'data.sqlite');
    expect(() => openDatabase(path, { nativeBinding: join(tempDir(), 'nope.node') })).toThrow(expect.objectContaining({ code: 'CannotOpen' }));
  });

  it("refuses another program's SQLite database instead of adding tables to it", () => {
    const path = join(tempDir(), 'other.sqlite');
    const raw = new BetterSqlite3(path);
    raw.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)');
    raw.close();
    expect(() => openDatabase(path)).toThrow(expect.objectContaining({ code: 'NotADatabase', message: expect.stringContaining(path) }));

    const tagged = join(tempDir(), 'tagged.sqlite');
    const raw2 = new BetterSqlite3(tagged);
    raw2.pragma('application_id = 1234');
    raw2.close();
    expect(() => openDatabase(tagged)).toThrow(/another program/);
  });

  it('opens read-only without writing, and refuses a schema it would have to migrate', () => {
    const dir = tempDir();
    const path = join(dir, 'data.sqlite');
    openStore(path).close();
    const db = openDatabase(path, { readonly: true });
    expect(db.readonly).toBe(true);
    expect(pragma(db, 'user_version')).toBe(LATEST_SCHEMA_VERSION);
    db.close();

    const empty = join(dir, 'empty.sqlite');
    writeFileSync(empty, '');
    expect(() => openDatabase(empty, { readonly: true })).toThrow(expect.objectContaining({ code: 'NeedsUpgrade' }));
  });
});

describe('migrations', () => {
  it('are numbered 1..n in order', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    expect(LATEST_SCHEMA_VERSION).toBe(MIGRATIONS.length);
  });

  it('apply only the pending steps when the app learns a new one', () => {
    const path = join(tempDir(), 'data.sqlite');
    const v1: Migration[] = [{ version: 1, description: 'a', up: (db) => db.exec('CREATE TABLE a (x)') }];
    const v2: Migration[] = [...v1, { version: 2, description: 'b', up: (db) => db.exec('CREATE TABLE b (x)') }];
    openDatabase(path, { migrations: v1 }).close();
    const db = openDatabase(path, { migrations: v2 });
    expect(pragma(db, 'user_version')).toBe(2);
    expect(db.prepare('SELECT name FROM sqlite_schema ORDER BY name').pluck().all()).toEqual(['a', 'b']);
    db.close();
  });

  it('apply all pending steps in one transaction: a failing step leaves the database as it was', () => {
    const db = new BetterSqlite3(':memory:');
    const steps: Migration[] = [
      { version: 1, description: 'ok', up: (d) => d.exec('CREATE TABLE first (x)') },
      { version: 2, description: 'broken', up: (d) => d.exec('CREATE TABLE second (x); SELECT * FROM missing_table') },
    ];
    expect(() => applyMigrations(db, steps, APPLICATION_ID)).toThrow(/missing_table/);
    expect(pragma(db, 'user_version')).toBe(0);
    expect(pragma(db, 'application_id')).toBe(0);
    expect(db.prepare('SELECT count(*) FROM sqlite_schema').pluck().get()).toBe(0);
    db.close();
  });

  it('reject a list with gaps', () => {
    const db = new BetterSqlite3(':memory:');
    expect(() => applyMigrations(db, [{ version: 2, description: 'x', up: () => {} }], APPLICATION_ID)).toThrow(/out of order/);
    db.close();
  });
});
