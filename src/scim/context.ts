// What a SCIM operation runs with: the tenant (from the credential, never module state) and helpers.
import { type Account, getAccount } from '../db/accounts.repo';
import { unitOfWork } from '../db/unitOfWork';
import type { Db } from '../db/knex';
import type { Ctx } from '../domain/context';
import type { Principal } from '../domain/principal';
import type { Logger } from '../logger';
import { ScimError, invalidValue } from './errors';
import type { Doc } from './document';
import { UNSTORABLE } from './quirks';

export interface ScimEnv {
  db: Db;
  log: Logger;
  now: () => Date;
  account: Account;
  actor: Principal;
  /** e.g. https://bridge.example/scim/v2 */
  baseUrl: string;
}

export interface ScimResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** What the request log should tell the admin about a success (e.g. attributes left out). */
  warnings?: string[];
}

/**
 * One write = one transaction; the domain writes its audit (and outbox) rows in it. The
 * account is read again inside it, so a write always sees the current status and settings
 * (the authenticator's copy may be older).
 */
export async function inWriteTx<T>(env: ScimEnv, fn: (ctx: Ctx, account: Account) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await unitOfWork(env.db, async (tx) => {
        const account = await getAccount(tx, env.account.id);
        if (!account) throw new ScimError(401, undefined, 'The account of this credential no longer exists.');
        return fn({ tx, actor: env.actor, now: env.now() }, account);
      });
    } catch (err) {
      // PostgreSQL aborts one of two transactions that wait on each other (concurrent pushes
      // touching the same groups in another order). The transaction was rolled back and holds
      // every effect (outbox included), so running it again is safe; the client sees no 503.
      if (!RETRYABLE.has((err as { code?: string })?.code ?? '') || attempt >= MAX_ATTEMPTS) throw err;
      await new Promise((r) => setTimeout(r, Math.random() * 20 * attempt));
    }
  }
}

/** deadlock_detected, serialization_failure */
const RETRYABLE = new Set(['40P01', '40001']);
const MAX_ATTEMPTS = 5;

export const etag = (version: number): string => `W/"${version}"`;

/**
 * The version an If-Match header demands: undefined for none or "*", else the number in
 * W/"n" or "n". A tag we never issued cannot match: 412.
 */
export function expectedVersion(ifMatch: string | undefined): number | undefined {
  if (!ifMatch || ifMatch.trim() === '*') return undefined;
  const versions = ifMatch
    .split(',')
    .map((t) => /^\s*(?:W\/)?"(\d+)"\s*$/.exec(t)?.[1])
    .filter((v): v is string => v !== undefined);
  if (versions.length !== 1) throw new ScimError(412, undefined, `If-Match ${ifMatch.slice(0, 100)} does not match the resource.`);
  return Number(versions[0]);
}

export function notModified(ifNoneMatch: string | undefined, version: number): boolean {
  if (!ifNoneMatch) return false;
  const tag = etag(version);
  return ifNoneMatch.split(',').some((t) => t.trim() === '*' || t.trim() === tag || t.trim() === `"${version}"`);
}

export interface ListParams {
  filter?: string;
  startIndex: number;
  count: number;
  sortBy?: string;
  sortOrder: 'ascending' | 'descending';
  attributes?: string;
  excludedAttributes?: string;
}

export const MAX_RESULTS = 1000;
export const DEFAULT_COUNT = 100;

function single(q: Doc, name: string): string | undefined {
  const key = Object.keys(q).find((k) => k.toLowerCase() === name.toLowerCase());
  if (!key) return undefined;
  const v = q[key];
  if (Array.isArray(v)) throw invalidValue(`"${name}" was given more than once.`);
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number') return String(v);
  if (typeof v !== 'string') throw invalidValue(`"${name}" must be a string.`);
  if (UNSTORABLE.test(v)) throw invalidValue(`"${name}" contains a NUL character or an unpaired surrogate.`);
  return v;
}

function int(q: Doc, name: string): number | undefined {
  const v = single(q, name);
  if (v === undefined || v.trim() === '') return undefined;
  if (!/^-?\d{1,15}$/.test(v.trim())) throw invalidValue(`"${name}" must be an integer.`);
  return Number(v);
}

/** Query parameters (GET) or a SearchRequest body (POST .search) to list parameters. */
export function listParams(q: Doc): ListParams {
  const startIndex = Math.max(1, int(q, 'startIndex') ?? 1);
  const count = Math.min(MAX_RESULTS, Math.max(0, int(q, 'count') ?? DEFAULT_COUNT));
  const order = single(q, 'sortOrder');
  if (order !== undefined && !/^(ascending|descending)$/i.test(order)) throw invalidValue('sortOrder must be "ascending" or "descending".');
  const list = (name: string) => {
    const key = Object.keys(q).find((k) => k.toLowerCase() === name.toLowerCase());
    const v = key ? q[key] : undefined;
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v.join(',');
    return single(q, name);
  };
  return {
    filter: single(q, 'filter'),
    startIndex,
    count,
    sortBy: single(q, 'sortBy'),
    sortOrder: order?.toLowerCase() === 'descending' ? 'descending' : 'ascending',
    attributes: list('attributes'),
    excludedAttributes: list('excludedAttributes'),
  };
}
