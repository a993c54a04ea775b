// docs/okta.md and docs/entra.md followed as a new MSP admin would: every command the guides tell
// the admin to run goes through the real `mspbridge` bin, and the IdP side is replayed with the
// requests Okta and Microsoft Entra ID send (the bodies of test/integration/scim/idp-replay.test.ts).
// The workers run too, so provisioned people really get their invitation emails. SQLite only.
import crypto from 'node:crypto';
import { signInWithLink, type ApiClient } from '../helpers/api';
import { startStack, type TestApp } from '../helpers/app';
import { cliAsync } from '../helpers/cli';
import { scimClientFor, type ScimClient } from '../helpers/scim';
import { startSmtp, type TestSmtp } from '../helpers/smtp';

interface MemberRow {
  id: string;
  email: string;
  state: string;
  groups: string[];
  held: Array<{ kind: string; group: string | null }>;
}
interface MappingRow {
  id: string;
  idpGroupId: string | null;
  idpExternalId: string | null;
  idpDisplayName: string | null;
  group: string;
  automatic: boolean;
}
interface MappingResult {
  dryRun: boolean;
  mapping: MappingRow;
  changes: Array<{ email: string; group: string; change: string }>;
}
interface LogEntry {
  method: string;
  path: string;
  status: number;
  idp: string | null;
  scimType: string | null;
  detail: string | null;
}
type Resource = { id: string; active?: boolean };
type List = { totalResults: number; Resources: Resource[] };

const enc = encodeURIComponent;
const OKTA = { 'user-agent': 'Okta SCIM Client 1.0.0' };
const ENTRA = { 'user-agent': 'Microsoft.Azure.ActiveDirectory/1.0' };
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

