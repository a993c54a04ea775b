// Usage for billing: per company, seat-days, average and peak seats and days per status over a range
// of days (the current month so far by default), a small chart of each company's daily seats, CSV export.
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, ok } from '../api/client';
import type { paths } from '../api/schema';
import { type Column, DataTable, Pager } from '../components/DataTable';
import { DateField } from '../components/Fields';
import { useFormat, useT } from '../i18n/I18n';

type Row = paths['/usage']['get']['responses'][200]['content']['application/json'][number];
const PAGE = 25;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

const today = () => new Date().toISOString().slice(0, 10);
const monthStart = () => `${today().slice(0, 8)}01`;

/** One company's daily filled seats as a small line over the range (with its total as a text alternative). */
function SeatChart({ row, from, to }: { row: Row; from: string; to: string }) {
  const t = useT();
  const series = useQuery({
    queryKey: ['usage-series', row.companyId, from, to],
    queryFn: () => ok(api.GET('/usage/companies/{companyId}', { params: { path: { companyId: row.companyId }, query: { from, to } } })),
  });
  const points = series.data ?? [];
  const label = t('usage.chart', { name: row.name, peak: row.peakSeats, days: points.length });
  if (points.length < 2) return <span className="chart-empty">{points.length ? row.peakSeats : '–'}</span>;
  const w = 120;
  const h = 28;
  const max = Math.max(1, ...points.map((p) => p.seatsFilled));
  const d = points
    .map((p, i) => `${i ? 'L' : 'M'}${((i / (points.length - 1)) * w).toFixed(1)},${(h - (p.seatsFilled / max) * (h - 2) - 1).toFixed(1)}`)
    .join(' ');
  return (
    <svg className="sparkline" width={w} height={h} viewBox={`0 0 ${w} ${h}`} role="img" aria-label={label}>
      <title>{label}</title>
      <path d={d} fill="none" stroke="currentColor" strokeWidth="1.5" />
    </svg>
  );
}

export function Usage() {
  const t = useT();
  const f = useFormat();
  const [from, setFrom] = useState(monthStart);
  const [to, setTo] = useState(today);
  const [offset, setOffset] = useState(0);
  const valid = DAY.test(from) && DAY.test(to) && from <= to;
  const usage = useQuery({
    queryKey: ['usage', from, to],
    enabled: valid,
    queryFn: () => ok(api.GET('/usage', { params: { query: { from, to } } })),
  });
  const rows = usage.data ?? [];
  const page = rows.slice(offset, offset + PAGE);
  const totals = rows.reduce((s, r) => s + r.seatDays, 0);
  const columns: Array<Column<Row>> = [
    { key: 'name', header: t('usage.col.company'), rowHeader: true, cell: (r) => r.name },
    { key: 'seatDays', header: t('usage.col.seatDays'), className: 'num', cell: (r) => f.number(r.seatDays) },
    { key: 'avg', header: t('usage.col.avg'), className: 'num', cell: (r) => f.number(r.avgSeats) },
    { key: 'peak', header: t('usage.col.peak'), className: 'num', cell: (r) => f.number(r.peakSeats) },
    {
      key: 'status',
      header: t('usage.col.status'),
      cell: (r) => t('usage.statusDays', { active: r.statusDays.active, trial: r.statusDays.trial, frozen: r.statusDays.frozen, setup: r.statusDays.setup }),
    },
    { key: 'chart', header: t('usage.col.chart'), cell: (r) => <SeatChart row={r} from={from} to={to} /> },
  ];
  const csv = `/api/v1/usage?${new URLSearchParams({ from, to, format: 'csv' })}`;
  return (
    <>
      <div className="page-head">
        <h1>{t('usage.title')}</h1>
        {valid && (
          <a className="button secondary" href={csv} download={`usage-${from}-${to}.csv`}>
            {t('usage.csv')}
          </a>
        )}
      </div>
      <p className="hint">{t('usage.intro')}</p>
      <div className="toolbar" role="search">
        <DateField
          name="from"
          label={t('usage.from')}
          value={from}
          onChange={(v) => {
            setFrom(v);
            setOffset(0);
          }}
        />
        <DateField
          name="to"
          label={t('usage.to')}
          value={to}
          onChange={(v) => {
            setTo(v);
            setOffset(0);
          }}
        />
      </div>
      {!valid && (
        <p role="alert" className="notice bad">
          {t('usage.badRange')}
        </p>
      )}
      {usage.isError && (
        <p role="alert" className="notice bad">
          {t('error.load')}
        </p>
      )}
      <DataTable
        caption={t('usage.caption', { count: rows.length, seatDays: f.number(totals) })}
        columns={columns}
        rows={page}
        rowKey={(r) => r.companyId}
        empty={t('usage.none')}
      />
      {rows.length > PAGE && <Pager offset={offset} limit={PAGE} count={page.length} total={rows.length} onChange={setOffset} />}
    </>
  );
}
