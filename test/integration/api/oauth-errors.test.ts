// The token endpoint answers malformed client authentication as RFC 6749 §5.2 says: 400
// invalid_request for a request it cannot read, 401 invalid_client for credentials that do not
// authenticate, and never a 500, whatever an attacker puts in the Authorization header.
import { createOAuthClient } from '../../../src/domain/oauthClients';
import { startTestApp, type TestApp } from '../../helpers/app';
import { asOp } from '../../helpers/ctx';
import { DIALECTS } from '../../helpers/db';
import { scimAccount } from '../../helpers/scim';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

describe.each(DIALECTS)('POST /oauth/token with malformed client authentication [%s]', (dialect) => {
  let app: TestApp;
  let client: { clientId: string; clientSecret: string };

  beforeAll(async () => {
    app = await startTestApp(dialect);
    const scim = await scimAccount(app.rt.db, app.url, { name: 'OAuth Errors' });
    client = await asOp(app.rt.db, (ctx) => createOAuthClient(ctx, { accountId: scim.accountId }));
  });
  afterAll(() => app.close());

  const token = async (authorization: string | undefined, body = 'grant_type=client_credentials', contentType = 'application/x-www-form-urlencoded') => {
    const res = await fetch(`${app.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': contentType, ...(authorization ? { authorization } : {}) },
      body,
    });
    return { status: res.status, body: (await res.json()) as { error: string; error_description?: string }, cacheControl: res.headers.get('cache-control') };
  };

  it('answers 400 invalid_request to an Authorization header it cannot read', async () => {
    const cases: Record<string, string> = {
      'not base64': 'Basic %%%',
      'base64 with junk': 'Basic abc$def==',
      'base64 without a colon': `Basic ${b64('client-without-secret')}`,
      'bad percent-encoding in the client id': `Basic ${b64(`%E0%A4%A:${client.clientSecret}`)}`,
      'bad percent-encoding in the secret': `Basic ${b64(`${client.clientId}:%zz`)}`,
      'a lone %': `Basic ${b64(`${client.clientId}:abc%`)}`,
      'Basic without credentials': 'Basic',
      'two tokens': 'Basic abc def',
    };
    for (const [name, header] of Object.entries(cases)) {
      const r = await token(header);
      expect([name, r.status, r.body.error]).toEqual([name, 400, 'invalid_request']);
      expect(r.cacheControl).toBe('no-store');
    }
  });

  it('answers 400 invalid_request when the client authenticates twice (Basic and the form)', async () => {
    const r = await token(
      `Basic ${b64(`${client.clientId}:${client.clientSecret}`)}`,
      `grant_type=client_credentials&client_secret=${encodeURIComponent(client.clientSecret)}`,
    );
    expect([r.status, r.body.error]).toEqual([400, 'invalid_request']);
  });

  it('answers 400 invalid_request to a body it cannot parse', async () => {
    const bad = await token(undefined, '{"grant_type":', 'application/json');
    expect([bad.status, bad.body.error]).toEqual([400, 'invalid_request']);
    const huge = await token(undefined, `grant_type=client_credentials&x=${'y'.repeat(20_000)}`);
    expect([huge.status, huge.body.error]).toEqual([413, 'invalid_request']);
  });

  it('answers 401 invalid_client to well-formed credentials that do not authenticate', async () => {
    for (const header of [`Basic ${b64(`${client.clientId}:wrong`)}`, `Basic ${b64(`unknown-client:${client.clientSecret}`)}`, `Basic ${b64(':')}`]) {
      const r = await token(header);
      expect([header, r.status, r.body.error]).toEqual([header, 401, 'invalid_client']);
    }
  });

  it('still issues a token to percent-encoded credentials (RFC 6749 §2.3.1) and to form credentials', async () => {
    const encoded = `Basic ${b64(`${encodeURIComponent(client.clientId)}:${encodeURIComponent(client.clientSecret)}`)}`;
    expect((await token(encoded)).status).toBe(200);
    const form = await token(
      undefined,
      `grant_type=client_credentials&client_id=${encodeURIComponent(client.clientId)}&client_secret=${encodeURIComponent(client.clientSecret)}`,
    );
    expect(form.status).toBe(200);
  });
});
