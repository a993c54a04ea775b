// The shape of one REST endpoint: path, who may call it, its input schemas and its use case.
// The router, the OpenAPI document and the every-role test all read the same table.
import type { z } from 'zod';
import type { Ctx } from '../domain/context';
import type { Runtime } from '../runtime';

/**
 * Who may call an endpoint. In the MSP's own account: owner | admin | technician | member.
 * In a company: owner | admin | member of the company, or `launched` (an MSP person acting
 * through a launch session, as an Administrator of the company).
 */
export type Caller = 'owner' | 'admin' | 'technician' | 'member' | 'launched';

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
  callers: readonly Caller[];
  body?: z.ZodType<B>;
  query?: z.ZodType<Q>;
  /** Success status (200 unless given). */
  status?: number;
  /** The endpoint can answer text/csv (?format=csv). */
  csv?: (result: unknown) => string;
  handle(ctx: Ctx, input: Input<B, Q>): Promise<unknown>;
}

/** Typed constructor: infers body/query types from the schemas. */
export function route<B = undefined, Q = undefined>(def: RouteDef<B, Q>): RouteDef<unknown, unknown> {
  return def as unknown as RouteDef<unknown, unknown>;
}
