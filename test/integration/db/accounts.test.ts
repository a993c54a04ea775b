// The account rules of the foundation, on SQLite and PostgreSQL: MSPs, companies, listing, SCIM tokens.
import { getAccount } from '../../../src/db/accounts.repo';
import { listGroups } from '../../../src/db/groups.repo';
import { createMsp } from '../../../src/domain/accounts';
import { addCompany, listCompanies } from '../../../src/domain/companies';
import { DomainError } from '../../../src/domain/errors';
import { addManualMember, listMembersWithGroups } from '../../../src/domain/members';
import { authenticateScimToken, createScimToken, listTokens, revokeScimToken } from '../../../src/domain/scimTokens';
import { hashSecret } from '../../../src/domain/secrets';
import { describeEachDb } from '../../helpers/db';
import { asActor, asOp } from '../../helpers/ctx';

const REGIONS = ['us', 'ca', 'eu', 'ent'];

async function rejects(p: Promise<unknown>, code: string): Promise<DomainError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DomainError);
  expect((err as DomainError).code).toBe(code);
  return err as DomainError;
}

describeEachDb('accounts and companies', (t) => {
  it('creates an MSP with its Owner and the three built-in groups', async () => {
    const { db } = t();
    const r = await asOp(db, (ctx) => createMsp(ctx, { name: 'Acme IT', region: 'EU', ownerEmail: 'Owner@Acme.example' }, REGIONS));
    expect(r.account.region).toBe('eu');
    const groups = await listGroups(db, r.account.id);
    expect(groups.map((g) => g.name).sort()).toEqual(['Administrators', 'MSP Technicians', 'Owners']);
    const members = await asOp(db, (ctx) => listMembersWithGroups(ctx, r.account.id));
    expect(members).toEqual([expect.objectContaining({ id: r.ownerId, email: 'Owner@Acme.example', state: 'invited', groups: ['Owners'] })]);
    expect(r.signInToken).toMatch(/^msb_signin_[A-Za-z0-9_-]{43}$/);
    const link = await db('signin_links').where({ member_id: r.ownerId }).first();
    expect(link.token_hash).toBe(hashSecret(r.signInToken));
    const audit = await db('audit_events').where({ account_id: r.account.id, action: 'msp.created' });
    expect(audit).toHaveLength(1);
  });

  it('refuses an unknown region and a bad email, writing nothing', async () => {
    const { db } = t();
    const before = (await db('accounts').count({ n: '*' }))[0]!.n;
    await rejects(
      asOp(db, (ctx) => createMsp(ctx, { name: 'X', region: 'mars', ownerEmail: 'a@b.de' }, REGIONS)),
      'account.region.unknown',
    );
    await rejects(
      asOp(db, (ctx) => createMsp(ctx, { name: 'X', region: 'us', ownerEmail: 'nope' }, REGIONS)),
      'member.email.invalid',
    );
    expect((await db('accounts').count({ n: '*' }))[0]!.n).toEqual(before);
  });

  it("adds a company in the MSP's region whatever its country, with Owners and Administrators", async () => {
    const { db } = t();
    const msp = await asOp(db, (ctx) => createMsp(ctx, { name: 'Nord IT', region: 'ca', ownerEmail: 'o@nord.example' }, REGIONS));
    const c = await asOp(db, (ctx) =>
      addCompany(ctx, { mspId: msp.account.id, name: 'Müller GmbH', country: 'DE', website: 'mueller.example', address: 'Hauptstr. 1' }),
    );
    expect(c).toEqual(expect.objectContaining({ region: 'ca', status: 'setup', mspId: msp.account.id, country: 'DE' }));
    expect((await listGroups(db, c.id)).map((g) => g.name).sort()).toEqual(['Administrators', 'Owners']);
    const audit = await db('audit_events').where({ account_id: c.id, action: 'company.added' }).first();
    expect(audit.msp_id).toBe(msp.account.id);
  });

  it('lists, searches, filters, sorts and pages companies in SQL', async () => {
    const { db } = t();
    const msp = await asOp(db, (ctx) => createMsp(ctx, { name: 'Lister', region: 'us', ownerEmail: 'o@l.example' }, REGIONS));
    const other = await asOp(db, (ctx) => createMsp(ctx, { name: 'Other', region: 'us', ownerEmail: 'o@o.example' }, REGIONS));
    const names = ['Zeta Corp', 'alpha 100% Ltd', 'Beta_Works', 'Gamma Inc', 'Alphabet'];
    const ids: Record<string, string> = {};
    for (const name of names) {
      ids[name] = (await asOp(db, (ctx) => addCompany(ctx, { mspId: msp.account.id, name, country: 'US' }))).id;
    }
    await asOp(db, (ctx) => addCompany(ctx, { mspId: other.account.id, name: 'Alpha Elsewhere', country: 'US' }));
    // Two members fill two seats of Gamma, one of Zeta; Gamma leaves setup.
    await asOp(db, (ctx) => addManualMember(ctx, { accountId: ids['Gamma Inc']!, email: 'a@g.example', group: 'Owners' }));
    await asOp(db, (ctx) => addManualMember(ctx, { accountId: ids['Gamma Inc']!, email: 'b@g.example' }));
    await asOp(db, (ctx) => addManualMember(ctx, { accountId: ids['Zeta Corp']!, email: 'a@z.example' }));

    const all = await asOp(db, (ctx) => listCompanies(ctx, msp.account.id));
    expect(all.total).toBe(5);
    expect(all.items.map((c) => c.name)).toEqual(['alpha 100% Ltd', 'Alphabet', 'Beta_Works', 'Gamma Inc', 'Zeta Corp']);

    const search = await asOp(db, (ctx) => listCompanies(ctx, msp.account.id, { search: 'ALPHA' }));
    expect(search.items.map((c) => c.name)).toEqual(['alpha 100% Ltd', 'Alphabet']);
    // LIKE wildcards in the search text match literally.
    expect((await asOp(db, (ctx) => listCompanies(ctx, msp.account.id, { search: '100%' }))).items.map((c) => c.name)).toEqual(['alpha 100% Ltd']);
    expect((await asOp(db, (ctx) => listCompanies(ctx, msp.account.id, { search: 'a_w' }))).items.map((c) => c.name)).toEqual(['Beta_Works']);

    const bySeats = await asOp(db, (ctx) => listCompanies(ctx, msp.account.id, { sort: 'seats' }));
    expect(bySeats.items.map((c) => [c.name, c.seatsFilled])).toEqual([
      ['Gamma Inc', 2],
      ['Zeta Corp', 1],
      ['alpha 100% Ltd', 0],
      ['Alphabet', 0],
      ['Beta_Works', 0],
    ]);
    const byStatus = await asOp(db, (ctx) => listCompanies(ctx, msp.account.id, { sort: 'status' }));
    expect(byStatus.items.map((c) => c.status)).toEqual(['active', 'active', 'setup', 'setup', 'setup']);
    const active = await asOp(db, (ctx) => listCompanies(ctx, msp.account.id, { status: 'active' }));
    expect(active.items.map((c) => c.name)).toEqual(['Gamma Inc', 'Zeta Corp']);
    const page2 = await asOp(db, (ctx) => listCompanies(ctx, msp.account.id, { limit: 2, offset: 2 }));
    expect(page2).toEqual({ total: 5, items: [expect.objectContaining({ name: 'Beta_Works' }), expect.objectContaining({ name: 'Gamma Inc' })] });
    await rejects(
      asOp(db, (ctx) => listCompanies(ctx, msp.account.id, { status: 'bogus' as never })),
      'company.status.unknown',
    );
  });

  it("never shows one MSP's companies to another MSP's staff", async () => {
    const { db } = t();
    const a = await asOp(db, (ctx) => createMsp(ctx, { name: 'A', region: 'us', ownerEmail: 'o@a.example' }, REGIONS));
    const b = await asOp(db, (ctx) => createMsp(ctx, { name: 'B', region: 'us', ownerEmail: 'o@b.example' }, REGIONS));
    await asOp(db, (ctx) => addCompany(ctx, { mspId: a.account.id, name: 'Secret Co', country: 'US' }));
    const bOwner = { kind: 'member' as const, accountId: b.account.id, memberId: b.ownerId, label: 'o@b.example' };
    await rejects(
      asActor(db, bOwner, (ctx) => listCompanies(ctx, a.account.id)),
      'msp.not_found',
    );
    await rejects(
      asActor(db, bOwner, (ctx) => addCompany(ctx, { mspId: a.account.id, name: 'X', country: 'US' })),
      'msp.not_found',
    );
    const own = await asActor(db, bOwner, (ctx) => listCompanies(ctx, b.account.id));
    expect(own.total).toBe(0);
  });

  it('issues SCIM tokens shown once, stored hashed, and revocable', async () => {
    const { db } = t();
    const msp = await asOp(db, (ctx) => createMsp(ctx, { name: 'Tok', region: 'us', ownerEmail: 'o@t.example' }, REGIONS));
    const company = await asOp(db, (ctx) => addCompany(ctx, { mspId: msp.account.id, name: 'TokCo', country: 'US' }));
    const t1 = await asOp(db, (ctx) => createScimToken(ctx, company.id, 'okta'));
    const t2 = await asOp(db, (ctx) => createScimToken(ctx, company.id));
    expect(t1.token).not.toEqual(t2.token);
    const stored = await db('scim_tokens').where({ account_id: company.id });
    expect(stored).toHaveLength(2);
    for (const row of stored) {
      expect(JSON.stringify(row)).not.toContain(t1.token);
      expect(JSON.stringify(row)).not.toContain(t2.token);
    }
    const now = new Date();
    const auth = await db.transaction((tx) => authenticateScimToken(tx, t1.token, now));
    expect(auth.accountId).toBe(company.id);
    expect((await asOp(db, (ctx) => listTokens(ctx, company.id)))[0]).not.toHaveProperty('tokenHash');
    await rejects(
      db.transaction((tx) => authenticateScimToken(tx, `${t1.token}x`, now)),
      'scim.token.invalid',
    );
    await asOp(db, (ctx) => revokeScimToken(ctx, company.id, t1.id));
    await rejects(
      db.transaction((tx) => authenticateScimToken(tx, t1.token, now)),
      'scim.token.revoked',
    );
    expect((await db.transaction((tx) => authenticateScimToken(tx, t2.token, now))).id).toBe(t2.id);
    expect(await db('audit_events').where({ account_id: company.id }).whereIn('action', ['scim_token.created', 'scim_token.revoked'])).toHaveLength(3);
  });

  it('keeps the filled-seat counter equal to invited and active members', async () => {
    const { db } = t();
    const msp = await asOp(db, (ctx) => createMsp(ctx, { name: 'Seats', region: 'us', ownerEmail: 'o@s.example' }, REGIONS));
    const c = await asOp(db, (ctx) => addCompany(ctx, { mspId: msp.account.id, name: 'SeatCo', country: 'US', seats: 3 }));
    await asOp(db, (ctx) => addManualMember(ctx, { accountId: c.id, email: 'x@s.example' }));
    await asOp(db, (ctx) => addManualMember(ctx, { accountId: c.id, email: 'y@s.example', state: 'suspended' }));
    const after = await getAccount(db, c.id);
    expect([after!.seatsFilled, after!.seatsTotal, after!.status]).toEqual([1, 3, 'active']);
    await rejects(
      asOp(db, (ctx) => addManualMember(ctx, { accountId: c.id, email: 'X@s.example' })),
      'member.email.taken',
    );
  });
});
