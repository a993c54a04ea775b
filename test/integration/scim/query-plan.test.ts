// At 100,000 users the SCIM lookups an IdP makes are answered from indexes, not table scans:
// the SQL the app really runs for each request is captured and EXPLAINed on both databases.
import crypto from 'node:crypto';
import { isPg } from '../../../src/db/knex';
import { startTestApp, type TestApp } from '../../helpers/app';
import { DIALECTS } from '../../helpers/db';
import { scimAccount, type ScimClient } from '../../helpers/scim';

const USERS = 100_000;

async function seed(app: TestApp, accountId: string): Promise<string[]> {
  const db = app.rt.db;
  const now = Date.now();
  const ids: string[] = [];
  const rows: Array<Record<string, unknown>> = [];
  for (let i = 0; i < USERS; i++) {
    const id = crypto.randomUUID();
    ids.push(id);
    const userName = `user${i}@bulk.example`;
    rows.push({
      id,
      account_id: accountId,
      user_name: userName,
      user_name_ci: userName,
      email: userName,
      email_ci: userName,
      external_id: `ext-${i}`,
      state: 'active',
      provisioned_by: 'scim',
      scim_managed: true,
      attrs: JSON.stringify({ userName, emails: [{ value: userName, primary: true }] }),
      version: 1,
      created_at: new Date(now + i).toISOString(),
      updated_at: new Date(now + i).toISOString(),
    });
  }
  await db.transaction(async (tx) => {
    for (let i = 0; i < rows.length; i += 500) await tx('members').insert(rows.slice(i, i + 500));
  });
  // What autovacuum would have done by the time an account holds 100,000 people.
  await db.raw(isPg(db) ? 'vacuum analyze members' : 'analyze');
  return ids;
}

async function plans(app: TestApp, run: () => Promise<unknown>): Promise<string[]> {
  const db = app.rt.db;
  const captured: Array<{ sql: string; bindings: unknown[] }> = [];
  const listener = (q: { sql: string; bindings?: unknown[] }) => {
    if (/^\s*select/i.test(q.sql) && /from [`"]?members[`"]?( |$)/.test(q.sql)) captured.push({ sql: q.sql, bindings: q.bindings ?? [] });
  };
  db.on('query', listener);
  try {
    await run();
  } finally {
    db.removeListener('query', listener);
  }
  const out: string[] = [];
  for (const q of captured) {
    if (process.env.SHOW_PLANS) console.log(q.sql);
    if (isPg(db)) {
      const r = await db.raw(`explain ${q.sql.replace(/\$\d+/g, '?')}`, q.bindings as never);
      out.push((r.rows as Array<{ 'QUERY PLAN': string }>).map((x) => x['QUERY PLAN']).join('\n'));
    } else {
      const r = (await db.raw(`explain query plan ${q.sql}`, q.bindings as never)) as Array<{ detail: string }>;
      out.push(r.map((x) => x.detail).join('\n'));
    }
  }
  return out;
}

describe.each(DIALECTS)('SCIM query plans at 100,000 users [%s]', (dialect) => {
  let app: TestApp;
  let c: ScimClient;
  let ids: string[];
  beforeAll(async () => {
    app = await startTestApp(dialect);
    c = await scimAccount(app.rt.db, app.url, { name: 'Big' });
    ids = await seed(app, c.accountId);
  }, 120_000);
  afterAll(() => app.close());

  it('answers userName eq (any case) from the members_account_username index', async () => {
    let body: { totalResults: number; Resources: Array<{ id: string }> } | undefined;
    const p = await plans(app, async () => {
      body = (await c.req<typeof body>('GET', `/Users?filter=${encodeURIComponent('userName eq "USER77777@bulk.example"')}`)).body;
    });
    expect(body!.totalResults).toBe(1);
    expect(body!.Resources[0]!.id).toBe(ids[77777]);
    expect(p.length).toBeGreaterThanOrEqual(1);
    for (const plan of p) {
      expect(plan).toMatch(/members_account_username/);
      expect(plan).not.toMatch(dialect === 'sqlite' ? /SCAN members(?! USING)/ : /Seq Scan on members/);
    }
    console.log(`[${dialect}] userName eq plan:\n${p.join('\n---\n')}`);
  });

  it('answers GET /Users/{id} and externalId eq from indexes', async () => {
    const p = await plans(app, async () => {
      expect((await c.req('GET', `/Users/${ids[4242]}`)).status).toBe(200);
      expect((await c.req<{ totalResults: number }>('GET', `/Users?filter=${encodeURIComponent('externalId eq "ext-4242"')}`)).body.totalResults).toBe(1);
    });
    for (const plan of p) expect(plan).not.toMatch(dialect === 'sqlite' ? /SCAN members(?! USING)/ : /Seq Scan on members/);
  });

  it('pages deep (startIndex 99,901, count 100) by walking the SCIM view index', async () => {
    let body: { totalResults: number; itemsPerPage: number; Resources: Array<{ id: string }> } | undefined;
    const p = await plans(app, async () => {
      body = (await c.req<typeof body>('GET', '/Users?startIndex=99901&count=100')).body;
    });
    expect([body!.totalResults, body!.itemsPerPage]).toEqual([USERS, 100]);
    expect(body!.Resources[0]!.id).toBe(ids[99900]);
    console.log(`[${dialect}] deep page plans:\n${p.join('\n---\n')}`);
    expect(p).toHaveLength(2);
    const [count, page] = p as [string, string];
    // The page walks an index in (account, creation) order to the offset and reads 100 rows (either
    // planner may pick the equivalent non-partial members_account_created; SQLite does since migration
    // 015 added an index its statistics weigh against the partial one).
    expect(page).toMatch(
      dialect === 'sqlite'
        ? /SEARCH m USING (COVERING )?INDEX members_(scim_view|account_created)/
        : /Index Scan using (members_scim_view|members_account_created)/,
    );
    expect(page).not.toMatch(/Seq Scan|SCAN m$/m);
    if (dialect === 'sqlite') {
      // totalResults comes from the covering index, not the table.
      expect(count).toMatch(/COVERING INDEX members_scim_view/);
    } else {
      // PostgreSQL counts in the database too; with one tenant holding every row its planner
      // rightly prefers a sequential scan to walking the whole index.
      expect(count).toMatch(/^Aggregate/);
    }
    // The same page again: nothing changed, so it seeks from the remembered row (no count, no walk).
    let again: typeof body;
    const seek = await plans(app, async () => {
      again = (await c.req<typeof body>('GET', '/Users?startIndex=99901&count=100')).body;
    });
    expect(again).toEqual(body);
    console.log(`[${dialect}] deep page again (seek):\n${seek.join('\n---\n')}`);
    expect(seek).toHaveLength(1);
    expect(seek[0]).not.toMatch(/Seq Scan on members|SCAN m$/m);
    expect(seek[0]).toMatch(
      dialect === 'sqlite'
        ? /SEARCH m USING (COVERING )?INDEX members_(scim_view|account_created) \(account_id=\? AND created_at>\?\)/
        : /Index Scan using (members_scim_view|members_account_created)/,
    );
  });
});
