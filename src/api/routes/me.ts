// Who the caller is: account, person, roles (what the console shows first).
import { getAccount } from '../../db/accounts.repo';
import { getMemberAnyState } from '../../db/members.repo';
import { personOf } from '../../domain/principal';
import { rolesOf } from '../../domain/roles';
import { route } from '../route';

export const meRoutes = [
  route({
    method: 'get',
    path: '/me',
    summary: 'The signed-in person (or API token): account, roles',
    tag: 'Session',
    scope: 'me',
    action: 'account.read',
    async handle(ctx) {
      const person = personOf(ctx.actor)!;
      const account = (await getAccount(ctx.tx, person.accountId))!;
      const member = await getMemberAnyState(ctx.tx, person.accountId, person.memberId);
      const roles = [...(await rolesOf(ctx.tx, person.accountId, person.memberId))].filter((r) => r !== 'member');
      return {
        accountId: account.id,
        accountKind: account.kind,
        accountName: account.name,
        memberId: person.memberId,
        email: member?.email ?? null,
        roles,
        via: ctx.actor.kind === 'api_token' ? 'api_token' : 'session',
      };
    },
  }),
];
