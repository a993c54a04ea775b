// Issue 9: the Managed Companies list at 10,000 companies under one MSP, search + sort, p99 ≤ 50 ms.
// Companies are added by the domain (addCompany, as `company add` does), then given varied
// statuses and filled seats; an API token of the MSP's Owner (as `api-token create`) calls
// GET /api/v1/companies with varied search terms, sorts, orders, status filters and pages.
// Before the load, a set of queries is checked against the answer computed here from what was
// seeded: totals, and the exact companies of the page in the exact order.
import path from 'node:path';
import type { Db } from '../../src/db/knex';
import { isPg, migrateLatest } from '../../src/db/knex';
import { createApiToken } from '../../src/domain/access';
import { createMsp } from '../../src/domain/accounts';
import { addCompany } from '../../src/domain/companies';
import { asOperator, openDatabase, queuePrefixFor, startServe } from '../app-target';
import { HttpClient, jsonOf } from '../http';
import { type Measurement, merge, runLoads } from '../load';
import type { BenchRequest, Generator } from '../ops';
import { unitOfWork } from '../../src/db/unitOfWork';
import type { BenchOptions, DbKind } from '../options';

const STATUSES = ['active', 'active', 'active', 'active', 'active', 'setup', 'setup', 'pending_link', 'pending_link', 'frozen'] as const;
// No word is a prefix of another: byte order and a locale collation then sort the names alike.
const FIRST = ['alder', 'birch', 'cedar', 'dogwood', 'elm', 'fir', 'ginkgo', 'hazel', 'iroko', 'juniper', 'kauri', 'larch', 'maple', 'nutmeg', 'oak', 'poplar'];
const SECOND = ['consulting', 'dental', 'logistics', 'media', 'robotics', 'textiles', 'ventures', 'works'];
const SUFFIX = ['gmbh', 'ag', 'ltd', 'inc', 'sarl', 'bv'];
const PAGE = 50;

export interface Company {
  id: string;
  name: string;
  nameCi: string;
  status: string;
  seats: number;
}

export interface Query {
  search?: string;
  sort?: 'name' | 'status' | 'seats';
  order?: 'asc' | 'desc';
  status?: string;
  offset?: number;
}

export interface CompaniesResult {
  db: DbKind;
  companies: number;
  connections: number;
  seedSeconds: number;
  /** Queries whose answer was checked exactly before the load, and what was wrong. */
  checked: number;
  problems: string[];
  /** The slowest of those queries, each sent alone to an idle server. */
  slowest: Array<{ path: string; ms: number }>;
  load: Measurement;
}

const cap = (w: string) => w[0]!.toUpperCase() + w.slice(1);

function nameOf(i: number): string {
  return `${cap(FIRST[i % FIRST.length]!)} ${cap(SECOND[Math.floor(i / FIRST.length) % SECOND.length]!)} ${String(i).padStart(5, '0')} ${cap(SUFFIX[i % SUFFIX.length]!)}`;
}

export function pathOf(q: Query): string {
  const p = new URLSearchParams();
  if (q.search !== undefined) p.set('search', q.search);
  if (q.sort) p.set('sort', q.sort);
  if (q.order) p.set('order', q.order);
  if (q.status) p.set('status', q.status);
  if (q.offset) p.set('offset', String(q.offset));
  p.set('limit', String(PAGE));
  return `/companies?${p.toString()}`;
}

/** What the list must answer: the repository's order (key, then name_ci, then id). */
export function expected(all: Company[], q: Query): { total: number; ids: string[] } {
  const term = q.search?.toLowerCase();
  const rows = all.filter((c) => (!term || c.nameCi.includes(term)) && (!q.status || c.status === q.status));
  const sort = q.sort ?? 'name';
  const dir = (q.order ?? (sort === 'seats' ? 'desc' : 'asc')) === 'asc' ? 1 : -1;
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  rows.sort((a, b) => {
    if (sort === 'name') return dir * cmp(a.nameCi, b.nameCi) || cmp(a.id, b.id);
    const k = sort === 'seats' ? a.seats - b.seats : cmp(a.status, b.status);
    return dir * k || cmp(a.nameCi, b.nameCi) || cmp(a.id, b.id);
  });
  const offset = q.offset ?? 0;
  return { total: rows.length, ids: rows.slice(offset, offset + PAGE).map((c) => c.id) };
}

/** The queries of the load: a console user typing, sorting, filtering and paging. */
export function queries(count: number): Query[] {
  const terms = [
    undefined,
    'cedar',
    'oak',
    'consult',
    'robot',
    'gmbh',
    'ma',
    'er',
    String(Math.floor(count / 3))
      .padStart(5, '0')
      .slice(0, 4),
    'zzz',
  ];
  const out: Query[] = [];
  for (const search of terms) {
    for (const sort of ['name', 'status', 'seats'] as const) {
      for (const order of ['asc', 'desc'] as const) out.push({ search, sort, order });
    }
    out.push({ search, status: 'active', sort: 'seats' }, { search, status: 'pending_link' }, { search, sort: 'name', offset: 100 });
  }
  return out;
}

