/**
 * The databases every database test runs against: real SQLite (a temporary file) and real
 * PostgreSQL (a fresh database per suite on the local server). POLKU_TEST_DATABASES narrows
 * the list (e.g. `sqlite`); the default is both.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

export type TestDialect = 'sqlite' | 'postgres';

export const POSTGRES_ADMIN_URL = process.env.POLKU_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export function testDialects(): TestDialect[] {
  const wanted = (process.env.POLKU_TEST_DATABASES ?? 'sqlite,postgres').split(',').map((s) => s.trim());
  return (['sqlite', 'postgres'] as const).filter((d) => wanted.includes(d));
}

export interface TestDatabase {
  dialect: TestDialect;
  /** Environment for the server: POLKU_DATA_DIR and, for PostgreSQL, DATABASE_URL. */
  env: Record<string, string>;
  dataDir: string;
  drop(): Promise<void>;
}

/** Creates an empty database of `dialect` for one suite. */
export async function createTestDatabase(dialect: TestDialect): Promise<TestDatabase> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'polku-test-'));
  if (dialect === 'sqlite') {
    return {
      dialect,
      dataDir,
      env: { POLKU_DATA_DIR: dataDir },
      drop: async () => fs.rmSync(dataDir, { recursive: true, force: true })
    };
  }
  const name = `polku_t_${crypto.randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    dialect,
    dataDir,
    env: { POLKU_DATA_DIR: dataDir, DATABASE_URL: url.toString() },
    drop: async () => {
      const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  };
}
