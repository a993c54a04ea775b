// MSP insight: the usage ledger per company over a range of days (JSON or CSV) and one company's daily series.
import { z } from 'zod';
import { type CompanyUsage, companyUsageSeries, monthStart, usageCsv, usageOfMsp, utcDay } from '../../domain/usage';
import { routesOf } from '../route';

const usage = routesOf('msp', 'Usage');

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD');
/** Days from and to (inclusive, UTC); the current month so far when left out. */
const range = z.object({ from: day.optional(), to: day.optional(), format: z.enum(['json', 'csv']).optional() });

export const insightRoutes = [
  usage.get(
    '/usage',
    'usage.read',
    'Usage per company from the daily ledger: seat-days, average and peak seats, days per status (CSV with ?format=csv)',
    { query: range, csv: (rows) => usageCsv(rows as CompanyUsage[]), csvName: 'usage.csv' },
    (ctx, { accountId, query }) => usageOfMsp(ctx, accountId, query.from ?? monthStart(ctx.now), query.to ?? utcDay(ctx.now)),
  ),
  usage.get(
    '/usage/companies/:companyId',
    'usage.read',
    "One company's daily snapshots in the ledger (seats filled and total, status)",
    { query: range },
    (ctx, { accountId, params, query }) =>
      companyUsageSeries(ctx, accountId, params.companyId!, query.from ?? monthStart(ctx.now), query.to ?? utcDay(ctx.now)),
  ),
];
