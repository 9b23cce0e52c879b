/** Opens the database (SQLite file by default, PostgreSQL with DATABASE_URL) and migrates it. */
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { Database, Db } from './database.js';
import { handleOf, queries, type Queries } from './kysely.js';
import { PolkuMigrations, type Dialect } from './migrations/index.js';

export interface DatabaseOptions {
  dataDir: string;
  databaseUrl?: string | undefined;
  sqliteSynchronous?: 'FULL' | 'NORMAL';
}

export interface OpenDatabase {
  db: Db;
  dialect: Dialect;
}

/** Opens and migrates the database described by `options`. */
export async function openDatabase(options: DatabaseOptions): Promise<OpenDatabase> {
  const { db, dialect } = connect(options);
  await migrate(db, dialect);
  return { db: handleOf(db), dialect };
}

/** Closes the database's connections (the handle is unusable afterwards). */
export async function closeDatabase(db: Db): Promise<void> {
  await queries(db).destroy();
}

function connect(options: DatabaseOptions): { db: Queries; dialect: Dialect } {
  if (options.databaseUrl) {
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 10 });
    // An idle client losing its connection must not crash the process; the pool replaces it.
    pool.on('error', () => undefined);
    return { db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), dialect: 'postgres' };
  }
  fs.mkdirSync(options.dataDir, { recursive: true });
  const file = new SQLite(path.join(options.dataDir, 'polku.sqlite'));
  file.pragma('journal_mode = WAL');
  file.pragma(`synchronous = ${options.sqliteSynchronous ?? 'FULL'}`);
  file.pragma('foreign_keys = ON');
  file.pragma('busy_timeout = 5000');
  return { db: new Kysely<Database>({ dialect: new SqliteDialect({ database: file }) }), dialect: 'sqlite' };
}

async function migrate(db: Queries, dialect: Dialect): Promise<void> {
  const migrator = new Migrator({ db, provider: new PolkuMigrations(dialect) });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(`Database migration failed${failed ? ` at ${failed.migrationName}` : ''}: ${String(error)}`);
  }
}
