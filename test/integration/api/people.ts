// People for the authentication tests: an MSP whose Owner has a password and a console session.
import { getMemberAnyState } from '../../../src/db/members.repo';
import { startSession } from '../../../src/domain/access';
import { createMsp } from '../../../src/domain/accounts';
import { hashPassword } from '../../../src/domain/secrets';
import { type ApiClient, apiClient } from '../../helpers/api';
import type { TestApp } from '../../helpers/app';
import { asOp } from '../../helpers/ctx';

export interface Owner {
  mspId: string;
  memberId: string;
  email: string;
  password: string;
  /** The Owner's console session (cookie and CSRF token). */
  console: ApiClient;
}

let n = 0;

export async function mspOwner(app: TestApp): Promise<Owner> {
  const db = app.rt.db;
  const email = `owner${++n}-${Date.now()}@auth.example`;
  const password = 'correct horse battery staple';
  const msp = await asOp(db, (ctx) => createMsp(ctx, { name: `Auth MSP ${n}`, region: 'eu', ownerEmail: email }, ['us', 'ca', 'eu', 'ent']));
  await db('members')
    .where({ account_id: msp.account.id, id: msp.ownerId })
    .update({ state: 'active', password_hash: await hashPassword(password) });
  const member = (await getMemberAnyState(db, msp.account.id, msp.ownerId))!;
  const s = await asOp(db, (ctx) => startSession(ctx, member, 'test'));
  return {
    mspId: msp.account.id,
    memberId: msp.ownerId,
    email,
    password,
    console: apiClient(app.url, { cookie: `msb_session=${s.token}`, csrf: s.csrfToken }),
  };
}

/** An API token of the Owner, made through the API as the console would. */
export async function apiToken(owner: Owner): Promise<string> {
  const res = await owner.console.req<{ token: string }>('POST', '/api-tokens', { label: 'tests' });
  if (res.status !== 201) throw new Error(`POST /api-tokens answered ${res.status}: ${res.text}`);
  return res.body.token;
}

/** How many of a list of statuses are each value, e.g. { 401: 30, 429: 70 }. */
export const tally = (statuses: number[]): Record<number, number> => statuses.reduce<Record<number, number>>((m, s) => ({ ...m, [s]: (m[s] ?? 0) + 1 }), {});
