import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { copyPgliteTemplate } from './pglite-template';

/** `embedded`: PGlite in a fresh DATA_DIR. `postgres`: a fresh database on TEST_DATABASE_URL's server. */
export type DatabaseTarget = 'embedded' | 'postgres';

export interface TestDatabase {
  readonly target: DatabaseTarget;
  /** A fresh temporary directory (config writes its development key there even on a server). */
  readonly dataDir: string;
  /** Overrides for `loadConfig({...})`: DATA_DIR, plus DATABASE_URL for the `postgres` target. */
  readonly env: Record<string, string>;
  /** Drops the database (`WITH (FORCE)`) and deletes the DATA_DIR. Close the apps using it first. */
  cleanup(): Promise<void>;
}

/**
 * The targets every database integration spec runs against: `embedded` always, `postgres` when
 * TEST_DATABASE_URL is set. In CI (`CI=true`) a missing server is a failure, not a skip.
 */
export function databaseTargets(): DatabaseTarget[] {
  if (testDatabaseUrl() !== undefined) {
    return ['embedded', 'postgres'];
  }
  if (process.env.CI === 'true') {
    throw new Error(
      'TEST_DATABASE_URL is not set: in CI the tests against a real PostgreSQL server must run, not be skipped.',
    );
  }
  return ['embedded'];
}

/** A database nobody else uses, for one spec (or one describe block). */
export async function createTestDatabase(target: DatabaseTarget): Promise<TestDatabase> {
  // Short on purpose: the embedded socket `<DATA_DIR>/.s.PGSQL.5432` must fit in 107 bytes.
  const dataDir = mkdtempSync(join(tmpdir(), 'hg-'));
  const removeDataDir = () => rm(dataDir, { recursive: true, force: true });
  try {
    return await (target === 'embedded' ? embedded(dataDir, removeDataDir) : onPostgres(dataDir, removeDataDir));
  } catch (error) {
    await removeDataDir();
    throw error;
  }
}

async function embedded(dataDir: string, removeDataDir: () => Promise<void>): Promise<TestDatabase> {
  await copyPgliteTemplate(join(dataDir, 'pgdata'));
  return { target: 'embedded', dataDir, env: { DATA_DIR: dataDir }, cleanup: removeDataDir };
}

async function onPostgres(dataDir: string, removeDataDir: () => Promise<void>): Promise<TestDatabase> {
  const serverUrl = testDatabaseUrl();
  if (serverUrl === undefined) {
    throw new Error(
      'The postgres test target needs TEST_DATABASE_URL, e.g. postgres://postgres@127.0.0.1:5432/postgres',
    );
  }
  const name = `hg_test_${randomBytes(6).toString('hex')}`;
  await onServer(serverUrl, `CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    target: 'postgres',
    dataDir,
    env: { DATA_DIR: dataDir, DATABASE_URL: url.toString() },
    cleanup: async () => {
      await onServer(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await removeDataDir();
    },
  };
}

function testDatabaseUrl(): string | undefined {
  const url = process.env.TEST_DATABASE_URL?.trim();
  return url === '' ? undefined : url;
}

async function onServer(url: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
