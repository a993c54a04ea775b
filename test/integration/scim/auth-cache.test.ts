// SCIM's authentication cache across processes: a verified credential is trusted for
// SCIM_AUTH_CACHE_MS without a lookup, and a revocation or rotation committed anywhere (another
// serve process, the CLI) empties every process's entries for that account at once (Redis).
import * as oidc from 'openid-client';
import { createOAuthClient, revokeOAuthClient, rotateOAuthClient } from '../../../src/domain/oauthClients';
import { createScimToken, revokeScimToken } from '../../../src/domain/scimTokens';
import { createCommandRedis } from '../../../src/queue/connection';
import { CredentialChanges } from '../../../src/queue/credentialChanges';
import { findRedisServer, startPrivateRedis } from '../../../src/queue/privateRedis';
import { createLogger } from '../../../src/logger';
import { REDIS_URL, startTestApp, type TestApp } from '../../helpers/app';
import { cli } from '../../helpers/cli';
import { asOp } from '../../helpers/ctx';
import { DIALECTS } from '../../helpers/db';
import { scimAccount, scimClientFor, type ScimClient } from '../../helpers/scim';

/** Polls until the credential is refused; how long that took (ms), or Infinity after `withinMs`. */
async function refusedAfter(c: ScimClient, withinMs: number): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < withinMs) {
    if ((await c.req('GET', '/Users?count=1')).status === 401) return Date.now() - started;
    await new Promise((r) => setTimeout(r, 10));
  }
  return Infinity;
}

describe.each(DIALECTS)('SCIM auth cache across processes [%s]', (dialect) => {
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    a = await startTestApp(dialect);
    // A second serve process on the same database and deployment (queue prefix, Redis).
    b = await startTestApp(dialect, { env: { DATABASE_URL: a.rt.config.databaseUrl, QUEUE_PREFIX: a.rt.config.queuePrefix } });
    await waitLive(a);
    await waitLive(b);
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('keeps a verified token longer than a second, and forgets the account the moment another process revokes one of its tokens', async () => {
    const t = await scimAccount(a.rt.db, a.url, { name: 'Cached' });
    const second = await asOp(a.rt.db, (ctx) => createScimToken(ctx, t.accountId, 'second'));
    const viaB = scimClientFor(b.url, t.token, t.accountId);
    const secondViaB = scimClientFor(b.url, second.token, t.accountId);
    expect((await viaB.req('GET', '/Users')).status).toBe(200);
    expect((await secondViaB.req('GET', '/Users')).status).toBe(200);

    // Revoked behind the product's back (no announcement): process B still trusts its cached answer.
    await a.rt
      .db('scim_tokens')
      .where({ account_id: t.accountId, id: (await tokenIdOf(a, t.accountId, 'second'))! })
      .update({ revoked_at: new Date().toISOString() });
    await new Promise((r) => setTimeout(r, 1200));
    expect((await secondViaB.req('GET', '/Users')).status).toBe(200);

    // Revoked through the product in process A: B forgets the account's entries at once.
    const firstId = (await a.rt.db('scim_tokens').where({ account_id: t.accountId }).whereNot({ id: second.id }).first('id')).id as string;
    await asOp(a.rt.db, (ctx) => revokeScimToken(ctx, t.accountId, firstId));
    expect(await refusedAfter(viaB, 1000)).toBeLessThan(1000);
    expect((await secondViaB.req('GET', '/Users')).status).toBe(401);
    expect((await scimClientFor(a.url, t.token, t.accountId).req('GET', '/Users')).status).toBe(401);
  });

  it('hears a revocation made with the CLI', async () => {
    const t = await scimAccount(a.rt.db, a.url, { name: 'Revoked by CLI' });
    const viaB = scimClientFor(b.url, t.token, t.accountId);
    expect((await viaB.req('GET', '/Users')).status).toBe(200);
    const id = (await a.rt.db('scim_tokens').where({ account_id: t.accountId }).first('id')).id as string;
    const env = { DATABASE_URL: a.rt.config.databaseUrl, REDIS_URL, QUEUE_PREFIX: a.rt.config.queuePrefix, DATA_DIR: a.rt.config.dataDir, LOG_LEVEL: 'silent' };
    const r = cli(['scim-token', 'revoke', '--account', t.accountId, '--token', id, '--json'], env);
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(await refusedAfter(viaB, 1000)).toBeLessThan(1000);
  });

  it('forgets an OAuth access token when its client is rotated or revoked in another process', async () => {
    const t = await scimAccount(a.rt.db, a.url, { name: 'OAuth cached' });
    const client = await asOp(a.rt.db, (ctx) => createOAuthClient(ctx, { accountId: t.accountId }));
    const config = new oidc.Configuration({ issuer: b.url, token_endpoint: `${b.url}/oauth/token` }, client.clientId, client.clientSecret);
    oidc.allowInsecureRequests(config);
    const { access_token } = await oidc.clientCredentialsGrant(config, { scope: 'scim' });
    const viaB = scimClientFor(b.url, access_token, t.accountId);
    expect((await viaB.req('GET', '/Users')).status).toBe(200);
    const heard: Array<string | null> = [];
    const stop = b.rt.credentialChanges.listen((id) => heard.push(id));
    try {
      await asOp(a.rt.db, (ctx) => rotateOAuthClient(ctx, { accountId: t.accountId, clientId: client.clientId }));
      await until(() => heard.includes(t.accountId));
      // Rotation keeps issued tokens (they run out within the hour) but they are checked again: still valid.
      expect((await viaB.req('GET', '/Users')).status).toBe(200);
      await asOp(a.rt.db, (ctx) => revokeOAuthClient(ctx, { accountId: t.accountId, clientId: client.clientId }));
      expect(await refusedAfter(viaB, 1000)).toBeLessThan(1000);
    } finally {
      stop();
    }
  });
});

