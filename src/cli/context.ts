// Runs one CLI command against DATABASE_URL: config, migrations, one transaction as the operator.
import { type Config, loadConfig } from '../config';
import type { Ctx } from '../domain/context';
import { operator } from '../domain/principal';
import { onCredentialChanges } from '../domain/scimTokens';
import { type Db, migrateLatest, openDb } from '../db/knex';
import { unitOfWork } from '../db/unitOfWork';
import { DEFAULT_REDIS_URL } from '../queue/connection';
import { publishCredentialChanges } from '../queue/credentialChanges';

export interface CliEnv {
  config: Config;
  db: Db;
}

export async function withDb<T>(fn: (env: CliEnv) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const db = openDb({ url: config.databaseUrl, poolMax: 2 });
  // A credential revoked here must also be forgotten by running servers, which cache verified ones.
  const changed = new Set<string>();
  const stop = onCredentialChanges(db, (accountId) => changed.add(accountId));
  try {
    await migrateLatest(db);
    return await fn({ config, db });
  } finally {
    stop();
    await db.destroy();
    if (changed.size) await tellServers(config, [...changed]);
  }
}

async function tellServers(config: Config, accountIds: string[]): Promise<void> {
  try {
    await publishCredentialChanges(config.redisUrl ?? DEFAULT_REDIS_URL, config.queuePrefix, accountIds);
  } catch (err) {
    process.stderr.write(
      `warning: running servers could not be told through Redis (${(err as Error).message}); ` +
        `they may accept the old credential for up to ${Math.ceil(config.scim.authCacheMs / 1000)} s\n`,
    );
  }
}

/** One operator transaction: the command's writes and audit rows commit together. */
export async function asOperator<T>(fn: (ctx: Ctx, env: CliEnv) => Promise<T>): Promise<T> {
  return withDb((env) => unitOfWork(env.db, (tx) => fn({ tx, actor: operator('cli'), now: new Date() }, env)));
}

export const scimBaseUrl = (config: Config): string => `${config.publicUrl}/scim/v2`;
