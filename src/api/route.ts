// The shape of one REST endpoint: path, the policy action it performs, its input schemas and
// its use case. Who may call it is the policy table's answer for that action (domain/policy.ts);
// the router, the OpenAPI document and the matrix test all read it from there.
import type { z } from 'zod';
import type { Ctx } from '../domain/context';
import { type Action, POLICY, type Standing } from '../domain/policy';
import type { Runtime } from '../runtime';

/** The people (not the operator or the workers) the policy lets perform a route's action. */
export const callersOf = (def: Pick<RouteDef, 'action'>): Standing[] => POLICY[def.action].allow.filter((s) => s !== 'operator' && s !== 'system');

/** msp: acts in the caller's own MSP account; account: in /accounts/:accountId; me: about the caller. */
export type Scope = 'msp' | 'account' | 'me';

export interface Input<B, Q> {
  params: Record<string, string>;
  body: B;
  query: Q;
  /** The account the request acts in (the MSP for msp scope, :accountId for account scope). */
  accountId: string;
  rt: Runtime;
}

export interface RouteDef<B = unknown, Q = unknown> {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Express path under /api/v1, e.g. /companies/:companyId */
  path: string;
  summary: string;
  tag: string;
  scope: Scope;
  /** What the endpoint does, in the policy's terms. */
  action: Action;
  body?: z.ZodType<B>;
  query?: z.ZodType<Q>;
  /** Success status (200 unless given). */
  status?: number;
  /** The endpoint can answer text/csv (?format=csv). */
  csv?: (result: unknown) => string;
  /** The file name a CSV answer suggests (Content-Disposition). */
  csvName?: string;
  /** The endpoint can answer a printable HTML page (?format=html). */
  html?: (result: unknown) => string;
  handle(ctx: Ctx, input: Input<B, Q>): Promise<unknown>;
}

/** Typed constructor: infers body/query types from the schemas. */
export function route<B = undefined, Q = undefined>(def: RouteDef<B, Q>): RouteDef<unknown, unknown> {
  return def as unknown as RouteDef<unknown, unknown>;
}

type Handle<B, Q> = RouteDef<B, Q>['handle'];
type Extras<B, Q> = Pick<RouteDef<B, Q>, 'body' | 'query' | 'status' | 'csv' | 'csvName' | 'html'>;

/** One endpoint of a group in a line: path (under the group's prefix), policy action, summary, [extras,] use case. */
interface Declare {
  <B = undefined, Q = undefined>(path: string, action: Action, summary: string, handle: Handle<B, Q>): RouteDef;
  <B = undefined, Q = undefined>(path: string, action: Action, summary: string, extras: Extras<B, Q>, handle: Handle<B, Q>): RouteDef;
}

/**
 * The endpoints of one tag and scope, declared by method: `members.post('/members', 'members.invite', summary, { body }, handle)`.
 * Account-scoped paths sit under /accounts/:accountId, the account the request acts in.
 */
export function routesOf(scope: Scope, tag: string): Record<RouteDef['method'], Declare> {
  const prefix = scope === 'account' ? '/accounts/:accountId' : '';
  const verb =
    (method: RouteDef['method']): Declare =>
    <B, Q>(path: string, action: Action, summary: string, ...rest: [Handle<B, Q>] | [Extras<B, Q>, Handle<B, Q>]) => {
      const [extras, handle] = rest.length === 1 ? [{}, rest[0]] : rest;
      return route<B, Q>({ method, path: prefix + path, summary, tag, scope, action, ...extras, handle });
    };
  return { get: verb('get'), post: verb('post'), put: verb('put'), patch: verb('patch'), delete: verb('delete') };
}

/** A use case that takes the account the request acts in, and nothing else. */
export const inAccount =
  <T>(fn: (ctx: Ctx, accountId: string) => Promise<T>) =>
  (ctx: Ctx, { accountId }: { accountId: string }): Promise<T> =>
    fn(ctx, accountId);

/** For 204 routes: wait for the write, answer nothing. */
export async function noContent(write: Promise<unknown>): Promise<undefined> {
  await write;
  return undefined;
}