describe('credential change announcements', () => {
  it('are live only while subscribed: a lost Redis empties the caches and keeps them short until it is back', async () => {
    const binary = findRedisServer();
    if (!binary) throw new Error('redis-server is needed for this test (apt-get install redis-server)');
    const redis = await startPrivateRedis(binary);
    const log = createLogger('silent');
    const command = createCommandRedis(redis.url);
    command.on('error', () => undefined);
    await command.connect();
    const changes = new CredentialChanges(command, redis.url, 'test:credentials-changed', log);
    const heard: Array<string | null> = [];
    changes.listen((id) => heard.push(id));
    try {
      await until(() => changes.live);
      expect(heard).toEqual([null]); // subscribed: start from nothing cached
      changes.announce('acct-1');
      await until(() => heard.filter((h) => h === 'acct-1').length === 2); // heard at once here, and back through Redis
      await redis.stop();
      await until(() => !changes.live);
      expect(heard.at(-1)).toBeNull();
    } finally {
      await changes.close();
      command.disconnect();
      await redis.stop();
    }
  });

  it('are never live on a private redis-server no other process can reach', async () => {
    const command = createCommandRedis(REDIS_URL);
    command.on('error', () => undefined);
    const changes = new CredentialChanges(command, REDIS_URL, 'test:private', createLogger('silent'), false);
    const heard: Array<string | null> = [];
    changes.listen((id) => heard.push(id));
    changes.announce('acct-2');
    await new Promise((r) => setTimeout(r, 300));
    expect([changes.live, heard]).toEqual([false, ['acct-2']]);
    await changes.close();
    command.disconnect();
  });
});

async function tokenIdOf(app: TestApp, accountId: string, label: string): Promise<string | undefined> {
  return ((await app.rt.db('scim_tokens').where({ account_id: accountId, label }).first('id')) as { id: string } | undefined)?.id;
}

async function until(check: () => boolean, withinMs = 5000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > withinMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The app's SCIM router subscribes when it is built; wait until it hears announcements. */
async function waitLive(app: TestApp): Promise<void> {
  await until(() => app.rt.credentialChanges.live);
}
