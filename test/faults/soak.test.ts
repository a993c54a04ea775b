// Soak: mixed SCIM load on `mspbridge start` (PostgreSQL + Redis + SMTP) for SOAK_MS (2 minutes by
// default in CI; `SOAK_MS=600000 npm run test:faults -- test/faults/soak.test.ts` for the full 10).
// No error, resident memory grows < 10%, open handles and DB connections do not grow.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { migrateLatest, openDb } from '../../src/db/knex';
import { createMsp } from '../../src/domain/accounts';
import { addCompany } from '../../src/domain/companies';
import { createScimToken } from '../../src/domain/scimTokens';
import { REDIS_URL } from '../helpers/app';
import { asOp } from '../helpers/ctx';
import { testDbUrl } from '../helpers/db';
import { scimClientFor, userBody } from '../helpers/scim';
import { startSmtp } from '../helpers/smtp';
import { liveHeapMb, openFds, record, rssMb, spawnMode, tally } from './harness';

const SOAK_MS = Number(process.env.SOAK_MS ?? 120_000);
const CLIENTS = 12;
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/** The process' TCP sockets (from /proc), as [local port, remote port] of established connections. */
function tcpConnections(pid: number): Array<[number, number]> {
  const inodes = new Set<string>();
  for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    } catch {
      // closed while we looked
    }
  }
  const out: Array<[number, number]> = [];
  for (const table of ['tcp', 'tcp6']) {
    const lines = fs.readFileSync(`/proc/${pid}/net/${table}`, 'utf8').trim().split('\n').slice(1);
    for (const line of lines) {
      const cols = line.trim().split(/\s+/);
      if (cols[3] === '01' && inodes.has(cols[9]!)) out.push([parseInt(cols[1]!.split(':').pop()!, 16), parseInt(cols[2]!.split(':').pop()!, 16)]);
    }
  }
  return out;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

