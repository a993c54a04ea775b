// The usage ledger at size: 10,000 companies of one MSP × 365 daily snapshots (3.65M rows), then
// `usage --msp --from --to` over the whole year and over one month, timed through the domain use
// case (what the CLI and REST call), and the daily snapshot of 10,000 companies.
// Run: npx tsx bench/usage-ledger.ts [--db sqlite,postgres] [--companies N] [--days N] [--runs N]
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { insertAccount } from '../src/db/accounts.repo';
import { type Db, isPg, migrateLatest, openDb } from '../src/db/knex';
import { unitOfWork } from '../src/db/unitOfWork';
import { rebuildMonths } from '../src/db/usage.repo';
import { createMsp } from '../src/domain/accounts';
import type { Ctx } from '../src/domain/context';
import { operator } from '../src/domain/principal';
import { snapshotUsage, usageOfMsp } from '../src/domain/usage';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const DBS = arg('db', 'sqlite,postgres').split(',');
const COMPANIES = Number(arg('companies', '10000'));
const DAYS = Number(arg('days', '365'));
const RUNS = Number(arg('runs', '20'));
const PG_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const asOp = <T>(db: Db, fn: (ctx: Ctx) => Promise<T>, now = new Date()) => unitOfWork(db, (tx) => fn({ tx, actor: operator('bench'), now }));
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;

async function timed(runs: number, fn: () => Promise<unknown>): Promise<{ p50: number; p99: number; max: number }> {
  await fn(); // warm
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    await fn();
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return { p50: pct(ms, 50), p99: pct(ms, 99), max: Math.max(...ms) };
}

