// 10,000 generated SCIM requests against one real `mspbridge serve`, 16 at a time over raw HTTP
// (no URL normalisation: path traversal, bad percent-encoding and latin-1 bytes reach the server as
// sent). Methods, paths, query strings, filters, headers, content types and bodies (valid-ish SCIM,
// random JSON, deeply nested, huge, non-JSON, invalid UTF-8, lone surrogates, NUL, RTL, emoji) come
// from fast-check with a fixed seed. Every answer is 2xx/304 or a proper SCIM error, never a 5xx,
// a stack trace or HTML; the process's memory and file handles stay flat.
import crypto from 'node:crypto';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { migrateLatest, openDb } from '../../src/db/knex';
import { createMsp } from '../../src/domain/accounts';
import { addCompany } from '../../src/domain/companies';
import { createScimToken } from '../../src/domain/scimTokens';
import { REDIS_URL } from '../helpers/app';
import { asOp } from '../helpers/ctx';
import { type Dialect, testDbUrl } from '../helpers/db';
import { liveHeapMb, openFds, pool, record, rssMb, spawnMode, tally } from './harness';

const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const USER_URN = 'urn:ietf:params:scim:schemas:core:2.0:User';
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 10_000);
const WARMUP = Math.min(1000, Math.floor(REQUESTS / 10));
const CONCURRENCY = 16;
const SEED = Number(process.env.FUZZ_SEED ?? 20260301);
const DIALECT = (process.env.FUZZ_DB ?? 'sqlite') as Dialect;
/** A stack frame, a file of ours, or a page: none of these may ever reach a client. */
const LEAKY = /\n\s+at |\bat [\w$.<>]+ \(|node:internal|\/src\/|\/dist\/|\.[jt]s:\d+|<html|<!doctype|<body|SQLITE_|syntax error at or near|knex|sqlstate/i;

// ---------------------------------------------------------------------------------------------
// Text

/** Percent-encodes a string as UTF-8, lone surrogates as their WTF-8 bytes (what a sloppy client sends). */
function enc(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const next = s.charCodeAt(i + 1);
    if (c >= 0xd800 && c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      out += encodeURIComponent(s.slice(i, i + 2));
      i++;
    } else if (c >= 0xd800 && c <= 0xdfff) {
      out += [0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
    } else {
      out += encodeURIComponent(s[i]!);
    }
  }
  return out;
}

/**
 * Keeps printable ASCII as is (a stray "%" makes a malformed escape) and encodes the rest. Raw bytes
 * above 0x7f in a request line are refused by Node's HTTP parser itself (a bare 400 before any
 * application code runs), so they are sent percent-encoded.
 */
function loose(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    out += ch.length === 1 && c >= 0x21 && c <= 0x7e ? ch : enc(ch);
  }
  return out;
}

const SPICE = [
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udfff',
  'x\udbff',
  '\u202eevil\u202c',
  '\u05e9\u05dc\u05d5\u05dd',
  '\u0645\u0631\u062d\u0628\u0627',
  '😀',
  '👍🏽',
  '👨‍👩‍👧',
  'İ',
  'ß',
  'ﬀ',
  'ǅ',
  'a\u0301',
  '\ufeff',
  '\u2028',
  '\t\r\n',
  '"',
  '\\',
  "'",
  '%',
  '%00',
  '%ZZ',
  '../',
  '..%2f',
  '<script>alert(1)</script>',
  "'; drop table members;--",
  '${jndi:ldap://x}',
  '{{7*7}}',
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
  'null',
  'undefined',
  '__proto__',
  'constructor',
];

const spice = fc.constantFrom(...SPICE);
const text = (maxLength = 24): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 3, arbitrary: fc.string({ maxLength }) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength }) },
    { weight: 3, arbitrary: spice },
    { weight: 2, arbitrary: fc.tuple(fc.string({ maxLength: 6 }), spice, fc.string({ unit: 'binary', maxLength: 6 })).map((p) => p.join('')) },
    { weight: 1, arbitrary: fc.integer({ min: 200, max: 3000 }).map((n) => 'x'.repeat(n)) },
  );

// ---------------------------------------------------------------------------------------------
// SCIM vocabulary