describe('soak', () => {
  it(
    `holds ${Math.round(SOAK_MS / 1000)} s of mixed SCIM load: no error, flat memory, handles and DB connections`,
    async () => {
      const smtp = await startSmtp();
      const { url, drop } = testDbUrl('postgres');
      const db = openDb({ url, poolMax: 2 });
      await migrateLatest(db);
      const msp = await asOp(db, (ctx) => createMsp(ctx, { name: 'Soak MSP', region: 'eu', ownerEmail: 'o@soak.example' }, ['eu']));
      const company = await asOp(db, (ctx) => addCompany(ctx, { mspId: msp.account.id, name: 'Soak Co', country: 'DE', seats: 1_000_000 }));
      const { token } = await asOp(db, (ctx) => createScimToken(ctx, company.id));
      const probeFile = path.join(os.tmpdir(), `mspbridge-soak-gc-${process.pid}.json`);
      const proc = await spawnMode('start', {
        DATABASE_URL: url,
        DATABASE_POOL_MAX: '8',
        REDIS_URL,
        QUEUE_PREFIX: `soak-${crypto.randomBytes(4).toString('hex')}`,
        SMTP_URL: smtp.url,
        SECRET_KEY: 'soak-secret-key-0123456789-abcdefghijkl',
        SCIM_RATE_PER_TOKEN: '100000',
        DATA_DIR: path.join(os.tmpdir(), 'mspbridge-soak-data'),
        PUBLIC_URL: 'http://127.0.0.1',
        NODE_OPTIONS: `--expose-gc --require ${path.join(__dirname, 'gc-probe.js')}`,
        GC_PROBE_FILE: probeFile,
      });
      const pid = proc.child.pid!;
      const c = scimClientFor(proc.url!, token, company.id);
      try {
        // A standing population and groups to read and patch.
        const people: string[] = [];
        for (let i = 0; i < 200; i++) people.push((await c.req<{ id: string }>('POST', '/Users', userBody(`base${i}@soak.example`))).body.id);
        const groups: string[] = [];
        for (let g = 0; g < 5; g++) {
          const r = await c.req<{ id: string }>('POST', '/Groups', {
            schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
            displayName: `soak ${g}`,
            members: people.slice(g * 20, g * 20 + 20).map((value) => ({ value })),
          });
          groups.push(r.body.id);
        }

        const statuses: number[] = [];
        const errors: string[] = [];
        const samples: Array<{ at: number; rss: number; fds: number; pg: number }> = [];
        const started = Date.now();
        let seq = 0;
        // Handles: open fds less the HTTP connections our own clients hold open (their number is the clients' business).
        const sample = () => {
          const tcp = tcpConnections(pid);
          const inbound = tcp.filter(([local]) => local === proc.port).length;
          samples.push({ at: Date.now() - started, rss: rssMb(pid), fds: openFds(pid) - inbound, pg: tcp.filter(([, remote]) => remote === 5432).length });
        };
        // Every second: RSS saws up and down by ±25% with V8's collections, so the medians need many samples.
        const sampler = setInterval(sample, 1000);
        // Live heap after a full GC, once warmed up (a fifth of the run) and at the end.
        let liveEarly = 0;
        const liveTimer = setTimeout(() => void liveHeapMb(proc.child, probeFile).then((mb) => (liveEarly = mb)), Math.max(10_000, SOAK_MS * 0.3));
        const client = async (k: number) => {
          const mine: string[] = [];
          while (Date.now() - started < SOAK_MS) {
            const n = seq++;
            const roll = n % 20;
            let ok: number[];
            let r;
            if (roll < 8) {
              ok = [200];
              r = await c.req('GET', `/Users?filter=${encodeURIComponent(`userName eq "base${n % 200}@soak.example"`)}`);
            } else if (roll < 12) {
              ok = [200];
              r = await c.req('GET', `/Users/${people[n % people.length]}`);
            } else if (roll < 14) {
              ok = [200];
              r = await c.req('GET', `/Users?startIndex=${1 + (n % 150)}&count=50`);
            } else if (roll < 16) {
              ok = [201];
              r = await c.req<{ id: string }>('POST', '/Users', userBody(`s${k}-${n}@soak.example`));
              if (r.status === 201) mine.push(r.body.id);
            } else if (roll < 17) {
              ok = [200];
              r = await c.req('PATCH', `/Users/${people[n % people.length]}`, {
                schemas: [PATCH_OP],
                Operations: [{ op: 'replace', path: 'displayName', value: `Person ${n}` }],
              });
            } else if (roll < 19) {
              ok = [200, 204];
              const member = people[(n * 7) % people.length]!;
              r = await c.req('PATCH', `/Groups/${groups[n % groups.length]}`, {
                schemas: [PATCH_OP],
                Operations: [n % 2 ? { op: 'add', path: 'members', value: [{ value: member }] } : { op: 'remove', path: `members[value eq "${member}"]` }],
              });
            } else {
              ok = [204];
              const id = mine.shift();
              r = id ? await c.req('DELETE', `/Users/${id}`) : await c.req('GET', '/ServiceProviderConfig');
              if (!id) ok = [200];
            }
            statuses.push(r.status);
            if (!ok.includes(r.status) && errors.length < 20) errors.push(`${r.status} ${r.text.slice(0, 200)}`);
          }
        };
        await Promise.all(Array.from({ length: CLIENTS }, (_, k) => client(k)));
        clearInterval(sampler);
        clearTimeout(liveTimer);
        const seconds = (Date.now() - started) / 1000;
        const liveLate = await liveHeapMb(proc.child, probeFile);
        const liveGrowth = (liveLate - liveEarly) / liveEarly;
        console.log(
          `soak ${Math.round(seconds)} s: ${statuses.length} requests, live heap ${liveEarly} -> ${liveLate} MB; samples (s rss fds pg): ${samples
            .filter((_, i) => i % 10 === 0)
            .map((x) => `${Math.round(x.at / 1000)} ${Math.round(x.rss)} ${x.fds} ${x.pg}`)
            .join(', ')}`,
        );

        expect(errors).toEqual([]);
        expect(samples.length).toBeGreaterThanOrEqual(30);
        // After warm-up (the first fifth) against the last fifth, medians to ride over GC sawtooth.
        const fifth = Math.max(2, Math.floor(samples.length / 5));
        const early = samples.slice(fifth, 2 * fifth);
        const late = samples.slice(-fifth);
        const rssEarly = median(early.map((s) => s.rss));
        const rssLate = median(late.map((s) => s.rss));
        const growth = (rssLate - rssEarly) / rssEarly;
        expect(liveEarly).toBeGreaterThan(0);
        expect(liveGrowth).toBeLessThan(0.1);
        expect(growth).toBeLessThan(0.1);
        const fdsEarly = Math.max(...early.map((s) => s.fds));
        const fdsLate = median(late.map((s) => s.fds));
        expect(fdsLate).toBeLessThanOrEqual(fdsEarly + 2);
        const pgMax = Math.max(...samples.map((s) => s.pg));
        expect(pgMax).toBeLessThanOrEqual(8 + 2); // the pool (serve) plus the worker's own small pool
        expect(median(late.map((s) => s.pg))).toBeLessThanOrEqual(Math.max(...early.map((s) => s.pg)));

        record({
          scenario: `Soak: ${Math.round(seconds / 60)} min of mixed SCIM load`,
          injected: `${CLIENTS} clients back to back for ${Math.round(seconds)} s on \`mspbridge start\` (PostgreSQL, Redis, SMTP): 40% filter, 20% get, 10% page, 10% create, 5% PATCH user, 10% PATCH group, 5% delete`,
          checked: [
            'no unexpected status',
            'RSS growth < 10% (median of the last fifth vs the second fifth of samples)',
            'live heap after a full GC grows < 10% from 30% of the run to its end',
            'open fds and PostgreSQL connections do not grow',
          ],
          figures: {
            requests: statuses.length,
            reqPerSecond: Math.round(statuses.length / seconds),
            statuses: JSON.stringify(tally(statuses)),
            errors: errors.length,
            rssEarlyMb: Math.round(rssEarly),
            rssLateMb: Math.round(rssLate),
            rssGrowthPercent: Math.round(growth * 1000) / 10,
            liveHeapEarlyMb: liveEarly,
            liveHeapLateMb: liveLate,
            liveHeapGrowthPercent: Math.round(liveGrowth * 1000) / 10,
            fdsEarly,
            fdsLate,
            pgConnectionsMax: pgMax,
            samples: samples.length,
          },
          command: `SOAK_MS=${SOAK_MS} npm run test:faults -- test/faults/soak.test.ts`,
        });
      } finally {
        await proc.stop();
        await db.destroy();
        await drop();
        await smtp.close();
      }
    },
    SOAK_MS + 300_000,
  );
});
