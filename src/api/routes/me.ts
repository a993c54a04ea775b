// Who the caller is: account, person, roles (what the console shows first).
import { whoAmI } from '../../domain/access';
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
      return whoAmI(ctx);
    },
  }),
];
