// Runs one CLI command against DATABASE_URL: config, migrations, one transaction as the operator.
import { type Config, loadConfig } from '../config';
import type { Ctx } from '../domain/context';
import { operator } from '../domain/principal';
import { type Db, migrateLatest, openDb } from '../db/knex';
import { unitOfWork } from '../db/unitOfWork';

export interface CliEnv {
  config: Config;
  db: Db;
}

export async function withDb<T>(fn: (env: CliEnv) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const db = openDb({ url: config.databaseUrl, poolMax: 2 });
  try {
    await migrateLatest(db);
    return await fn({ config, db });
  } finally {
    await db.destroy();
  }
}

/** One operator transaction: the command's writes and audit rows commit together. */
export async function asOperator<T>(fn: (ctx: Ctx, env: CliEnv) => Promise<T>): Promise<T> {
  return withDb((env) => unitOfWork(env.db, (tx) => fn({ tx, actor: operator('cli'), now: new Date() }, env)));
}

export const scimBaseUrl = (config: Config): string => `${config.publicUrl}/scim/v2`;