const ATTRS = [
  'id',
  'userName',
  'USERNAME',
  'name',
  'name.givenName',
  'name.familyName',
  'displayName',
  'nickName',
  'title',
  'externalId',
  'active',
  'emails',
  'emails.value',
  'emails.type',
  'emails.primary',
  'phoneNumbers.value',
  'addresses.locality',
  'x509Certificates.value',
  'roles.value',
  'entitlements',
  'locale',
  'preferredLanguage',
  'timezone',
  'groups',
  'groups.value',
  'groups.display',
  'groups.$ref',
  'members',
  'members.value',
  'members.display',
  'members.type',
  'members.$ref',
  'meta',
  'meta.created',
  'meta.lastModified',
  'meta.version',
  'meta.location',
  'meta.resourceType',
  'password',
  `${USER_URN}:userName`,
  `${USER_URN}:name.givenName`,
  `${ENTERPRISE}:employeeNumber`,
  `${ENTERPRISE}:manager.value`,
  `${ENTERPRISE}:manager`,
  ENTERPRISE,
  'urn:scim:schemas:core:1.0:userName',
  'urn:x:y:1.0:Thing:foo',
  'foo',
  'foo.bar',
  'schemas',
  'a.b.c',
  '',
];
const attr = fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...ATTRS) }, { weight: 1, arbitrary: text(12) });
const OPS = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le', 'EQ', 'Eq', 'pr', 'xx', ''];
const literal = fc.oneof(
  { weight: 4, arbitrary: text(16).map((s) => JSON.stringify(s)) },
  { weight: 1, arbitrary: text(8).map((s) => `"${s}"`) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'true',
      'false',
      'null',
      'True',
      '"True"',
      '1e999',
      '-1e999',
      '1e-400',
      '-0',
      '00',
      '0x10',
      '9'.repeat(40),
      '1.5',
      '-7',
      'NaN',
      'Infinity',
    ),
  },
  { weight: 1, arbitrary: fc.integer().map(String) },
  { weight: 1, arbitrary: fc.double().map(String) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(
        '2020-01-01T00:00:00Z',
        '-000001-01-01T00:00:00Z',
        '+275760-09-13T00:00:00Z',
        '0000-01-01',
        '9999-12-31T23:59:59.999Z',
        '2020-02-30',
        '1',
        '99999-01-01',
        '+010000-01-01T00:00:00Z',
        '1970-01-01T00:00:00+14:00',
        'Tue, 01 Jan 30000 00:00:00 GMT',
      )
      .map((s) => JSON.stringify(s)),
  },
);
const comparison = fc.oneof(
  { weight: 5, arbitrary: fc.tuple(attr, fc.constantFrom(...OPS), literal).map(([a, o, v]) => `${a} ${o} ${v}`) },
  { weight: 1, arbitrary: attr.map((a) => `${a} pr`) },
);
const { filterExpr } = fc.letrec<{ filterExpr: string }>((tie) => ({
  filterExpr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 5, arbitrary: comparison },
    { weight: 2, arbitrary: fc.tuple(tie('filterExpr'), fc.constantFrom('and', 'or', 'AND', 'Or'), tie('filterExpr')).map(([l, o, r]) => `${l} ${o} ${r}`) },
    { weight: 1, arbitrary: tie('filterExpr').map((f) => `not (${f})`) },
    { weight: 1, arbitrary: tie('filterExpr').map((f) => `(${f})`) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom('emails', 'members', 'groups', 'addresses', 'name', 'foo', 'phoneNumbers'), comparison)
        .map(([a, c]) => `${a}[${c.replace(/^[^ ]*/, 'value')}]`),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom('emails', 'members', 'x509Certificates'), comparison, fc.constantFrom('.value', '.type', ''))
        .map(([a, c, s]) => `${a}[type eq "work" and ${c}]${s}`),
    },
  ),
}));
/** Mutations of well-formed filters (a dropped bracket, a stray token) and plain garbage. */
const filter = fc.oneof(
  { weight: 6, arbitrary: filterExpr },
  {
    weight: 3,
    arbitrary: fc
      .tuple(
        filterExpr,
        fc.nat(),
        fc.nat({ max: 6 }),
        fc.oneof(spice, fc.constantFrom('(', ')', '[', ']', '"', ' and ', ' or ', 'not', ' eq ', '.', ':', '\\"')),
      )
      .map(([f, at, len, ins]) => {
        const i = at % (f.length + 1);
        return f.slice(0, i) + ins + f.slice(i + len);
      }),
  },
  { weight: 1, arbitrary: text(40) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 60 }).map((n) => `${'('.repeat(n)}userName pr${')'.repeat(n)}`) },
  { weight: 1, arbitrary: fc.integer({ min: 10, max: 300 }).map((n) => Array.from({ length: n }, (_, i) => `userName eq "u${i}"`).join(' or ')) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 60 }).map((n) => `${'not ('.repeat(n)}active eq true${')'.repeat(n)}`) },
);

// ---------------------------------------------------------------------------------------------
// Bodies

interface Ids {
  users: string[];
  groups: string[];
}

const json = fc.jsonValue({ maxDepth: 4 });
const bool = fc.oneof(fc.boolean(), fc.constantFrom('True', 'False', 'true', 'yes', 1, 0, null, 'null', [] as unknown, {} as unknown));
const extraAttrs = fc.dictionary(
  fc.oneof(fc.constantFrom(...ATTRS), text(10)),
  fc.oneof(json, fc.constant([null, 1]), fc.constant([{ value: null }]), fc.constant({ bar: [null] })),
  { maxKeys: 3 },
);

/** A User an IdP could send (mostly accepted), with the odd extra attribute. */
function plausibleUser(ids: Ids): fc.Arbitrary<unknown> {
  return fc.record(
    {
      schemas: fc.constantFrom([USER_URN], [USER_URN, ENTERPRISE], ['urn:scim:schemas:core:1.0']),
      userName: fc.tuple(fc.emailAddress(), fc.oneof(fc.constant(''), spice)).map(([e, x]) => (x && !/[\u0000\ud800-\udfff]/.test(x) ? `${x}.${e}` : e)),
      name: fc.record({ givenName: text(10), familyName: text(10) }, { requiredKeys: [] }),
      emails: fc.array(fc.record({ value: fc.emailAddress(), type: fc.constantFrom('work', 'home'), primary: fc.boolean() }), { maxLength: 2 }),
      active: fc.constantFrom(true, false, 'True', 'False'),
      externalId: fc.uuid(),
      displayName: fc.string({ unit: 'grapheme', maxLength: 20 }),
      title: fc.string({ unit: 'grapheme', maxLength: 20 }),
      locale: fc.constantFrom('de-DE', 'en-US', 'he-IL', 'ar-EG'),
      [ENTERPRISE]: fc.record(
        {
          employeeNumber: fc.string({ maxLength: 8 }),
          department: fc.string({ unit: 'grapheme', maxLength: 12 }),
          manager: fc.record({ value: fc.constantFrom(...ids.users) }),
        },
        { requiredKeys: [] },
      ),
      foo: fc.oneof(json, fc.constant([null, 1]), fc.constant([{ bar: null }, 2])),
    },
    { requiredKeys: ['userName'] },
  );
}

function userBody(ids: Ids): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 1, arbitrary: plausibleUser(ids) }, { weight: 1, arbitrary: wildUser(ids) });
}

function wildUser(ids: Ids): fc.Arbitrary<unknown> {
  return fc
    .record(
      {
        schemas: fc.oneof(fc.constant([USER_URN]), fc.constant([USER_URN, ENTERPRISE]), fc.constant(['urn:scim:schemas:core:1.0']), json),
        userName: fc.oneof({ weight: 5, arbitrary: text(20) }, { weight: 3, arbitrary: fc.emailAddress() }, { weight: 1, arbitrary: json }),
        name: fc.oneof(fc.record({ givenName: text(10), familyName: text(10), formatted: text(10) }, { requiredKeys: [] }), json),
        emails: fc.oneof(
          fc.array(
            fc.record(
              { value: fc.oneof(fc.emailAddress(), text(10), json), type: fc.constantFrom('work', 'home', 'WORK', ''), primary: bool },
              { requiredKeys: [] },
            ),
            { maxLength: 3 },
          ),
          json,
        ),
        active: bool,
        externalId: fc.oneof(text(12), json),
        displayName: text(16),
        preferredLanguage: fc.oneof(fc.constantFrom('de', 'en-US', 'xx', 'de-CH'), text(8)),
        groups: fc.array(fc.record({ value: fc.constantFrom(...ids.groups, crypto.randomUUID()) }), { maxLength: 2 }),
        password: text(10),
        [ENTERPRISE]: fc.oneof(
          fc.record(
            { employeeNumber: text(8), manager: fc.oneof(fc.constantFrom(...ids.users), fc.record({ value: fc.constantFrom(...ids.users, 'nobody') }), json) },
            { requiredKeys: [] },
          ),
          json,
        ),
      },
      { requiredKeys: [] },
    )
    .chain((u) => extraAttrs.map((x) => ({ ...x, ...u })));
}

