// One /api/v1 request after authentication: who acts where (a launch token makes an MSP person a
// technician inside the company), the policy's answer for the route's action, then input
// validation and the use case, all in the request's transaction.
import type { Tx } from '../db/knex';
import { technicianFor } from '../domain/access';
import type { Ctx } from '../domain/context';
import { authorizeRequest } from '../domain/policy';
import { personOf, type Principal } from '../domain/principal';
import type { Runtime } from '../runtime';
import { HttpProblem } from './errors';
import type { RouteDef } from './route';

/** What a route needs of the HTTP request (so the matrix test can run routes without HTTP). */
export interface RouteRequest {
  params: Record<string, string>;
  body: unknown;
  query: unknown;
  launchToken?: string;
}

/**
 * Resolves the acting principal and the account the route acts in. A person acts in their own
 * account; in another only with a launch session for it; anything else is simply not found.
 */
export async function actingIn(
  rt: Runtime,
  tx: Tx,
  def: RouteDef,
  principal: Principal,
  req: RouteRequest,
): Promise<{ principal: Principal; accountId: string }> {
  const person = personOf(principal);
  if (!person) throw new HttpProblem(403, 'forbidden', 'Not for this credential.');
  if (def.scope !== 'account') return { principal, accountId: person.accountId };
  const accountId = String(req.params.accountId);
  if (accountId === person.accountId) return { principal, accountId };
  if (req.launchToken) {
    const tech = await technicianFor(tx, { launchToken: req.launchToken, person, companyId: accountId, now: rt.now() });
    if (tech) return { principal: tech, accountId };
  }
  throw new HttpProblem(404, 'account.not_found', 'No such account (or the launch session ended).');
}

/** Runs one route: the policy decides first, so a caller without the role learns nothing about the input. */
export async function runRoute(rt: Runtime, tx: Tx, def: RouteDef, principal: Principal, req: RouteRequest): Promise<unknown> {
  const acting = await actingIn(rt, tx, def, principal, req);
  const ctx: Ctx = { tx, actor: acting.principal, now: rt.now() };
  // An MSP route about one of its companies: the technician scope is part of the question.
  await authorizeRequest(ctx, def.action, acting.accountId, def.scope === 'msp' && req.params.companyId ? String(req.params.companyId) : undefined);
  const input = {
    params: req.params,
    body: def.body ? def.body.parse(req.body ?? {}) : undefined,
    query: def.query ? def.query.parse(req.query) : undefined,
  };
  return def.handle(ctx, { ...input, accountId: acting.accountId, rt });
}
