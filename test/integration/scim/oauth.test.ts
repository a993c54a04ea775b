// OAuth 2.0 client credentials for SCIM, exercised with a real client library (openid-client):
// tokens scoped to one account and to SCIM; expiry, wrong audience, revoked client, forged tokens.
import * as oidc from 'openid-client';
import { SignJWT } from 'jose';
import { createOAuthClient, revokeOAuthClient, rotateOAuthClient } from '../../../src/domain/oauthClients';
import { tokenKey } from '../../../src/http/oauth';
import { startTestApp, type TestApp } from '../../helpers/app';
import { asOp } from '../../helpers/ctx';
import { DIALECTS } from '../../helpers/db';
import { scimAccount, scimClientFor, userBody, type ScimClient } from '../../helpers/scim';

describe.each(DIALECTS)('SCIM with OAuth 2.0 client credentials [%s]', (dialect) => {
  let app: TestApp;
  let offset = 0;
  let a: ScimClient;
  let b: ScimClient;

  beforeAll(async () => {
    app = await startTestApp(dialect, { now: () => new Date(Date.now() + offset) });
    a = await scimAccount(app.rt.db, app.url, { name: 'Client A' });
    b = await scimAccount(app.rt.db, app.url, { name: 'Client B', mspId: a.mspId });
  });
  afterAll(() => app.close());

  const configFor = (clientId: string, clientSecret: string) => {
    const config = new oidc.Configuration({ issuer: app.url, token_endpoint: `${app.url}/oauth/token` }, clientId, clientSecret);
    oidc.allowInsecureRequests(config); // the test server speaks plain http on loopback
    return config;
  };
  const grant = async (clientId: string, clientSecret: string) => oidc.clientCredentialsGrant(configFor(clientId, clientSecret), { scope: 'scim' });

  it('issues a short-lived token (openid-client) that provisions only its own account', async () => {
    const c = await asOp(app.rt.db, (ctx) => createOAuthClient(ctx, { accountId: a.accountId, label: 'Entra gallery app' }));
    const tokens = await grant(c.clientId, c.clientSecret);
    expect(tokens.token_type).toBe('bearer');
    expect(tokens.expires_in).toBe(3600);
    const viaToken = scimClientFor(app.url, tokens.access_token, a.accountId);
    const created = await viaToken.req<{ id: string }>('POST', '/Users', userBody('oauth.user@a.example'));
    expect(created.status).toBe(201);
    // The same person is not visible to account B, and B's token cannot reach A's user.
    expect((await b.req<{ totalResults: number }>('GET', `/Users?filter=${encodeURIComponent('userName eq "oauth.user@a.example"')}`)).body.totalResults).toBe(
      0,
    );
    expect((await b.req('GET', `/Users/${created.body.id}`)).status).toBe(404);
    const theirs = await b.req<{ id: string }>('POST', '/Users', userBody('b.user@b.example'));
    expect((await viaToken.req('GET', `/Users/${theirs.body.id}`)).status).toBe(404);
    const log = await app.rt.db('audit_events').where({ account_id: a.accountId, action: 'scim.user.created' }).first();
    expect(log.actor_label).toBe(`oauth:${c.clientId}`);
    // The secret is stored only as a hash.
    expect(JSON.stringify(await app.rt.db('oauth_clients'))).not.toContain(c.clientSecret);
  });

  it('refuses the token once it expired', async () => {
    const c = await asOp(app.rt.db, (ctx) => createOAuthClient(ctx, { accountId: a.accountId }));
    const { access_token } = await grant(c.clientId, c.clientSecret);
    const s = scimClientFor(app.url, access_token, a.accountId);
    expect((await s.req('GET', '/Users')).status).toBe(200);
    offset = 3601 * 1000;
    try {
      await new Promise((r) => setTimeout(r, 50)); // the cache ends with the token's own expiry (on the app's clock)
      const expired = await s.req('GET', '/Users');
      expect(expired.status).toBe(401);
      expect(expired.body).toMatchObject({ status: '401', detail: expect.stringMatching(/not valid/) });
    } finally {
      offset = 0;
    }
  });

  it('refuses a token with the wrong audience, issuer, algorithm or signature', async () => {
    const now = Math.floor(Date.now() / 1000);
    const sign = (aud: string, iss: string, key = tokenKey(app.rt.secret)) =>
      new SignJWT({ acc: a.accountId, scope: 'scim' })
        .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' })
        .setIssuer(iss)
        .setAudience(aud)
        .setSubject('msb_client_x')
        .setIssuedAt(now)
        .setExpirationTime(now + 600)
        .sign(key);
    const cases = [
      await sign(`${app.url}/api/v1`, app.url),
      await sign(`${app.url}/scim/v2`, 'https://evil.example'),
      await sign(`${app.url}/scim/v2`, app.url, new Uint8Array(32)),
      `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt' })).toString('base64url')}.${Buffer.from(JSON.stringify({ acc: a.accountId, scope: 'scim', aud: `${app.url}/scim/v2`, iss: app.url, sub: 'x', exp: now + 600 })).toString('base64url')}.`,
    ];
    for (const token of cases) {
      const r = await scimClientFor(app.url, token, a.accountId).req('GET', '/Users');
      expect(r.status).toBe(401);
    }
    // A validly signed token for a client that does not exist (or of another account) is refused too.
    const forged = await sign(`${app.url}/scim/v2`, app.url);
    expect((await scimClientFor(app.url, forged, a.accountId).req('GET', '/Users')).status).toBe(401);
  });

  it('stops a revoked client at once (new grants and tokens already issued), and rotation retires the old secret', async () => {
    const c = await asOp(app.rt.db, (ctx) => createOAuthClient(ctx, { accountId: a.accountId }));
    const { access_token } = await grant(c.clientId, c.clientSecret);
    const rotated = await asOp(app.rt.db, (ctx) => rotateOAuthClient(ctx, { accountId: a.accountId, clientId: c.clientId }));
    await expect(grant(c.clientId, c.clientSecret)).rejects.toThrow();
    const fresh = await grant(c.clientId, rotated.clientSecret);
    expect((await scimClientFor(app.url, fresh.access_token, a.accountId).req('GET', '/Users')).status).toBe(200);
    await asOp(app.rt.db, (ctx) => revokeOAuthClient(ctx, { accountId: a.accountId, clientId: c.clientId }));
    expect((await scimClientFor(app.url, access_token, a.accountId).req('GET', '/Users')).status).toBe(401);
    expect((await scimClientFor(app.url, fresh.access_token, a.accountId).req('GET', '/Users')).status).toBe(401);
    await expect(grant(c.clientId, rotated.clientSecret)).rejects.toThrow();
  });

  it('answers the token endpoint’s errors as RFC 6749 says', async () => {
    const post = (body: string, headers: Record<string, string> = {}) =>
      fetch(`${app.url}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body });
    const wrongGrant = await post('grant_type=password&username=x&password=y');
    expect([wrongGrant.status, ((await wrongGrant.json()) as { error: string }).error]).toEqual([400, 'unsupported_grant_type']);
    const noClient = await post('grant_type=client_credentials');
    expect(noClient.status).toBe(401);
    expect(noClient.headers.get('www-authenticate')).toMatch(/^Basic/);
    const badScope = await post('grant_type=client_credentials&scope=admin', { authorization: `Basic ${Buffer.from('x:y').toString('base64')}` });
    expect(((await badScope.json()) as { error: string }).error).toBe('invalid_scope');
    const wrong = await post(`grant_type=client_credentials&client_id=msb_client_nope&client_secret=nope`);
    expect([wrong.status, ((await wrong.json()) as { error: string }).error]).toEqual([401, 'invalid_client']);
  });
});