function plausibleGroup(ids: Ids): fc.Arbitrary<unknown> {
  return fc.record(
    {
      schemas: fc.constant(['urn:ietf:params:scim:schemas:core:2.0:Group']),
      displayName: fc.tuple(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 16 }), fc.nat()).map(([n, i]) => `${n} ${i}`),
      externalId: fc.uuid(),
      members: fc.subarray(ids.users).map((m) => m.map((value) => ({ value }))),
    },
    { requiredKeys: ['displayName'] },
  );
}

function groupBody(ids: Ids): fc.Arbitrary<unknown> {
  return fc.oneof(plausibleGroup(ids), wildGroup(ids));
}

function wildGroup(ids: Ids): fc.Arbitrary<unknown> {
  const member = fc.oneof(
    fc.record(
      {
        value: fc.oneof(fc.constantFrom(...ids.users), fc.uuid(), text(8), json),
        $ref: fc.oneof(fc.webUrl(), text(8)),
        type: fc.constantFrom('User', 'Group', 'user', 'x'),
        display: text(8),
      },
      { requiredKeys: ['value'] },
    ),
    fc.constantFrom(...ids.users),
    json,
  );
  return fc
    .record(
      {
        displayName: fc.oneof({ weight: 4, arbitrary: text(16) }, { weight: 1, arbitrary: json }),
        externalId: text(10),
        members: fc.oneof({ weight: 4, arbitrary: fc.array(member, { maxLength: 4 }) }, { weight: 1, arbitrary: json }),
      },
      { requiredKeys: [] },
    )
    .chain((g) => extraAttrs.map((x) => ({ ...x, ...g })));
}

function plausiblePatch(ids: Ids): fc.Arbitrary<unknown> {
  const id = fc.constantFrom(...ids.users);
  const op = fc.oneof(
    fc.record({ op: fc.constantFrom('replace', 'Replace'), path: fc.constant('active'), value: fc.constantFrom(true, false, 'False') }),
    fc.record({
      op: fc.constantFrom('add', 'Add'),
      path: fc.constant('members'),
      value: fc.subarray(ids.users, { minLength: 1 }).map((m) => m.map((value) => ({ value }))),
    }),
    fc.record({ op: fc.constant('remove'), path: id.map((i) => `members[value eq "${i}"]`) }),
    fc.record({
      op: fc.constant('replace'),
      path: fc.constantFrom('displayName', 'title', 'name.givenName', 'nickName'),
      value: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }),
    }),
    fc.record({
      op: fc.constant('replace'),
      value: fc.record({ active: fc.boolean(), displayName: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }) }),
    }),
    fc.record({ op: fc.constant('add'), path: fc.constant('emails[type eq "work"].value'), value: fc.emailAddress() }),
    fc.record({ op: fc.constant('remove'), path: fc.constantFrom('title', 'nickName', 'emails[type eq "home"]', `${ENTERPRISE}:department`) }),
  );
  return fc.record({ schemas: fc.constant(['urn:ietf:params:scim:api:messages:2.0:PatchOp']), Operations: fc.array(op, { minLength: 1, maxLength: 3 }) });
}

function patchBody(ids: Ids): fc.Arbitrary<unknown> {
  return fc.oneof(plausiblePatch(ids), wildPatch(ids));
}

function wildPatch(ids: Ids): fc.Arbitrary<unknown> {
  const pathArb = fc.oneof(
    attr,
    filter.map((f) => `emails[${f}]`),
    filter.map((f) => `members[${f}]`),
    fc.constantFrom(...ids.users).map((id) => `members[value eq "${id}"]`),
    fc
      .tuple(
        fc.constantFrom('emails', 'addresses', 'phoneNumbers'),
        fc.constantFrom('type eq "work"', 'primary eq true', 'value co "@"'),
        fc.constantFrom('.value', '.type', '', '.x.y'),
      )
      .map(([a, f, s]) => `${a}[${f}]${s}`),
    text(12),
  );
  const op = fc.record(
    {
      op: fc.constantFrom('add', 'replace', 'remove', 'Add', 'Replace', 'REMOVE', 'copy', '', 7 as unknown as string),
      path: fc.option(pathArb, { nil: undefined }),
      value: fc.oneof(json, userBody(ids), fc.array(fc.record({ value: fc.constantFrom(...ids.users) }), { maxLength: 3 }), bool),
    },
    { requiredKeys: ['op'] },
  );
  return fc.record({
    schemas: fc.oneof(fc.constant(['urn:ietf:params:scim:api:messages:2.0:PatchOp']), json),
    Operations: fc.oneof({ weight: 6, arbitrary: fc.array(op, { maxLength: 5 }) }, { weight: 1, arbitrary: json }),
  });
}

function bulkBody(ids: Ids): fc.Arbitrary<unknown> {
  const bulkIds = fc.constantFrom('a', 'b', 'c', 'bulkId:a', '', 'é');
  const opPath = fc.oneof(
    fc.constantFrom(
      '/Users',
      '/Groups',
      '/Bulk',
      'Users',
      '/Users/bulkId:a',
      '/Groups/bulkId:b',
      '/Users/%E0%A4%A',
      '/Users/..%2f..',
      '/Me',
      '/Schemas',
      '/x/y/z',
      '/Users/.search',
    ),
    fc.constantFrom(...ids.users).map((id) => `/Users/${id}`),
    fc.constantFrom(...ids.groups).map((id) => `/Groups/${id}`),
    text(12).map((s) => `/${s}`),
  );
  const op = fc.record(
    {
      method: fc.constantFrom('POST', 'PUT', 'PATCH', 'DELETE', 'GET', 'post', 'HEAD', ''),
      path: opPath,
      bulkId: bulkIds,
      version: fc.constantFrom('W/"1"', '"2"', '*', 'garbage'),
      data: fc.oneof(
        userBody(ids),
        groupBody(ids),
        patchBody(ids),
        json,
        fc.constant({ members: [{ value: 'bulkId:a' }, { value: 'bulkId:b' }], displayName: 'refs' }),
      ),
    },
    { requiredKeys: ['method', 'path'] },
  );
  return fc.record(
    {
      schemas: fc.constant(['urn:ietf:params:scim:api:messages:2.0:BulkRequest']),
      failOnErrors: fc.oneof(fc.integer({ min: -1, max: 5 }), json),
      Operations: fc.oneof(
        { weight: 8, arbitrary: fc.array(op, { maxLength: 8 }) },
        { weight: 1, arbitrary: json },
        { weight: 1, arbitrary: fc.constant('many') },
      ),
    },
    { requiredKeys: ['Operations'] },
  );
}

