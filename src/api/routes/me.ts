// Who the caller is: account, person, roles (what the console shows first).
import { whoAmI } from '../../domain/access';
import { routesOf } from '../route';

export const meRoutes = [routesOf('me', 'Session').get('/me', 'account.read', 'The signed-in person (or API token): account, roles', (ctx) => whoAmI(ctx))];