async function one(kind: string): Promise<string[]> {
  const tag = `bench_usage_${crypto.randomBytes(4).toString('hex')}`;
  const file = path.join(os.tmpdir(), `${tag}.sqlite`);
  const url = kind === 'sqlite' ? `sqlite:${file}` : `${PG_URL}?schema=${tag}`;
  const db = openDb({ url });
  try {
    await migrateLatest(db);
    const msp = await asOp(db, (ctx) => createMsp(ctx, { name: 'Ledger MSP', region: 'us', ownerEmail: 'o@ledger.example' }, ['us']));
    const t0 = Date.now();
    const created = new Date().toISOString();
    await unitOfWork(db, async (tx) => {
      for (let i = 0; i < COMPANIES; i++) {
        await insertAccount(tx, {
          id: crypto.randomUUID(),
          kind: 'company',
          name: `Company ${String(i).padStart(5, '0')}`,
          region: 'us',
          status: i % 10 === 0 ? 'setup' : 'active',
          mspId: msp.account.id,
          website: null,
          country: 'US',
          address: null,
          seatsTotal: 50,
          defaultLanguage: 'en',
          settings: {},
          createdAt: created,
        });
      }
    });
    // A year of days for every company, in one statement per database (seats vary by company and day).
    const first = new Date(Date.UTC(2025, 0, 1));
    if (isPg(db)) {
      await db.raw(
        `insert into usage_snapshots (account_id, day, msp_id, seats_filled, seats_total, status, taken_at)
         select a.id, to_char(date '2025-01-01' + d, 'YYYY-MM-DD'), a.msp_id, (abs(hashtext(a.id)) % 40) + (d % 7), 50,
                case when d % 97 = 0 then 'frozen' else a.status end, now()
           from accounts a cross join generate_series(0, ?) d where a.kind = 'company'`,
        [DAYS - 1],
      );
    } else {
      await db.raw(
        `with recursive d(n) as (select 0 union all select n + 1 from d where n < ?)
         insert into usage_snapshots (account_id, day, msp_id, seats_filled, seats_total, status, taken_at)
         select a.id, date('2025-01-01', '+' || d.n || ' days'), a.msp_id, (abs(unicode(substr(a.id, 1, 1)) * 7 + length(a.name)) % 40) + (d.n % 7), 50,
                case when d.n % 97 = 0 then 'frozen' else a.status end, ?
           from accounts a, d where a.kind = 'company'`,
        [DAYS - 1, new Date().toISOString()],
      );
    }
    // The monthly sums the snapshots keep as they are taken one day at a time.
    await unitOfWork(db, (tx) => rebuildMonths(tx));
    await db.raw('analyze');
    const [{ n }] = (await db('usage_snapshots').count({ n: '*' })) as Array<{ n: number | string }>;
    const seed = (Date.now() - t0) / 1000;
    const last = new Date(first.getTime() + (DAYS - 1) * 86_400_000).toISOString().slice(0, 10);
    const year = await timed(RUNS, () => asOp(db, (ctx) => usageOfMsp(ctx, msp.account.id, '2025-01-01', last)));
    const month = await timed(RUNS, () => asOp(db, (ctx) => usageOfMsp(ctx, msp.account.id, '2025-06-01', '2025-06-30')));
    // A range cut mid-month at both ends: whole months from the sums, the edges from the daily rows.
    const ragged = await timed(RUNS, () => asOp(db, (ctx) => usageOfMsp(ctx, msp.account.id, '2025-01-16', '2025-12-15')));
    const rows = await asOp(db, (ctx) => usageOfMsp(ctx, msp.account.id, '2025-01-01', last));
    if (rows.length !== COMPANIES) throw new Error(`expected ${COMPANIES} companies, got ${rows.length}`);
    if (rows.some((r) => r.days !== DAYS)) throw new Error('a company is missing days');
    // Today's snapshot of every company (the worker's daily job), then the same again (takes none).
    let snap = 0;
    const s0 = process.hrtime.bigint();
    snap = (await asOp(db, (ctx) => snapshotUsage(ctx))).taken;
    const snapMs = Number(process.hrtime.bigint() - s0) / 1e6;
    const a0 = process.hrtime.bigint();
    const again = (await asOp(db, (ctx) => snapshotUsage(ctx))).taken;
    const againMs = Number(process.hrtime.bigint() - a0) / 1e6;
    const f = (x: number) => x.toFixed(1);
    return [
      `| ${kind} | ${COMPANIES.toLocaleString('en')} × ${DAYS} = ${Number(n).toLocaleString('en')} rows (seeded in ${seed.toFixed(0)} s) | year: p50 ${f(year.p50)} / p99 ${f(year.p99)} / max ${f(year.max)} ms | month: p50 ${f(month.p50)} / p99 ${f(month.p99)} ms | 16 Jan–15 Dec: p50 ${f(ragged.p50)} / p99 ${f(ragged.p99)} ms | snapshot of ${snap.toLocaleString('en')} companies ${f(snapMs)} ms; again ${again} taken in ${f(againMs)} ms |`,
    ];
  } finally {
    if (kind === 'postgres') await db.raw(`drop schema if exists ${tag} cascade`).catch(() => undefined);
    await db.destroy();
    for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
  }
}

async function main(): Promise<void> {
  const lines = [
    '# Usage ledger at size',
    '',
    `Produced by \`npx tsx bench/usage-ledger.ts --db ${DBS.join(',')} --companies ${COMPANIES} --days ${DAYS} --runs ${RUNS}\` on ${new Date().toISOString()}`,
    `(${os.cpus().length} CPUs, Node ${process.version}; load average before: ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(' / ')}).`,
    '`usage --msp --from --to` is timed through the domain use case (one transaction, as the CLI and REST run it), each',
    `of ${RUNS} runs after one warm-up; every answer lists every company once with all its days.`,
    '',
    '| database | ledger | whole year | one month | 16 Jan–15 Dec | daily snapshot |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const kind of DBS) lines.push(...(await one(kind)));
  const out = lines.join('\n') + '\n';
  process.stdout.write(out);
  fs.writeFileSync(path.join(__dirname, 'RESULTS-usage.md'), out);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