function searchBody(): fc.Arbitrary<unknown> {
  const list = fc.oneof(fc.array(attr, { maxLength: 4 }), attr, json);
  return fc.record(
    {
      schemas: fc.constant(['urn:ietf:params:scim:api:messages:2.0:SearchRequest']),
      filter: fc.oneof({ weight: 5, arbitrary: filter }, { weight: 1, arbitrary: json }),
      attributes: list,
      excludedAttributes: list,
      sortBy: fc.oneof(attr, json),
      sortOrder: fc.constantFrom('ascending', 'descending', 'DESCENDING', 'sideways', ''),
      startIndex: fc.oneof(fc.integer(), fc.constantFrom('1', '1e99', -5, 0, 1.5, '')),
      count: fc.oneof(fc.integer(), fc.constantFrom('10', '1e99', -5, 0, 2.5, 100000)),
    },
    { requiredKeys: [] },
  );
}

/** Bodies that are not a JSON value of ours: described here, built when sent (some are megabytes). */
type Special =
  | { kind: 'deep'; depth: number; open: string; close: string }
  | { kind: 'huge'; bytes: number; shape: 'string' | 'array' | 'keys' }
  | { kind: 'text'; text: string }
  | { kind: 'bytes'; hex: string }
  | { kind: 'utf16'; value: unknown };

type Body = { kind: 'none' } | { kind: 'json'; value: unknown } | Special;

function bodyArb(ids: Ids): fc.Arbitrary<Body> {
  const asJson = (a: fc.Arbitrary<unknown>) => a.map((value): Body => ({ kind: 'json', value }));
  return fc.oneof(
    { weight: 6, arbitrary: fc.constant<Body>({ kind: 'none' }) },
    { weight: 6, arbitrary: asJson(userBody(ids)) },
    { weight: 3, arbitrary: asJson(groupBody(ids)) },
    { weight: 5, arbitrary: asJson(patchBody(ids)) },
    { weight: 3, arbitrary: asJson(bulkBody(ids)) },
    { weight: 3, arbitrary: asJson(searchBody()) },
    { weight: 3, arbitrary: asJson(fc.jsonValue({ maxDepth: 8 })) },
    {
      weight: process.env.FUZZ_NO_HEAVY ? 0 : 1,
      arbitrary: fc.record({
        kind: fc.constant('deep' as const),
        depth: fc.oneof(fc.integer({ min: 20, max: 40 }), fc.integer({ min: 41, max: 200_000 })),
        open: fc.constantFrom('[', '{"a":', '{"Operations":[', '{"userName":"x","name":'),
        close: fc.constantFrom(']', '}'),
      }),
    },
    {
      weight: process.env.FUZZ_NO_HEAVY ? 0 : 1,
      arbitrary: fc.record({
        kind: fc.constant('huge' as const),
        bytes: fc.oneof(
          { weight: 6, arbitrary: fc.integer({ min: 50_000, max: 1_500_000 }) },
          { weight: 1, arbitrary: fc.integer({ min: 4_200_000, max: 5_000_000 }) },
        ),
        shape: fc.constantFrom('string' as const, 'array' as const, 'keys' as const),
      }),
    },
    {
      weight: 3,
      arbitrary: fc
        .oneof(
          text(60),
          fc.constantFrom(
            'userName=x&active=true',
            '<?xml version="1.0"?><User><userName>x</userName></User>',
            '{"userName": "a", }',
            '{"userName":',
            '[1,]',
            'NaN',
            'Infinity',
            '',
            '   ',
            '\ufeff{"userName":"bom"}',
            '{"userName":"x"}{"userName":"y"}',
            '{"__proto__":{"admin":true},"userName":"proto"}',
            '{"userName":"dup","userName":"dup2"}',
            '{"userName":"\\ud800"}',
            '{"userName":"\\u0000"}',
            '{"a":1e999}',
            'null',
            'true',
            '"str"',
            '0',
          ),
        )
        .map((t): Body => ({ kind: 'text', text: t })),
    },
    { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 200 }).map((b): Body => ({ kind: 'bytes', hex: Buffer.from(b).toString('hex') })) },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom(
          '7b22757365724e616d65223a22eda080227d',
          '7b22757365724e616d65223a22c080227d',
          '7b22757365724e616d65223a22ff227d',
          '7b22757365724e616d65223a22e282',
          'efbbbf7b7d',
        )
        .map((hex): Body => ({ kind: 'bytes', hex })),
    },
    { weight: 1, arbitrary: userBody(ids).map((value): Body => ({ kind: 'utf16', value })) },
  );
}

function bodyBytes(b: Body): Buffer | undefined {
  switch (b.kind) {
    case 'none':
      return undefined;
    case 'json':
      return Buffer.from(JSON.stringify(b.value) ?? 'null', 'utf8');
    case 'text':
      return Buffer.from(b.text, 'utf8');
    case 'bytes':
      return Buffer.from(b.hex, 'hex');
    case 'utf16':
      return Buffer.from(JSON.stringify(b.value) ?? 'null', 'utf16le');
    case 'deep':
      return Buffer.from(b.open.repeat(b.depth) + '1' + b.close.repeat(b.depth), 'utf8');
    case 'huge':
      if (b.shape === 'string') return Buffer.from(JSON.stringify({ userName: 'huge', displayName: 'é'.repeat(Math.floor(b.bytes / 2)) }));
      if (b.shape === 'array')
        return Buffer.from(
          JSON.stringify({
            schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
            Operations: Array.from({ length: Math.floor(b.bytes / 40) }, () => ({ op: 'add', path: 'x', value: 1 })),
          }),
        );
      return Buffer.from(JSON.stringify(Object.fromEntries(Array.from({ length: Math.floor(b.bytes / 16) }, (_, i) => [`k${i}`, i]))));
  }
}

// ---------------------------------------------------------------------------------------------
// Requests

