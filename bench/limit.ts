// The machine's limit for the four hot SCIM ops (issue 20): node:http + better-sqlite3, prepared statements, a
// hashed bearer token, SCIM JSON rendered from the row, POST with an outbox and an audit row in one transaction.
import crypto from 'node:crypto';
import http from 'node:http';
import Database from 'better-sqlite3';

const sha = (s: string) => crypto.createHash('sha256').update(s).digest('hex');
const db = new Database(process.env.LIMIT_DB ?? ':memory:');
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.exec(`create table if not exists tokens (hash text primary key, account_id text not null);
create table if not exists users (id text primary key, account_id text not null, user_name text not null, user_name_ci text not null,
  given_name text, family_name text, email text, active integer not null, version integer not null, created_at text not null, updated_at text not null);
create unique index if not exists users_name on users (account_id, user_name_ci);
create index if not exists users_page on users (account_id, created_at, id);
create table if not exists outbox (id integer primary key, topic text not null, payload text not null, created_at text not null);
create table if not exists audit (id integer primary key, account_id text not null, action text not null, target text, created_at text not null);`);
const ACCOUNT = 'acct';
db.prepare('insert or replace into tokens values (?, ?)').run(sha(process.env.LIMIT_TOKEN ?? 'limit'), ACCOUNT);
const insertUser = db.prepare('insert into users values (?, ?, ?, ?, ?, ?, ?, 1, 1, ?, ?)');
const seed = db.transaction((prefix: string, count: number, firstAt: number) => {
  for (let i = 0; i < count; i++) {
    const at = new Date(firstAt + i).toISOString();
    const name = `${prefix}${i}@bulk.example`;
    insertUser.run(crypto.randomUUID(), ACCOUNT, name, name, `${prefix}${i}`, 'Bulk', name, at, at);
  }
});
const now = Date.now();
seed('user', Number(process.env.LIMIT_USERS ?? 10_000), now);
seed('pool', Number(process.env.LIMIT_POOL ?? 0), now + Number(process.env.LIMIT_USERS ?? 10_000));
db.exec('analyze');

const tokenOf = db.prepare('select account_id from tokens where hash = ?').pluck();
const byId = db.prepare('select * from users where account_id = ? and id = ?');
const byName = db.prepare('select * from users where account_id = ? and user_name_ci = ?');
const count = db.prepare('select count(*) from users where account_id = ?').pluck();
const page = db.prepare('select * from users where account_id = ? order by created_at, id limit ? offset ?');
const addOutbox = db.prepare('insert into outbox (topic, payload, created_at) values (?, ?, ?)');
const addAudit = db.prepare('insert into audit (account_id, action, target, created_at) values (?, ?, ?, ?)');
const create = db.transaction((u: Record<string, string>) => {
  insertUser.run(u.id, ACCOUNT, u.userName, u.userName.toLowerCase(), u.givenName, u.familyName, u.email, u.at, u.at);
  addOutbox.run('invite', JSON.stringify({ memberId: u.id }), u.at);
  addAudit.run(ACCOUNT, 'member.provisioned', u.id, u.at);
});
type Row = Record<string, string | number>;
const render = (r: Row) =>
  `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"${r.id}","userName":${JSON.stringify(r.user_name)},` +
  `"name":{"givenName":${JSON.stringify(r.given_name)},"familyName":${JSON.stringify(r.family_name)}},` +
  `"emails":[{"value":${JSON.stringify(r.email)},"type":"work","primary":true}],"active":${r.active ? 'true' : 'false'},` +
  `"meta":{"resourceType":"User","created":"${r.created_at}","lastModified":"${r.updated_at}","location":"/scim/v2/Users/${r.id}","version":"W/\\"${r.version}\\""}}`;
const list = (total: number, start: number, rows: Row[]) =>
  `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":${total},"startIndex":${start},"itemsPerPage":${rows.length},"Resources":[${rows.map(render).join(',')}]}`;
const FILTER = /^userName eq "([^"]*)"$/i;

const server = http.createServer((req, res) => {
  const reply = (status: number, body?: string) => {
    res.writeHead(status, body ? { 'content-type': 'application/scim+json' } : {});
    res.end(body);
  };
  if (req.url === '/bench/ids') return reply(200, JSON.stringify(db.prepare('select id from users order by created_at, id').pluck().all()));
  const auth = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '');
  if (!auth || !tokenOf.get(sha(auth[1]!))) return reply(401, '{"status":"401"}');
  const url = new URL(req.url ?? '/', 'http://x');
  const m = /^\/scim\/v2\/Users(?:\/([^/]+))?$/.exec(url.pathname);
  if (!m) return reply(404, '{"status":"404"}');
  if (req.method === 'GET' && m[1]) {
    const row = byId.get(ACCOUNT, m[1]) as Row | undefined;
    return row ? reply(200, render(row)) : reply(404, '{"status":"404"}');
  }
  if (req.method === 'GET') {
    const f = FILTER.exec(url.searchParams.get('filter') ?? '');
    if (f) {
      const row = byName.get(ACCOUNT, f[1]!.toLowerCase()) as Row | undefined;
      return reply(200, list(row ? 1 : 0, 1, row ? [row] : []));
    }
    const start = Math.max(1, Number(url.searchParams.get('startIndex') ?? 1));
    const n = Math.min(1000, Number(url.searchParams.get('count') ?? 100));
    return reply(200, list(count.get(ACCOUNT) as number, start, page.all(ACCOUNT, n, start - 1) as Row[]));
  }
  if (req.method !== 'POST' || m[1]) return reply(405, '{"status":"405"}');
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    try {
      const b = JSON.parse(Buffer.concat(chunks).toString()) as { userName: string; name?: Row; emails?: Row[] };
      const at = new Date().toISOString();
      const u = {
        id: crypto.randomUUID(),
        userName: b.userName,
        givenName: String(b.name?.givenName),
        familyName: String(b.name?.familyName),
        email: String(b.emails?.[0]?.value),
        at,
      };
      create(u);
      reply(201, render(byId.get(ACCOUNT, u.id) as Row));
    } catch {
      reply(400, '{"status":"400"}');
    }
  });
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => process.stdout.write(`{"listening":${(server.address() as { port: number }).port}}\n`));
