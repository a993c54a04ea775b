// A SCIM client for tests: an account with a token on a running test app, and typed requests.
import { createMsp } from '../../src/domain/accounts';
import { addCompany } from '../../src/domain/companies';
import { createScimToken } from '../../src/domain/scimTokens';
import type { Db } from '../../src/db/knex';
import type { PushedProfile } from '../../src/domain/provisioning';
import { asOp } from './ctx';
import { DIALECTS } from './db';
import { startTestApp, type TestApp } from './app';

export const SCIM_JSON = 'application/scim+json';

/** A user as an IdP pushes it to the domain (provisionUser), known by email alone. */
export const pushedProfile = (email: string): PushedProfile => ({
  userName: email,
  externalId: null,
  displayName: null,
  givenName: null,
  familyName: null,
  email,
  preferredLanguage: null,
  locale: null,
  attrs: { userName: email },
});

export interface ScimReply<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface ScimClient {
  token: string;
  accountId: string;
  mspId: string;
  base: string;
  req<T = Record<string, unknown>>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<ScimReply<T>>;
}

export async function scimAccount(db: Db, url: string, opts: { name?: string; region?: string; mspId?: string } = {}): Promise<ScimClient> {
  const mspId =
    opts.mspId ??
    (
      await asOp(db, (ctx) =>
        createMsp(ctx, { name: `MSP ${opts.name ?? 'x'}`, region: opts.region ?? 'eu', ownerEmail: 'owner@msp.example' }, ['us', 'ca', 'eu', 'ent']),
      )
    ).account.id;
  const company = await asOp(db, (ctx) => addCompany(ctx, { mspId, name: opts.name ?? 'Company', country: 'DE' }));
  const { token } = await asOp(db, (ctx) => createScimToken(ctx, company.id));
  return scimClientFor(url, token, company.id, mspId);
}

export function scimClientFor(url: string, token: string, accountId: string, mspId = ''): ScimClient {
  const base = `${url}/scim/v2`;
  return {
    token,
    accountId,
    mspId,
    base,
    async req<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body !== undefined ? { 'content-type': SCIM_JSON } : {}),
          ...headers,
        },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      let parsed: unknown = undefined;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        parsed = undefined;
      }
      return { status: res.status, headers: res.headers, body: parsed as T, text };
    },
  };
}

export const userBody = (userName: string, extra: Record<string, unknown> = {}) => ({
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
  userName,
  name: { givenName: userName.split('@')[0], familyName: 'Tester' },
  emails: [{ value: userName, type: 'work', primary: true }],
  active: true,
  ...extra,
});

export interface ScimFixture {
  app: TestApp;
  c: ScimClient;
}

/** describe() once per database, with a running app and one company's SCIM client. */
export function describeEachScimApp(name: string, body: (get: () => ScimFixture) => void): void {
  describe.each(DIALECTS)(`${name} [%s]`, (dialect) => {
    let f: ScimFixture | undefined;
    beforeAll(async () => {
      const app = await startTestApp(dialect);
      f = { app, c: await scimAccount(app.rt.db, app.url, { name: 'Acme' }) };
    });
    afterAll(async () => {
      await f?.app.close();
    });
    body(() => {
      if (!f) throw new Error('app not ready');
      return f;
    });
  });
}

export const patchOp = (...Operations: unknown[]) => ({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations });

export const filterQ = (filter: string, extra = '') => `/Users?filter=${encodeURIComponent(filter)}${extra}`;