describe('the IdP setup guides, followed step by step [sqlite]', () => {
  let smtp: TestSmtp;
  let app: TestApp;
  let env: Record<string, string>;
  let msp: { id: string; signInUrl: string };
  let mspOwner: ApiClient;

  /**
   * `mspbridge <args> --json` as the guides print it, run as a child process without blocking this
   * one (the app under test lives in it and keeps answering the IdP meanwhile).
   */
  const mspbridge = async <T = Record<string, unknown>>(...args: string[]): Promise<T> => {
    const r = await cliAsync([...args, '--json'], env);
    if (r.status !== 0) throw new Error(`mspbridge ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    return JSON.parse(r.stdout) as T;
  };
  const membersOf = (account: string) => mspbridge<MemberRow[]>('members', 'list', '--account', account);

  const invitationFor = async (address: string) => {
    const until = Date.now() + 20_000;
    for (;;) {
      const m = smtp.mails.find((x) => x.to.includes(address));
      if (m) return m;
      if (Date.now() > until) throw new Error(`no invitation email for ${address}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  /** docs/troubleshooting.md: the request log through the API, as the MSP's Owner launched into the company. */
  const launches = new Map<string, ApiClient>();
  const requestLog = async (company: string, query = '') => {
    if (!launches.has(company)) {
      const launch = await mspOwner.req<{ token: string }>('POST', `/companies/${company}/launch`, { reason: 'SCIM troubleshooting' });
      expect(launch.status).toBe(201);
      launches.set(company, mspOwner.launched(launch.body.token));
    }
    const r = await launches.get(company)!.req<LogEntry[]>('GET', `/accounts/${company}/scim/requests${query}`);
    expect(r.status).toBe(200);
    return r.body;
  };
  /** The log is written in batches a moment after each request. */
  const logEntry = async (company: string, query: string, match: (e: LogEntry) => boolean) => {
    const until = Date.now() + 10_000;
    for (;;) {
      const hit = (await requestLog(company, query)).find(match);
      if (hit) return hit;
      if (Date.now() > until) throw new Error(`no such entry in the SCIM request log of ${company}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  beforeAll(async () => {
    smtp = await startSmtp();
    app = await startStack('sqlite', { smtpUrl: smtp.url });
    env = {
      DATABASE_URL: app.rt.config.databaseUrl,
      PUBLIC_URL: app.url,
      REDIS_URL: app.rt.redisUrl,
      QUEUE_PREFIX: app.rt.config.queuePrefix,
      DATA_DIR: app.rt.config.dataDir,
      LOG_LEVEL: 'silent',
    };
    msp = await mspbridge('msp', 'create', '--name', 'Guide IT', '--region', 'eu', '--owner-email', 'owner@guide-it.example');
    mspOwner = await signInWithLink(app.url, msp.signInUrl);
  });
  afterAll(async () => {
    await app?.close();
    await smtp?.close();
  });

  it('docs/okta.md: bearer token, people pushed and invited, groups pushed and mapped, failures read from the request log', async () => {
    // Prerequisites: the company exists and someone was already added to it by hand.
    const company = (await mspbridge<{ id: string }>('company', 'add', '--msp', msp.id, '--name', 'Okta Kunde GmbH', '--country', 'DE')).id;
    const [, { token, baseUrl }] = await Promise.all([
      mspbridge('members', 'invite', '--account', company, '--email', 'carla@okta-kunde.example'),
      // 1. Base URL and token, for Okta's Provisioning > Integration page.
      mspbridge<{ token: string; baseUrl: string }>('scim-token', 'create', '--account', company, '--label', 'Okta'),
    ]);
    expect(baseUrl).toBe(`${app.url}/scim/v2`);
    expect(token).toMatch(/^msb_scim_/);
    const okta: ScimClient = scimClientFor(app.url, token, company);
    expect(okta.base).toBe(baseUrl);
    const send = <T = Record<string, unknown>>(method: string, path: string, body?: unknown) => okta.req<T>(method, path, body, OKTA);

    // 2. The app integration: "Test Connector Configuration" reads users and groups.
    expect((await send('GET', '/Users?startIndex=1&count=2')).status).toBe(200);
    expect((await send('GET', '/Groups?startIndex=1&count=2')).status).toBe(200);

    // 3. Assign people: Okta looks each one up, then creates them.
    const push = async (email: string, given: string) => {
      const found = await send<List>('GET', `/Users?filter=${enc(`userName eq "${email}"`)}&startIndex=1&count=100`);
      expect(found.body.totalResults).toBe(0);
      return send<Resource>('POST', '/Users', {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        userName: email,
        name: { givenName: given, familyName: 'Kunde' },
        emails: [{ primary: true, value: email, type: 'work' }],
        displayName: `${given} Kunde`,
        locale: 'en-US',
        groups: [],
        password: 'okta-generated-1',
        active: true,
      });
    };
    const anna = await push('anna@okta-kunde.example', 'Anna');
    const ben = await push('ben@okta-kunde.example', 'Ben');
    expect([anna.status, ben.status]).toEqual([201, 201]);
    // ... and each of them is invited by email.
    expect((await invitationFor('anna@okta-kunde.example')).subject).toBe('You are invited to join Okta Kunde GmbH');

    // Failure table, 409: the person added by hand is refused until the account allows adopting her.
    const refused = await push('carla@okta-kunde.example', 'Carla');
    expect(refused.status).toBe(409);
    const logged = await logEntry(company, '?errors=true', (e) => e.status === 409);
    expect(logged).toMatchObject({
      method: 'POST',
      path: '/Users',
      idp: 'okta',
      scimType: 'uniqueness',
      detail: expect.stringContaining('adoptExistingMembers'),
    });
    // The same entry from the command line, with the request id that finds it in the process log.
    const fromCli = await mspbridge<Array<{ status: number; scimType: string; requestId: string }>>(
      'scim-log',
      '--account',
      company,
      '--errors',
      '--limit',
      '5',
    );
    expect(fromCli[0]).toMatchObject({ status: 409, scimType: 'uniqueness', requestId: expect.stringMatching(/^[\w-]{8,}$/) });
    await mspbridge('account', 'settings', '--account', company, '--adopt-existing-members', 'true');
    expect((await push('carla@okta-kunde.example', 'Carla')).status).toBe(201); // Okta's retry

    // 4. Push the groups: Okta creates each group, then adds its members.
    const pushGroup = async (displayName: string, members: Resource[]) => {
      const g = await send<Resource>('POST', '/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName, members: [] });
      expect(g.status).toBe(201);
      const add = await send('PATCH', `/Groups/${g.body.id}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'add', path: 'members', value: members.map((m) => ({ value: m.id })) }],
      });
      expect(add.status).toBe(204);
      return g.body.id;
    };
    const ownersGroup = await pushGroup('mspbridge Owners', [anna.body]);
    const adminsGroup = await pushGroup('mspbridge Administrators', [ben.body]);

    // 5. Map the groups: find their SCIM ids (until mapped, each is a custom group of its own),
    // preview, then apply.
    const mappings = await mspbridge<MappingRow[]>('mapping', 'list', '--account', company);
    expect(mappings).toEqual([
      expect.objectContaining({ idpDisplayName: 'mspbridge Owners', idpGroupId: ownersGroup, group: 'mspbridge Owners', automatic: true }),
      expect.objectContaining({ idpDisplayName: 'mspbridge Administrators', idpGroupId: adminsGroup, group: 'mspbridge Administrators', automatic: true }),
    ]);
    const preview = await mspbridge<MappingResult>('mapping', 'set', '--account', company, '--scim-group', ownersGroup, '--group', 'Owners', '--dry-run');
    expect(preview.dryRun).toBe(true);
    expect(preview.changes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ email: 'anna@okta-kunde.example', group: 'Owners', change: 'gain' }),
        expect.objectContaining({ email: 'anna@okta-kunde.example', group: 'mspbridge Owners', change: 'lose' }),
      ]),
    );
    await Promise.all([
      mspbridge('mapping', 'set', '--account', company, '--scim-group', ownersGroup, '--group', 'Owners'),
      mspbridge('mapping', 'set', '--account', company, '--scim-group', adminsGroup, '--group', 'Administrators'),
    ]);

    // What Okta sends later: Ben is deactivated with a path-less replace: suspended, not deleted.
    const off = await send<Resource>('PATCH', `/Users/${ben.body.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: false } }] });
    expect([off.status, off.body.active]).toEqual([200, false]);
    // Anna leaves "mspbridge Owners" while she is the only Owner: the change is held, not applied.
    const out = await send('PATCH', `/Groups/${ownersGroup}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'remove', path: `members[value eq "${anna.body.id}"]` }],
    });
    expect(out.status).toBe(204);
    const [after, drift] = await Promise.all([
      membersOf(company),
      mspbridge<{ held: Array<{ email: string; kind: string }> }>('mapping', 'drift', '--account', company),
    ]);
    expect(after.map((m) => [m.email, m.state, m.groups, m.held.map((h) => `${h.kind} ${h.group}`)])).toEqual([
      ['carla@okta-kunde.example', 'invited', [], []],
      ['anna@okta-kunde.example', 'invited', ['Owners'], ['remove_role Owners']],
      ['ben@okta-kunde.example', 'suspended', ['Administrators'], []],
    ]);
    expect(drift.held).toEqual([expect.objectContaining({ email: 'anna@okta-kunde.example', kind: 'remove_role' })]);

    // The request log names the IdP and holds no secret (Okta's password is redacted).
    const created = await logEntry(company, '?limit=100', (e) => e.method === 'POST' && e.path === '/Users' && e.status === 201);
    expect(created.idp).toBe('okta');
    expect(JSON.stringify(await requestLog(company, '?limit=500'))).not.toContain('okta-generated-1');
  }, 90_000);

  it('docs/entra.md: OAuth client credentials, groups mapped by Object ID before the first cycle, what each cycle sends', async () => {
    const company = (await mspbridge<{ id: string }>('company', 'add', '--msp', msp.id, '--name', 'Entra Kunde AG', '--country', 'AT')).id;
    const ownersObjectId = crypto.randomUUID(); // the Object ID Entra shows for the group
    const adminsObjectId = crypto.randomUUID();

    // 1. Credentials: the client for "OAuth2 client credentials grant" (and, the alternative, a
    // long-lived token for the "Secret Token" field).
    const [client, secret] = await Promise.all([
      mspbridge<{ clientId: string; clientSecret: string; tokenUrl: string; scimBaseUrl: string }>(
        'scim-client',
        'create',
        '--account',
        company,
        '--label',
        'Entra',
      ),
      mspbridge<{ token: string; baseUrl: string }>('scim-token', 'create', '--account', company, '--label', 'Entra secret token'),
    ]);
    expect(client).toMatchObject({ tokenUrl: `${app.url}/oauth/token`, scimBaseUrl: `${app.url}/scim/v2` });
    expect(secret.baseUrl).toBe(client.scimBaseUrl);

    // 2. Map the groups, here before the first cycle: Owners by the Entra group's Object ID.
    const early = await mspbridge<MappingResult>('mapping', 'set', '--account', company, '--scim-group', ownersObjectId, '--group', 'Owners', '--dry-run');
    expect(early).toMatchObject({ dryRun: true, changes: [], mapping: { idpGroupId: null, idpExternalId: ownersObjectId, group: 'Owners' } });
    await mspbridge('mapping', 'set', '--account', company, '--scim-group', ownersObjectId, '--group', 'Owners');

    // 3. The enterprise application. Entra gets an access token from the Token Endpoint.
    const tokenReply = await fetch(client.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret }).toString(),
    });
    expect(tokenReply.status).toBe(200);
    const grant = (await tokenReply.json()) as { access_token: string; token_type: string; expires_in: number };
    expect(grant).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
    const entra = scimClientFor(app.url, grant.access_token, company);
    expect(entra.base).toBe(client.scimBaseUrl);
    const send = <T = Record<string, unknown>>(method: string, path: string, body?: unknown) => entra.req<T>(method, path, body, ENTRA);

    // "Test Connection" looks for a user that does not exist; the secret token passes it too.
    const probe = `/Users?filter=${enc(`userName eq "${crypto.randomUUID()}"`)}`;
    expect((await send<List>('GET', probe)).body.totalResults).toBe(0);
    const withSecret = await scimClientFor(app.url, secret.token, company).req<List>('GET', probe, undefined, ENTRA);
    expect([withSecret.status, withSecret.body.totalResults]).toEqual([200, 0]);

    // "Start provisioning": the first cycle. Each assigned user: look up by userName, then create.
    const provision = async (upn: string, given: string, language: string) => {
      expect((await send<List>('GET', `/Users?filter=${enc(`userName eq "${upn}"`)}`)).body.totalResults).toBe(0);
      const r = await send<Resource>('POST', '/Users', {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'],
        externalId: upn.split('@')[0],
        userName: upn,
        active: true,
        displayName: `${given} Kunde`,
        emails: [{ primary: true, type: 'work', value: upn }],
        meta: { resourceType: 'User' },
        name: { formatted: `${given} Kunde`, familyName: 'Kunde', givenName: given },
        preferredLanguage: language,
        'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department: 'IT' },
      });
      expect(r.status).toBe(201);
      return r.body;
    };
    const dora = await provision('dora@entra-kunde.example', 'Dora', 'de-AT');
    const emil = await provision('emil@entra-kunde.example', 'Emil', 'en-US');
    // Invitations follow the person's preferredLanguage.
    expect((await invitationFor('dora@entra-kunde.example')).subject).toBe('Einladung zu Entra Kunde AG');

    // ... then each assigned group: look up by displayName, create with its Object ID as externalId, add members.
    const provisionGroup = async (displayName: string, objectId: string, members: Resource[]) => {
      const found = await send<List>('GET', `/Groups?excludedAttributes=members&filter=${enc(`displayName eq "${displayName}"`)}`);
      expect(found.body.totalResults).toBe(0);
      const g = await send<Resource>('POST', '/Groups', {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group', 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group'],
        externalId: objectId,
        displayName,
        meta: { resourceType: 'Group' },
      });
      expect(g.status).toBe(201);
      const add = await send('PATCH', `/Groups/${g.body.id}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'Add', path: 'members', value: members.map((m) => ({ $ref: null, value: m.id })) }],
      });
      expect(add.status).toBe(204);
      return g.body.id;
    };
    await provisionGroup('mspbridge Owners', ownersObjectId, [dora]);
    await provisionGroup('mspbridge Administrators', adminsObjectId, [emil]);

    // 2. again, after the first cycle: Administrators by Object ID. Until now Emil's group was a
    // custom group of its own.
    const preview = await mspbridge<MappingResult>(
      'mapping',
      'set',
      '--account',
      company,
      '--scim-group',
      adminsObjectId,
      '--group',
      'Administrators',
      '--dry-run',
    );
    expect(preview.changes.map((c) => [c.change, c.group, c.email])).toEqual(
      expect.arrayContaining([
        ['gain', 'Administrators', 'emil@entra-kunde.example'],
        ['lose', 'mspbridge Administrators', 'emil@entra-kunde.example'],
      ]),
    );
    await mspbridge('mapping', 'set', '--account', company, '--scim-group', adminsObjectId, '--group', 'Administrators');

    // What each cycle sends: after Emil was unassigned, Entra sends active "False".
    const off = await send<Resource>('PATCH', `/Users/${emil.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] });
    expect([off.status, off.body.active]).toEqual([200, false]);
    // The mapping made in step 2 applied as the Owners group arrived.
    expect((await membersOf(company)).map((m) => [m.email, m.state, m.groups])).toEqual([
      ['dora@entra-kunde.example', 'invited', ['Owners']],
      ['emil@entra-kunde.example', 'suspended', ['Administrators']],
    ]);

    // A token from the client-credentials grant is refused once the client is revoked.
    await mspbridge('scim-client', 'revoke', '--account', company, '--client', client.clientId);
    await new Promise((r) => setTimeout(r, 1100)); // every process refuses it within a second (credential cache)
    const revoked = await send('GET', '/Users?count=1');
    expect(revoked.status).toBe(401);
    expect(revoked.body).toMatchObject({ detail: 'The client of this access token was revoked.' });

    // The request log shows Entra's requests and no failure: a refused credential (401) never
    // reaches a company's log.
    expect((await logEntry(company, '?limit=100', (e) => e.method === 'PATCH' && e.path === `/Users/${emil.id}`)).idp).toBe('entra');
    expect((await requestLog(company, '?errors=true')).map((e) => `${e.method} ${e.path} ${e.status}`)).toEqual([]);
  }, 90_000);
});
