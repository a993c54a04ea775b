// Scale-out on PostgreSQL + Redis: two `serve` and two `worker` processes, two IdPs pushing to two
// companies at once. The final state is what was pushed, each invitation is mailed once, and a
// revoked SCIM token is refused by every process within a second.
import crypto from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { migrateLatest, openDb } from '../../src/db/knex';
import { createMsp } from '../../src/domain/accounts';
import { addCompany } from '../../src/domain/companies';
import { createScimToken } from '../../src/domain/scimTokens';
import { REDIS_URL } from '../helpers/app';
import { cliAsync } from '../helpers/cli';
import { asOp } from '../helpers/ctx';
import { testDbUrl } from '../helpers/db';
import { type ScimClient, scimClientFor, userBody } from '../helpers/scim';
import { startSmtp } from '../helpers/smtp';
import { type Proc, pool, record, spawnMode, tally } from './harness';

const USERS = 300;
const GROUPS = 6;
const GROUP_SIZE = 50;
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

interface Expected {
  users: Map<string, { id: string; active: boolean }>;
  groups: Map<string, { id: string; members: Set<string> }>;
}

type Resources<T> = { totalResults: number; Resources: T[] };

/** One IdP: a client per serve process (requests alternate between them) and the state it pushed. */
function idp(name: string, userAgent: string, clients: ScimClient[]) {
  let n = 0;
  const statuses: number[] = [];
  const req = async <T = Record<string, unknown>>(method: string, p: string, body?: unknown) => {
    const r = await clients[n++ % clients.length]!.req<T>(method, p, body, { 'user-agent': userAgent });
    statuses.push(r.status);
    return r;
  };
  const expected: Expected = { users: new Map(), groups: new Map() };
  return {
    name,
    statuses,
    expected,
    req,
    async push(prefix: string): Promise<void> {
      await pool(USERS, 6, async (i) => {
        const userName = `${prefix}${i}@${name}.example`;
        const r = await req<{ id: string }>('POST', '/Users', userBody(userName, { externalId: `${name}-${i}` }));
        expect(r.status).toBe(201);
        expected.users.set(userName, { id: r.body.id, active: true });
      });
      const ids = [...expected.users.values()].map((u) => u.id);
      await pool(GROUPS, 3, async (g) => {
        const members = ids.slice(g * GROUP_SIZE, (g + 1) * GROUP_SIZE);
        const displayName = `${name} team ${g}`;
        const r = await req<{ id: string }>('POST', '/Groups', {
          schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
          displayName,
          members: members.map((value) => ({ value })),
        });
        expect(r.status).toBe(201);
        expected.groups.set(displayName, { id: r.body.id, members: new Set(members) });
      });
      // Membership churn, one request per change, alternating processes.
      await pool(GROUPS, 3, async (g) => {
        const group = expected.groups.get(`${name} team ${g}`)!;
        for (let k = 0; k < 10; k++) {
          const add = ids[(g * GROUP_SIZE + GROUP_SIZE + k) % ids.length]!;
          const drop = ids[g * GROUP_SIZE + k]!;
          const r = await req('PATCH', `/Groups/${group.id}`, {
            schemas: [PATCH_OP],
            Operations: [
              { op: 'add', path: 'members', value: [{ value: add }] },
              { op: 'remove', path: `members[value eq "${drop}"]` },
            ],
          });
          expect([200, 204]).toContain(r.status);
          group.members.add(add);
          group.members.delete(drop);
        }
      });
    },
    /** Deactivates every tenth person; deletes every 25th. */
    async churnUsers(): Promise<void> {
      const people = [...expected.users.entries()];
      await pool(people.length, 6, async (i) => {
        const [userName, u] = people[i]!;
        if (i % 25 === 0) {
          expect((await req('DELETE', `/Users/${u.id}`)).status).toBe(204);
          expected.users.delete(userName);
          for (const g of expected.groups.values()) g.members.delete(u.id);
        } else if (i % 10 === 0) {
          const r = await req('PATCH', `/Users/${u.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: false }] });
          expect(r.status).toBe(200);
          u.active = false;
        }
      });
    },
  };
}

/** What one process answers for the whole account, read back page by page. */
async function stateSeenBy(c: ScimClient): Promise<{ users: Map<string, { id: string; active: boolean }>; groups: Map<string, Set<string>> }> {
  const users = new Map<string, { id: string; active: boolean }>();
  for (let start = 1; ; start += 100) {
    const r = await c.req<Resources<{ id: string; userName: string; active: boolean }>>('GET', `/Users?startIndex=${start}&count=100`);
    expect(r.status).toBe(200);
    for (const u of r.body.Resources) users.set(u.userName, { id: u.id, active: u.active });
    if (start + 100 > r.body.totalResults) break;
  }
  const groups = new Map<string, Set<string>>();
  const g = await c.req<Resources<{ displayName: string; members?: Array<{ value: string }> }>>('GET', '/Groups?count=1000');
  expect(g.status).toBe(200);
  for (const group of g.body.Resources) groups.set(group.displayName, new Set((group.members ?? []).map((m) => m.value)));
  return { users, groups };
}

describe('scale-out on PostgreSQL and Redis', () => {
  const procs: Proc[] = [];
  afterAll(async () => {
    for (const p of procs.splice(0)) await p.stop('SIGKILL');
  });

  it('two serve and two worker processes: what two IdPs pushed, every email once, a revoked token refused everywhere within 1 s', async () => {
    const smtp = await startSmtp();
    const { url, drop } = testDbUrl('postgres');
    const db = openDb({ url, poolMax: 2 });
    try {
      await migrateLatest(db);
      const msp = await asOp(db, (ctx) => createMsp(ctx, { name: 'Scale MSP', region: 'eu', ownerEmail: 'o@scale.example' }, ['eu']));
      const companies = await Promise.all(
        ['Northwind', 'Contoso'].map(async (name) => {
          const company = await asOp(db, (ctx) => addCompany(ctx, { mspId: msp.account.id, name, country: 'DE', seats: 10_000 }));
          const { token } = await asOp(db, (ctx) => createScimToken(ctx, company.id, name));
          return { id: company.id, token };
        }),
      );
      const env: Record<string, string> = {
        DATABASE_URL: url,
        DATABASE_POOL_MAX: '8',
        REDIS_URL,
        QUEUE_PREFIX: `scale-${crypto.randomBytes(4).toString('hex')}`,
        SMTP_URL: smtp.url,
        SECRET_KEY: 'scale-out-secret-key-0123456789-abcdefgh',
        SCIM_RATE_PER_TOKEN: '100000',
        DATA_DIR: path.join(os.tmpdir(), 'mspbridge-scale-data'),
        PUBLIC_URL: 'http://127.0.0.1',
      };
      const [s1, s2, w1, w2] = await Promise.all([spawnMode('serve', env), spawnMode('serve', env), spawnMode('worker', env), spawnMode('worker', env)]);
      procs.push(s1!, s2!, w1!, w2!);
      const serves = [s1!, s2!];
      const clientsOf = (c: { id: string; token: string }) => serves.map((s) => scimClientFor(s.url!, c.token, c.id));
      const okta = idp('okta', 'Okta SCIM Client 1.0.0', clientsOf(companies[0]!));
      const entra = idp('entra', 'Microsoft.AAD.Provisioning.Service/1.0', clientsOf(companies[1]!));

      const started = Date.now();
      await Promise.all([okta.push('o'), entra.push('e')]);
      const pushSeconds = (Date.now() - started) / 1000;
      await smtp.waitFor(2 * USERS, 120_000);
      // Churn after the mail went out, so "one invitation per person pushed" is exact.
      await Promise.all([okta.churnUsers(), entra.churnUsers()]);
      await new Promise((r) => setTimeout(r, 3000));

      for (const [i, side] of [okta, entra].entries()) {
        for (const s of serves) {
          const seen = await stateSeenBy(scimClientFor(s.url!, companies[i]!.token, companies[i]!.id));
          expect(new Map([...seen.users].sort())).toEqual(new Map([...side.expected.users].sort()));
          expect(seen.groups.size).toBe(GROUPS);
          for (const [name, g] of side.expected.groups) expect([...(seen.groups.get(name) ?? [])].sort()).toEqual([...g.members].sort());
        }
      }
      const invited = smtp.mails.filter((m) => m.to.some((t) => /@(okta|entra)\.example$/.test(t)));
      const recipients = new Set(invited.flatMap((m) => m.to));
      expect(invited.length).toBe(2 * USERS);
      expect(recipients.size).toBe(2 * USERS);

      // Revocation: keep both processes busy with the token (their caches hot), revoke, time the refusals.
      const { id: doomedId, token: doomed } = await asOp(db, (ctx) => createScimToken(ctx, companies[0]!.id, 'doomed'));
      const doomedClients = serves.map((s) => scimClientFor(s.url!, doomed, companies[0]!.id));
      for (const c of doomedClients) expect((await c.req('GET', '/Users?count=1')).status).toBe(200);
      let revoking = false;
      let revokedAt = 0;
      const pollers = doomedClients.map(async (c) => {
        for (;;) {
          const r = await c.req('GET', '/Users?count=1');
          if (r.status === 401) {
            expect(revoking).toBe(true);
            return revokedAt ? Date.now() - revokedAt : 0;
          }
          expect(r.status).toBe(200);
          await new Promise((res) => setTimeout(res, 20));
        }
      });
      await new Promise((res) => setTimeout(res, 300));
      revoking = true;
      // Revoked by an operator from a third process (the CLI), as in production: the commit is announced on Redis
      // and both serve processes, which keep verified tokens for 30 s, forget it at once.
      const revoked = await cliAsync(['scim-token', 'revoke', '--account', companies[0]!.id, '--token', doomedId, '--json'], env);
      expect([revoked.status, revoked.stderr]).toEqual([0, '']);
      revokedAt = Date.now();
      const refusedAfter = await Promise.all(pollers);
      expect(Math.max(...refusedAfter)).toBeLessThanOrEqual(1000);

      const statuses = [...okta.statuses, ...entra.statuses];
      expect(statuses.filter((s) => s >= 500)).toEqual([]);
      record({
        scenario: 'Scale-out: 2 serve + 2 worker on PostgreSQL and Redis',
        injected:
          'two IdPs (Okta- and Entra-style user agents) pushing to two companies at once, requests alternating between two serve processes; two workers; a token revoked mid-traffic',
        checked: [
          'both processes read back exactly the pushed users (active flags) and group memberships',
          'one invitation email per pushed person, none twice',
          'the revoked token refused (401) by every serve process within 1 s',
          'no 5xx',
        ],
        figures: {
          requests: statuses.length,
          statuses: JSON.stringify(tally(statuses)),
          usersPushed: 2 * USERS,
          groups: 2 * GROUPS,
          pushSeconds: Math.round(pushSeconds * 10) / 10,
          emails: invited.length,
          distinctRecipients: recipients.size,
          revokedRefusedAfterMs: JSON.stringify(refusedAfter),
        },
        command: 'npm run test:faults -- test/faults/scaleout.test.ts',
      });
    } finally {
      await db.destroy();
      await drop();
      await smtp.close();
    }
  });
});