export async function seed(db: Db, count: number): Promise<{ token: string; companies: Company[] }> {
  await migrateLatest(db);
  const msp = await asOperator(db, (ctx) => createMsp(ctx, { name: 'Big MSP', region: 'eu', ownerEmail: 'owner@big-msp.example' }, ['eu']));
  const companies: Company[] = [];
  for (let start = 0; start < count; start += 500) {
    await asOperator(db, async (ctx) => {
      for (let i = start; i < Math.min(start + 500, count); i++) {
        const c = await addCompany(ctx, { mspId: msp.account.id, name: nameOf(i), country: i % 3 ? 'DE' : 'AT', seats: 250 });
        // Statuses and filled seats as a grown MSP has them (set directly: getting there by the domain means thousands of invitations).
        const status = STATUSES[(i * 7) % STATUSES.length]!;
        const seats = (i * 7919) % 251;
        await ctx.tx('accounts').where({ id: c.id }).update({ status, seats_filled: seats });
        companies.push({ id: c.id, name: c.name, nameCi: c.name.toLowerCase(), status, seats });
      }
    });
  }
  await db.raw(isPg(db) ? 'vacuum analyze accounts' : 'analyze');
  // The MSP's Owner makes an automation token, as `mspbridge api-token create` does.
  const { token } = await unitOfWork(db, (tx) =>
    createApiToken(
      { tx, now: new Date(), actor: { kind: 'member', accountId: msp.account.id, memberId: msp.ownerId, label: 'owner@big-msp.example (bench)' } },
      { mspId: msp.account.id, label: 'bench' },
    ),
  );
  return { token, companies };
}

export async function measureCompanies(opts: BenchOptions, kind: DbKind, runDir: string): Promise<CompaniesResult> {
  const key = `companies-${kind}`;
  const { url, db } = openDatabase(opts, kind, runDir, key);
  const seedStarted = performance.now();
  let seeded: Awaited<ReturnType<typeof seed>>;
  try {
    seeded = await seed(db, opts.companies);
  } finally {
    await db.destroy();
  }
  const seedSeconds = (performance.now() - seedStarted) / 1000;
  const { proc, origin } = await startServe(opts, `app ${kind} (${opts.companies} companies)`, {
    url,
    queuePrefix: queuePrefixFor(opts),
    dataDir: path.join(runDir, `${key}-data`),
  });
  const base = `${origin}/api/v1`;
  const headers = { accept: 'application/json' };
  try {
    // Correctness first: a fast wrong list must not pass.
    const list = queries(opts.companies);
    const client = new HttpClient(base, { ...headers, authorization: `Bearer ${seeded.token}` }, 1);
    const problems: string[] = [];
    const alone: Array<{ path: string; ms: number }> = [];
    try {
      for (const q of list) {
        const r = await client.request('GET', pathOf(q), { timeoutMs: 30_000 });
        const body = jsonOf<{ total?: number; items?: Array<{ id: string }> }>(r);
        const want = expected(seeded.companies, q);
        const got = body?.items?.map((c) => c.id) ?? [];

        if (r.status !== 200) problems.push(`${pathOf(q)}: HTTP ${r.status} ${r.body.slice(0, 200)}`);
        else if (body?.total !== want.total || got.join() !== want.ids.join()) {
          const at = got.findIndex((id, i) => id !== want.ids[i]);
          problems.push(`${pathOf(q)}: total ${body?.total} (expected ${want.total}), ${got.length} items, first difference at item ${at}`);
        }
      }
      // Warm now: each query alone once more, for where the time goes.
      for (const q of list) alone.push({ path: pathOf(q), ms: (await client.request('GET', pathOf(q), { timeoutMs: 30_000 })).ms });
    } finally {
      client.close();
    }

    let n = 0;
    const gen: Generator = {
      next: (): BenchRequest => ({ method: 'GET', path: pathOf(list[n++ % list.length]!) }),
      check: () => undefined,
      settle: async () => false,
    };
    const spec = { base, token: seeded.token, gen, connections: opts.companiesConnections, headers };
    await runLoads([spec], opts.warmup, [proc]);
    const runs = [];
    for (let round = 0; round < opts.rounds; round++) {
      const r = await runLoads([spec], opts.duration, [proc]);
      runs.push({ raw: r.raws[0]!, cpuSeconds: r.cpuSeconds[0]!, drainSeconds: r.drainSeconds, poolWrapped: false });
    }
    const load = merge(base, runs, opts.companiesConnections);
    return {
      db: kind,
      companies: opts.companies,
      connections: opts.companiesConnections,
      seedSeconds,
      checked: list.length,
      problems,
      slowest: alone.sort((a, b) => b.ms - a.ms).slice(0, 3),
      load,
    };
  } finally {
    await proc.stop();
  }
}
