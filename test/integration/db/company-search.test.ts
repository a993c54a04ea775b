// Managed Companies search on both databases: accent- and case-insensitive ("muller" finds
// "Müller"), LIKE wildcards and quotes taken literally, the trigram path (3+ characters) and the
// short-term scan giving the same answers as a plain substring test, renames and migration 009's
// backfill kept in step.
import { updateAccount } from '../../../src/db/accounts.repo';
import { unitOfWork } from '../../../src/db/unitOfWork';
import { foldName } from '../../../src/db/nameFold';
import { createMsp } from '../../../src/domain/accounts';
import { addCompany, listCompanies } from '../../../src/domain/companies';
import { describeEachDb } from '../../helpers/db';
import { asOp } from '../../helpers/ctx';

const REGIONS = ['us', 'eu'];

describeEachDb('company search', (t) => {
  let mspId: string;
  const names = [
    'Müller GmbH',
    'MULLER Bau',
    'Ørsted Energy',
    'Café Crème',
    "O'Brien & Söhne",
    '100% Müll AG',
    'a_b Works',
    'Say "Cheese" Ltd',
    'Back\\slash Inc',
    'ＡＢＣ Fullwidth',
    'Zoë Ltd',
  ];
  const ids: Record<string, string> = {};
  const search = async (term: string) =>
    (await asOp(t().db, (ctx) => listCompanies(ctx, mspId, { search: term, limit: 1000 }))).items.map((c) => c.name).sort();

  beforeAll(async () => {
    const { db } = t();
    const msp = await asOp(db, (ctx) => createMsp(ctx, { name: 'Search MSP', region: 'eu', ownerEmail: 'o@search.example' }, REGIONS));
    mspId = msp.account.id;
    const other = await asOp(db, (ctx) => createMsp(ctx, { name: 'Other MSP', region: 'eu', ownerEmail: 'o@other.example' }, REGIONS));
    await asOp(db, (ctx) => addCompany(ctx, { mspId: other.account.id, name: 'Müller Elsewhere', country: 'DE' }));
    for (const name of names) ids[name] = (await asOp(db, (ctx) => addCompany(ctx, { mspId, name, country: 'DE' }))).id;
  });

  it('folds accents and case: "muller" finds "Müller", and the other way round', async () => {
    expect(await search('muller')).toEqual(['MULLER Bau', 'Müller GmbH']);
    expect(await search('MÜLLER')).toEqual(['MULLER Bau', 'Müller GmbH']);
    expect(await search('cafe creme')).toEqual(['Café Crème']);
    expect(await search('sohne')).toEqual(["O'Brien & Söhne"]);
    expect(await search('orsted')).toEqual(['Ørsted Energy'].filter((n) => foldName(n).includes('orsted')));
    expect(await search('zoe')).toEqual(['Zoë Ltd']);
    expect(await search('abc')).toEqual(['ＡＢＣ Fullwidth']); // NFKD: full-width letters are letters
  });

  it('takes LIKE wildcards, quotes and backslashes literally, short and long', async () => {
    expect(await search('%')).toEqual(['100% Müll AG']);
    expect(await search('0% m')).toEqual(['100% Müll AG']);
    expect(await search('_')).toEqual(['a_b Works']);
    expect(await search('a_b')).toEqual(['a_b Works']);
    expect(await search("o'b")).toEqual(["O'Brien & Söhne"]);
    expect(await search("'")).toEqual(["O'Brien & Söhne"]);
    expect(await search('"cheese"')).toEqual(['Say "Cheese" Ltd']);
    expect(await search('"')).toEqual(['Say "Cheese" Ltd']);
    expect(await search('k\\s')).toEqual(['Back\\slash Inc']);
    expect(await search('\\')).toEqual(['Back\\slash Inc']);
    expect(await search('nothing like this')).toEqual([]);
  });

  it('short terms (under 3 characters) scan the folded names and find the same', async () => {
    expect(await search('mu')).toEqual(['MULLER Bau', 'Müller GmbH', '100% Müll AG'].sort());
    expect(await search('ü')).toEqual(names.filter((n) => foldName(n).includes('u')).sort());
  });

  it('keeps the sort, the status filter and the total', async () => {
    const { db } = t();
    const page = await asOp(db, (ctx) => listCompanies(ctx, mspId, { search: 'ltd', sort: 'name', order: 'desc', limit: 1 }));
    expect(page.total).toBe(2);
    expect(page.items.map((c) => c.name)).toEqual(['Zoë Ltd']);
    expect((await asOp(db, (ctx) => listCompanies(ctx, mspId, { search: 'muller', status: 'frozen' }))).total).toBe(0);
  });

  it('follows a rename', async () => {
    const { db } = t();
    await unitOfWork(db, (tx) => updateAccount(tx, ids['Zoë Ltd']!, { name: 'Renée Résumé' }, new Date().toISOString()));
    expect(await search('zoe')).toEqual([]);
    expect(await search('renee resume')).toEqual(['Renée Résumé']);
    await unitOfWork(db, (tx) => updateAccount(tx, ids['Zoë Ltd']!, { name: 'Zoë Ltd' }, new Date().toISOString()));
    expect(await search('zoe')).toEqual(['Zoë Ltd']);
  });

  it('keeps remembered totals exact: every change to the companies moves them, whatever wrote it', async () => {
    const { db } = t();
    const msp = await asOp(db, (ctx) => createMsp(ctx, { name: 'Totals MSP', region: 'eu', ownerEmail: 'o@totals.example' }, REGIONS));
    const list = (q: { search?: string; status?: 'active' | 'setup' | 'frozen'; offset?: number } = {}) =>
      asOp(db, (ctx) => listCompanies(ctx, msp.account.id, { limit: 2, ...q }));
    const totals = async () => [(await list()).total, (await list({ search: 'müll' })).total, (await list({ status: 'frozen', search: 'mu' })).total];
    const a = (await asOp(db, (ctx) => addCompany(ctx, { mspId: msp.account.id, name: 'Müller Eins', country: 'DE' }))).id;
    expect(await totals()).toEqual([1, 1, 0]);
    expect(await totals()).toEqual([1, 1, 0]); // remembered, same answer
    // Added by the domain; renamed; status changed by hand; moved away by hand; deleted by hand.
    const b = (await asOp(db, (ctx) => addCompany(ctx, { mspId: msp.account.id, name: 'Other', country: 'DE' }))).id;
    expect(await totals()).toEqual([2, 1, 0]);
    await unitOfWork(db, (tx) => updateAccount(tx, b, { name: 'Mullerei' }, new Date().toISOString()));
    expect(await totals()).toEqual([2, 2, 0]);
    await db('accounts').where({ id: b }).update({ status: 'frozen' });
    expect(await totals()).toEqual([2, 2, 1]);
    expect((await list({ status: 'frozen', search: 'mu', offset: 0 })).items.map((c) => c.id)).toEqual([b]);
    await db('accounts').where({ id: a }).update({ msp_id: null });
    expect(await totals()).toEqual([1, 1, 1]);
    await db('memberships').where({ account_id: b }).del();
    await db('groups').where({ account_id: b }).del();
    await db('audit_events').where({ account_id: b }).del();
    await db('accounts').where({ id: b }).del();
    expect(await totals()).toEqual([0, 0, 0]);
    // Inside one transaction, a list after an add counts the add (PostgreSQL moves the counter at commit).
    const inside = await asOp(db, async (ctx) => {
      await addCompany(ctx, { mspId: msp.account.id, name: 'Müller Zwei', country: 'DE' });
      return (await listCompanies(ctx, msp.account.id, { search: 'muller' })).total;
    });
    expect(inside).toBe(1);
    expect(await totals()).toEqual([1, 1, 0]);
  });

  it("answers exactly the folded substring test on random names and terms (today's LIKE answers included)", async () => {
    const { db } = t();
    const msp = await asOp(db, (ctx) => createMsp(ctx, { name: 'Random MSP', region: 'eu', ownerEmail: 'o@random.example' }, REGIONS));
    // A small alphabet makes many overlaps; accents, wildcards, quotes and spaces included.
    const alphabet = ['a', 'b', 'c', 'A', 'B', 'á', 'Ä', 'ç', 'é', 'E', 'ß', '%', '_', "'", '"', '\\', ' ', '1'];
    let seed = 42;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const word = (len: number) => Array.from({ length: len }, () => alphabet[rand(alphabet.length)]).join('');
    const all: string[] = [];
    await asOp(db, async (ctx) => {
      for (let i = 0; i < 150; i++) {
        const c = await addCompany(ctx, { mspId: msp.account.id, name: `${word(3 + rand(10))} ${i}`, country: 'DE' });
        all.push(c.name); // as stored (trimmed)
      }
    });
    const terms = [...Array.from({ length: 40 }, () => word(1 + rand(5))), ...Array.from({ length: 20 }, () => all[rand(all.length)]!.slice(1, 5))];
    for (const term of terms) {
      const got = (await asOp(db, (ctx) => listCompanies(ctx, msp.account.id, { search: term, limit: 1000 }))).items.map((c) => c.name).sort();
      const want = all.filter((n) => foldName(n).includes(foldName(term))).sort();
      expect({ term, got }).toEqual({ term, got: want });
      // Everything the old `name_ci LIKE '%term%'` found is still found.
      for (const n of all.filter((x) => x.toLowerCase().includes(term.toLowerCase()))) expect(got).toContain(n);
    }
  });

  it('migration 009 backfills the folded names of companies made before it', async () => {
    const { db } = t();
    // Undo this migration and 014 (whose indexes carry name_fold; the others do not depend on it), then apply both again.
    await db.migrate.down({ name: '014_company_list' });
    const [, applied] = (await db.migrate.down({ name: '009_company_search' })) as [number, string[]];
    expect(applied.map(String)).toEqual(['009_company_search']);
    await db.migrate.up();
    await db.migrate.up();
    expect(await search('muller')).toEqual(['MULLER Bau', 'Müller GmbH']);
    expect(await search('sohne')).toEqual(["O'Brien & Söhne"]);
  });
});
