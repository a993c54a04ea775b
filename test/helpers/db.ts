// Fresh databases for tests: a temp SQLite file, or a new PostgreSQL schema; the same spec runs on both.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Db, migrateLatest, openDb } from '../../src/db/knex';

export const DIALECTS = ['sqlite', 'postgres'] as const;
export type Dialect = (typeof DIALECTS)[number];

export const PG_URL = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDb {
  dialect: Dialect;
  url: string;
  db: Db;
  cleanup(): Promise<void>;
}

export function testDbUrl(dialect: Dialect): { url: string; drop: () => Promise<void> } {
  const tag = `t_${crypto.randomBytes(6).toString('hex')}`;
  if (dialect === 'sqlite') {
    const file = path.join(os.tmpdir(), `mspbridge-${tag}.sqlite`);
    return {
      url: `sqlite:${file}`,
      drop: async () => {
        for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
      },
    };
  }
  const url = `${PG_URL}?schema=${tag}`;
  return {
    url,
    drop: async () => {
      const admin = openDb({ url: PG_URL, poolMax: 1 });
      try {
        await admin.raw(`drop schema if exists ${tag} cascade`);
      } finally {
        await admin.destroy();
      }
    },
  };
}

export async function freshDb(dialect: Dialect, poolMax = 10): Promise<TestDb> {
  const { url, drop } = testDbUrl(dialect);
  const db = openDb({ url, poolMax });
  await migrateLatest(db);
  return {
    dialect,
    url,
    db,
    cleanup: async () => {
      await db.destroy();
      await drop();
    },
  };
}

/** describe() once per database dialect, with a migrated database shared by the block. */
export function describeEachDb(name: string, body: (get: () => TestDb) => void): void {
  describe.each(DIALECTS)(`${name} [%s]`, (dialect) => {
    let t: TestDb | undefined;
    beforeAll(async () => {
      t = await freshDb(dialect);
    });
    afterAll(async () => {
      await t?.cleanup();
    });
    body(() => {
      if (!t) throw new Error('database not ready');
      return t;
    });
  });
}