interface Req {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Body;
  auth: 'valid' | 'invalid' | 'none' | 'malformed' | 'jwt';
}

function requestArb(ids: Ids): fc.Arbitrary<Req> {
  const anyId = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...ids.users, ...ids.groups) },
    { weight: 2, arbitrary: fc.uuid() },
    { weight: 2, arbitrary: text(20).map(enc) },
    { weight: 1, arbitrary: text(20).map(loose) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '.search',
        '..',
        '%2e%2e',
        '.',
        '%2F',
        'bulkId:a',
        '%00',
        '%E0%A4%A',
        '%ZZ',
        '%',
        '%C0%AE%C0%AE',
        '%ED%A0%80',
        'x'.repeat(5000),
        '%20',
        '+',
        '%C3%A9',
        '%u0041',
        '%E9',
        '\\..\\..',
      ),
    },
  );
  const resource = fc.constantFrom('Users', 'Groups', 'users', 'GROUPS', 'Users', 'Groups');
  const p = fc.oneof(
    { weight: 10, arbitrary: resource.map((r) => `/${r}`) },
    { weight: 12, arbitrary: fc.tuple(resource, anyId).map(([r, id]) => `/${r}/${id}`) },
    { weight: 4, arbitrary: resource.map((r) => `/${r}/.search`) },
    { weight: 4, arbitrary: fc.constant('/Bulk') },
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        '/ServiceProviderConfig',
        '/ServiceProviderConfigs',
        '/Schemas',
        `/Schemas/${USER_URN}`,
        `/Schemas/${ENTERPRISE}`,
        '/Schemas/urn:x',
        '/ResourceTypes',
        '/ResourceTypes/User',
        '/ResourceTypes/Nope',
        '/.search',
        '/Me',
        '/Me/x',
        '/',
        '',
      ),
    },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        '/Foo',
        '/Users/x/y',
        '/Users/x/members',
        '/Bulk/1',
        '/Groups/.search/x',
        '/v1/Users',
        '/scim/v2/Users',
        '/Users;jsessionid=1',
        '/Users%2F..%2F..%2Fapi%2Fv1%2Fme',
      ),
    },
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        '/../api/v1/me',
        '/../../healthz',
        '/Users/../../api/v1/companies',
        '/%2e%2e/%2e%2e/api/v1/me',
        '/Users/..%2f..%2f..%2fetc%2fpasswd',
        '/..;/admin/queues',
        '//Users',
        '/Users//',
        '/./Users',
        '/Users/%2e%2e/Groups',
        '/..%00/x',
        '/%5c..%5c..%5cwindows',
        '/Users/%252e%252e',
        '/Users/%E9%FF',
      ),
    },
    { weight: 2, arbitrary: text(30).map((s) => `/${loose(s)}`) },
  );
  const param = fc.oneof(
    filter.map((f) => `filter=${enc(f)}`),
    filter.map((f) => `filter=${loose(f)}`),
    fc.array(attr, { minLength: 1, maxLength: 4 }).map((a) => `attributes=${enc(a.join(','))}`),
    fc.array(attr, { minLength: 1, maxLength: 4 }).map((a) => `excludedAttributes=${enc(a.join(','))}`),
    attr.map((a) => `sortBy=${enc(a)}`),
    fc.constantFrom('sortOrder=descending', 'sortOrder=ascending', 'sortOrder=up', 'sortOrder='),
    fc.oneof(fc.integer(), fc.constantFrom('1e99', '-1', '0', '', 'x', '1.5', '99999999999999999999')).map((v) => `startIndex=${v}`),
    fc.oneof(fc.integer(), fc.constantFrom('1e99', '-1', '0', '', 'x', '1000', '100000')).map((v) => `count=${v}`),
    fc.constantFrom(
      'filter=a&filter=b',
      'filter[]=userName%20pr',
      'filter[a]=b',
      'attributes[]=userName&attributes[]=emails',
      'a[b][c][d][e][f][g]=1',
      '__proto__[x]=1',
      'constructor[prototype][x]=1',
      '%=%',
      '=',
      '&&&',
      'filter',
      'x=%E0%A4%A',
    ),
    fc.tuple(text(8), text(8)).map(([k, v]) => `${enc(k)}=${enc(v)}`),
  );
  const query = fc.oneof(
    { weight: 3, arbitrary: fc.constant('') },
    { weight: 4, arbitrary: fc.array(param, { minLength: 1, maxLength: 4 }).map((ps) => `?${ps.join('&')}`) },
  );
  const ascii = fc.string({ unit: 'binary-ascii', maxLength: 40 }).map((s) => s.replace(/[^\x20-\x7e]/g, ''));
  const headers = fc.record(
    {
      'content-type': fc.constantFrom(
        'application/scim+json',
        'application/json',
        'application/scim+json; charset=utf-8',
        'application/json; charset=utf-16',
        'application/json; charset=latin1',
        'text/plain',
        'text/xml',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/octet-stream',
        '*/*',
        'garbage',
        '',
      ),
      accept: fc.constantFrom('application/scim+json', 'application/json', 'text/html', 'application/xml', '*/*', 'image/png', 'garbage;;;q=x', ''),
      'if-match': fc.oneof(fc.constantFrom('W/"1"', '"1"', '*', 'W/"999999999999999999999"', 'W/"1", W/"2"', 'W/', '""', 'W/"-1"'), ascii),
      'if-none-match': fc.oneof(fc.constantFrom('W/"1"', '"2"', '*', 'W/"3", *'), ascii),
      'user-agent': fc.constantFrom('Okta SCIM Client 1.0.0', 'Azure AD SCIM Provisioning', 'OneLogin SCIM', 'JumpCloud', 'curl/8', ''),
      'accept-language': fc.constantFrom('de', 'en-US,en;q=0.9', 'xx', '*', '', 'de-DE;q=x'),
      'x-request-id': ascii,
      'content-encoding': fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'x-unknown'),
      'x-http-method-override': fc.constantFrom('DELETE', 'PATCH'),
      'x-forwarded-for': fc.constantFrom('10.0.0.1', '1.2.3.4, 5.6.7.8', 'garbage'),
    },
    { requiredKeys: [] },
  );
  const method = fc.oneof(
    { weight: 30, arbitrary: fc.constant('GET') },
    { weight: 28, arbitrary: fc.constant('POST') },
    { weight: 15, arbitrary: fc.constant('PATCH') },
    { weight: 10, arbitrary: fc.constant('PUT') },
    { weight: 8, arbitrary: fc.constant('DELETE') },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        'OPTIONS',
        'HEAD',
        'TRACE',
        'PROPFIND',
        'PROPPATCH',
        'MKCOL',
        'MKCALENDAR',
        'UNSUBSCRIBE',
        'M-SEARCH',
        'SEARCH',
        'QUERY',
        'LINK',
        'PURGE',
      ),
    },
  );
  const auth = fc.oneof(
    { weight: 190, arbitrary: fc.constant('valid' as const) },
    { weight: 4, arbitrary: fc.constant('invalid' as const) },
    { weight: 2, arbitrary: fc.constant('none' as const) },
    { weight: 2, arbitrary: fc.constant('malformed' as const) },
    { weight: 2, arbitrary: fc.constant('jwt' as const) },
  );
  /** Random combinations, and requests shaped like what an IdP sends to each endpoint. */
  const random = fc.record({ method, path: fc.tuple(p, query).map(([a, b]) => a + b), headers, body: bodyArb(ids), auth });
  const shaped = fc.oneof(
    fc.record({ method: fc.constant('POST'), path: fc.constant('/Users'), headers, body: userBody(ids).map((value): Body => ({ kind: 'json', value })), auth }),
    fc.record({
      method: fc.constant('POST'),
      path: fc.constant('/Groups'),
      headers,
      body: groupBody(ids).map((value): Body => ({ kind: 'json', value })),
      auth,
    }),
    fc.record({
      method: fc.constant('PATCH'),
      path: fc.constantFrom(...ids.users.map((i) => `/Users/${i}`), ...ids.groups.map((i) => `/Groups/${i}`)),
      headers,
      body: patchBody(ids).map((value): Body => ({ kind: 'json', value })),
      auth,
    }),
    fc.record({
      method: fc.constant('PUT'),
      path: fc.constantFrom(...ids.users.map((i) => `/Users/${i}`), ...ids.groups.map((i) => `/Groups/${i}`)),
      headers,
      body: fc.oneof(userBody(ids), groupBody(ids)).map((value): Body => ({ kind: 'json', value })),
      auth,
    }),
    fc.record({ method: fc.constant('POST'), path: fc.constant('/Bulk'), headers, body: bulkBody(ids).map((value): Body => ({ kind: 'json', value })), auth }),
    fc.record({
      method: fc.constant('POST'),
      path: fc.constantFrom('/Users/.search', '/Groups/.search'),
      headers,
      body: searchBody().map((value): Body => ({ kind: 'json', value })),
      auth,
    }),
    fc.record({
      method: fc.constant('GET'),
      path: fc.tuple(fc.constantFrom('/Users', '/Groups'), query).map(([a, b]) => a + b),
      headers,
      body: fc.constant<Body>({ kind: 'none' }),
      auth,
    }),
  );
  return fc.oneof({ weight: 1, arbitrary: random }, { weight: 1, arbitrary: shaped });
}

// ---------------------------------------------------------------------------------------------
// Sending

interface Answer {
  status: number;
  contentType: string;
  wwwAuthenticate: string;
  text: string;
  transportError?: string;
}

function send(agent: http.Agent, port: number, token: string, r: Req): Promise<Answer> {
  const body = bodyBytes(r.body);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.headers)) if (v !== undefined && (body || k !== 'content-type')) headers[k] = v;
  if (!body) delete headers['content-encoding'];
  const authorization = {
    valid: `Bearer ${token}`,
    invalid: `Bearer msb_scim_${crypto.randomBytes(16).toString('hex')}`,
    none: undefined,
    malformed: 'Basic dXNlcjpwYXNz',
    jwt: `Bearer ${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"sub":"x"}').toString('base64url')}.sig`,
  }[r.auth];
  if (authorization) headers.authorization = authorization;
  if (body) headers['content-length'] = String(body.length);
  return new Promise((resolve) => {
    let settled = false;
    const done = (a: Answer) => {
      if (!settled) {
        settled = true;
        resolve(a);
      }
    };
    let req: http.ClientRequest;
    try {
      req = http.request({ host: '127.0.0.1', port, method: r.method, path: `/scim/v2${r.path}`, headers, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          done({
            status: res.statusCode ?? 0,
            contentType: String(res.headers['content-type'] ?? ''),
            wwwAuthenticate: String(res.headers['www-authenticate'] ?? ''),
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', (e) => done({ status: 0, contentType: '', wwwAuthenticate: '', text: '', transportError: e.message }));
      });
    } catch (e) {
      done({ status: -1, contentType: '', wwwAuthenticate: '', text: '', transportError: `client refused: ${(e as Error).message}` });
      return;
    }
    req.setTimeout(60_000, () => req.destroy(new Error('timeout')));
    req.on('error', (e) => done({ status: 0, contentType: '', wwwAuthenticate: '', text: '', transportError: e.message }));
    req.end(body);
  });
}

/** What is wrong with one answer (nothing: empty). */
function problems(r: Req, a: Answer): string[] {
  const out: string[] = [];
  if (a.transportError) return [`transport: ${a.transportError}`];
  const me = /^\/me(\/|$|\?)/i.test(r.path.replace(/^\/+/, '/'));
  if (a.status >= 500 && !(a.status === 501 && me)) out.push(`${a.status}`);
  if (LEAKY.test(a.text)) out.push('stack trace, source path, SQL or HTML in the answer');
  const ok = (a.status >= 200 && a.status < 300) || a.status === 304;
  if (r.method === 'HEAD' || a.status === 204 || a.status === 304) {
    if (a.text) out.push('a body on HEAD/204/304');
    return out;
  }
  if (!a.contentType.startsWith('application/scim+json')) out.push(`content-type "${a.contentType}"`);
  let body: { schemas?: unknown; status?: unknown; detail?: unknown } | undefined;
  try {
    body = JSON.parse(a.text) as typeof body;
  } catch {
    out.push('not JSON');
  }
  if (!ok && body) {
    if (!Array.isArray(body.schemas) || !body.schemas.includes(ERROR)) out.push('no Error schema');
    if (body.status !== String(a.status)) out.push(`status "${String(body.status)}" in the body`);
    if (typeof body.detail !== 'string' || !body.detail) out.push('no detail');
    if (a.status === 401 && !/^Bearer/.test(a.wwwAuthenticate)) out.push('401 without WWW-Authenticate: Bearer');
  }
  return out;
}

/**
 * Resident memory once the process is idle: a sample right after a burst of requests lands at a
 * random point of the garbage collector's cycle (up to ~100 MB of not-yet-collected garbage here),
 * so both samples are taken the same way, when RSS has not moved for 2 s (nothing is forced).
 */
async function settledRss(pid: number): Promise<{ immediate: number; settled: number; waitedMs: number }> {
  const immediate = rssMb(pid);
  const samples = [immediate];
  const t0 = Date.now();
  while (Date.now() - t0 < 15_000) {
    await new Promise((r) => setTimeout(r, 250));
    samples.push(rssMb(pid));
    const last = samples.slice(-8);
    if (last.length === 8 && Math.max(...last) - Math.min(...last) < 0.5) break;
  }
  return { immediate, settled: samples.at(-1)!, waitedMs: Date.now() - t0 };
}

const SQLITE_CACHE_MB = 32;
/** methods (7 + other) × endpoints (7 + root + other) × statuses seen × IdPs: a fixed ceiling. */
const MAX_SCIM_SERIES = 8 * 9 * 20 * 7;

/** Heap figures and the number of SCIM metric series, from the process's own /metrics. */
async function heapOf(base: string): Promise<{ heapUsedMb: number; heapTotalMb: number; externalMb: number; scimSeries: number }> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const mb = (name: string) => Math.round((Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1] ?? NaN) / 1048576) * 10) / 10;
  return {
    heapUsedMb: mb('mspbridge_nodejs_heap_size_used_bytes'),
    heapTotalMb: mb('mspbridge_nodejs_heap_size_total_bytes'),
    externalMb: mb('mspbridge_nodejs_external_memory_bytes'),
    scimSeries: text.split('\n').filter((l) => l.startsWith('mspbridge_scim_requests_total{')).length,
  };
}

function describeReq(r: Req): string {
  const b = r.body.kind === 'json' ? JSON.stringify(r.body.value) : r.body.kind === 'none' ? '' : JSON.stringify(r.body).slice(0, 200);
  return `${r.method} /scim/v2${r.path.slice(0, 300)} [${r.auth}] ${JSON.stringify(r.headers).slice(0, 200)} ${(b ?? '').slice(0, 600)}`;
}

// ---------------------------------------------------------------------------------------------

describe(`SCIM fuzz against a real serve process [${DIALECT}]`, () => {
  it(`answers ${REQUESTS} generated requests with 2xx/304 or a SCIM error, never 5xx, with flat memory`, async () => {
    const { url, drop } = testDbUrl(DIALECT);
    const db = openDb({ url, poolMax: 2 });
    await migrateLatest(db);
    const msp = await asOp(db, (ctx) => createMsp(ctx, { name: 'Fuzz MSP', region: 'eu', ownerEmail: 'o@fuzz.example' }, ['eu']));
    const company = await asOp(db, (ctx) => addCompany(ctx, { mspId: msp.account.id, name: 'Fuzz Co', country: 'DE', seats: 1_000_000 }));
    const { token } = await asOp(db, (ctx) => createScimToken(ctx, company.id));
    const probeFile = path.join(os.tmpdir(), `mspbridge-fuzz-gc-${process.pid}.json`);
    const serve = await spawnMode('serve', {
      DATABASE_URL: url,
      REDIS_URL,
      QUEUE_PREFIX: `fuzz-${crypto.randomBytes(4).toString('hex')}`,
      SECRET_KEY: 'fuzz-secret-key-0123456789-abcdefghijkl',
      PUBLIC_URL: 'http://bridge.fuzz.test',
      DATA_DIR: path.join(os.tmpdir(), 'mspbridge-fuzz-data'),
      SCIM_RATE_PER_TOKEN: '1000000',
      SCIM_AUTH_FAILURES_PER_MINUTE: '100000',
      NODE_OPTIONS: `--expose-gc --require ${path.join(__dirname, 'gc-probe.js')}`,
      GC_PROBE_FILE: probeFile,
    });
    const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    try {
      const port = serve.port!;
      const pid = serve.child.pid!;
      // Resources for ids in paths, members and bulk references.
      const ids: Ids = { users: [], groups: [] };
      for (let i = 0; i < 6; i++) {
        const r = await send(agent, port, token, {
          method: 'POST',
          path: '/Users',
          headers: { 'content-type': 'application/scim+json' },
          body: { kind: 'json', value: { userName: `seed${i}@fuzz.example`, emails: [{ value: `seed${i}@fuzz.example`, primary: true }], foo: [null, 1] } },
          auth: 'valid',
        });
        ids.users.push((JSON.parse(r.text) as { id: string }).id);
      }
      for (let i = 0; i < 3; i++) {
        const r = await send(agent, port, token, {
          method: 'POST',
          path: '/Groups',
          headers: { 'content-type': 'application/scim+json' },
          body: { kind: 'json', value: { displayName: `Seed ${i}`, members: ids.users.slice(i, i + 3).map((value) => ({ value })) } },
          auth: 'valid',
        });
        ids.groups.push((JSON.parse(r.text) as { id: string }).id);
      }

      const requests = fc.sample(requestArb(ids), { numRuns: REQUESTS, seed: SEED });
      const answers: Answer[] = new Array(REQUESTS);
      const failures: string[] = [];
      const cost: Record<string, number> = {};
      const check = async (i: number) => {
        const t0 = Date.now();
        const a = await send(agent, port, token, requests[i]!);
        const k = `${requests[i]!.body.kind}`;
        cost[k] = (cost[k] ?? 0) + Date.now() - t0;
        answers[i] = a;
        const p = problems(requests[i]!, a);
        if (p.length && failures.length < 30) failures.push(`#${i} ${p.join('; ')}: ${describeReq(requests[i]!)} -> ${a.status} ${a.text.slice(0, 300)}`);
      };
      let started = Date.now();
      await pool(WARMUP, CONCURRENCY, (i) => check(i));
      let elapsed = Date.now() - started;
      const rss1 = await settledRss(pid);
      const rssStart = rss1.settled;
      const fdsStart = openFds(pid);
      const heapStart = await heapOf(serve.url!);
      const liveStart = await liveHeapMb(serve.child, probeFile);
      started = Date.now();
      await pool(REQUESTS - WARMUP, CONCURRENCY, (i) => check(WARMUP + i));
      elapsed += Date.now() - started;
      const seconds = Math.round(elapsed / 100) / 10;
      const rss2 = await settledRss(pid);
      const rssEnd = rss2.settled;
      const fdsEnd = openFds(pid);
      const heapEnd = await heapOf(serve.url!);
      const liveEnd = await liveHeapMb(serve.child, probeFile);
      // Still healthy after all of it.
      const health = await fetch(`${serve.url}/healthz`);
      // Every authenticated request landed in the account's SCIM request log (9 seed requests).
      const authenticated = 9 + requests.filter((r) => r.auth === 'valid').length;
      let logged = 0;
      for (let t = 0; t < 20 && logged < authenticated; t++) {
        await new Promise((r) => setTimeout(r, 250));
        logged = Number((await db('scim_requests').where({ account_id: company.id }).count({ n: '*' }))[0]!.n);
      }

      const statuses = answers.map((a) => a.status);
      const me501 = requests.filter((r, i) => answers[i]!.status === 501 && /^\/me(\/|$|\?)/i.test(r.path)).length;
      const fiveXx = statuses.filter((s) => s >= 500).length - me501;
      const bad = answers.filter((a, i) => problems(requests[i]!, a).length > 0).length;
      const invalidErrorBodies = answers.filter((a, i) => {
        const ok = (a.status >= 200 && a.status < 300) || a.status === 304;
        return !ok && !a.transportError && requests[i]!.method !== 'HEAD' && problems(requests[i]!, a).some((p) => !/^\d{3}$/.test(p));
      }).length;
      const transport = answers.filter((a) => a.transportError).length;
      const growth = (rssEnd - rssStart) / rssStart;
      const liveGrowth = (liveEnd - liveStart) / liveStart;
      const kinds = tally(requests.map((r) => (r.body.kind === 'none' ? 0 : 1)));
      console.log(
        `fuzz [${DIALECT}] seed ${SEED}: ${REQUESTS} requests in ${seconds} s; ${JSON.stringify(tally(statuses))}; ` +
          `5xx ${fiveXx} (+${me501} /Me 501), bad answers ${bad}, transport errors ${transport}; ` +
          `rss ${JSON.stringify(rss1)} -> ${JSON.stringify(rss2)} MB (${(growth * 100).toFixed(1)}%), fds ${fdsStart} -> ${fdsEnd}; heap ${JSON.stringify(heapStart)} -> ${JSON.stringify(heapEnd)}, live heap ${liveStart} -> ${liveEnd} MB (${(liveGrowth * 100).toFixed(1)}%); with body ${kinds['1'] ?? 0}; request log ${logged}/${authenticated}` +
          (failures.length ? `\n${failures.join('\n')}` : '') +
          `\ncost ${JSON.stringify(cost)}` +
          (fiveXx ? `\nserver output:\n${serve.output().slice(-4000)}` : ''),
      );
      expect(failures).toEqual([]);
      expect(fiveXx).toBe(0);
      expect(health.status).toBe(200);
      // Memory: the live heap after a full GC is the leak detector. Resident memory also holds what
      // V8 sizes its heap to after 5 MB bodies (heapTotal) and SQLite's 32 MB page cache filling as
      // the request log grows: bounded, not flat, so it gets a gross bound (a leak of 10,000 × 10 KB
      // would break it).
      expect(liveGrowth).toBeLessThan(0.15);
      expect(rssEnd - rssStart).toBeLessThan(SQLITE_CACHE_MB + Math.max(0, heapEnd.heapTotalMb - heapStart.heapTotalMb) + rssStart * 0.15);
      expect(heapEnd.scimSeries).toBeLessThanOrEqual(MAX_SCIM_SERIES);
      expect(fdsEnd).toBeLessThanOrEqual(fdsStart + 8);
      expect(logged).toBe(authenticated);

      record({
        scenario: `SCIM fuzz, ${REQUESTS.toLocaleString('en')} requests (${DIALECT === 'sqlite' ? 'SQLite' : 'PostgreSQL'})`,
        injected:
          `${REQUESTS} requests generated by fast-check (seed ${SEED}), ${CONCURRENCY} at a time over raw HTTP to one serve process: random methods and paths (ids, .search, Bulk, unknown endpoints, ` +
          'path traversal, bad percent-encoding, latin-1 bytes), filters from a SCIM grammar plus mutations and garbage, random query parameters, headers (If-Match, If-None-Match, Accept, ' +
          'Content-Type, Content-Encoding), bodies: valid-ish Users/Groups/PatchOps/Bulk/SearchRequests, random JSON, nesting up to 200,000 levels, up to 5 MB, non-JSON, invalid UTF-8, UTF-16, ' +
          'lone surrogates, NUL, RTL, emoji; ~5% with a missing, malformed, unknown or forged (JWT) credential',
        checked: [
          'no 5xx (the only 501 is the /Me answer RFC 7644 §3.11 prescribes)',
          'every non-2xx/304 answer is a SCIM error: application/scim+json, Error schema, "status" equal to the HTTP status, a detail; 401 carries WWW-Authenticate',
          'no stack trace, source path, SQL text or HTML in any answer; no body on HEAD/204/304',
          `live heap after a full GC within 15% of after a ${WARMUP}-request warm-up; resident memory grows by at most SQLite’s 32 MB page cache + V8’s heap growth + 15%; open file descriptors flat`,
          'the request metric has a bounded label set whatever methods and paths are sent',
          'the process answers /healthz afterwards',
        ],
        figures: {
          requests: REQUESTS,
          concurrency: CONCURRENCY,
          seed: SEED,
          ...Object.fromEntries(Object.entries(tally(statuses)).map(([s, c]) => [`status ${s}`, c])),
          '5xx': fiveXx,
          'me 501': me501,
          invalidErrorBodies,
          transportErrors: transport,
          rssStartMb: Math.round(rssStart * 10) / 10,
          rssEndMb: Math.round(rssEnd * 10) / 10,
          rssGrowthPercent: Math.round(growth * 1000) / 10,
          liveHeapStartMb: liveStart,
          liveHeapEndMb: liveEnd,
          liveHeapGrowthPercent: Math.round(liveGrowth * 1000) / 10,
          scimMetricSeries: heapEnd.scimSeries,
          fdsStart,
          fdsEnd,
          seconds,
          requestsPerSecond: Math.round(REQUESTS / seconds),
        },
        command: 'npm run test:faults -- test/faults/fuzz.test.ts',
      });
    } finally {
      agent.destroy();
      await serve.stop('SIGKILL');
      await db.destroy();
      await drop();
    }
  });
});
