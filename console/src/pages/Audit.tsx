// Audit log of the MSP and the companies it managed at the time: who did what, where, to whom —
// in words and names, never raw codes or ids; filters, older events, CSV export.
import { useInfiniteQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, ok } from '../api/client';
import type { paths } from '../api/schema';
import { type Column, DataTable, PersonName } from '../components/DataTable';
import { DateField, SelectField } from '../components/Fields';
import { type ConsoleKey, useFormat, useT } from '../i18n/I18n';
import { AUDIT_ACTIONS } from './auditActions';

type Event = paths['/activity']['get']['responses'][200]['content']['application/json'][number];
const PAGE = 100;

export function useActionName() {
  const t = useT();
  return (code: string) => ((AUDIT_ACTIONS as readonly string[]).includes(code) ? t(`action.${code}` as ConsoleKey) : code);
}

export function Audit() {
  const t = useT();
  const f = useFormat();
  const actionName = useActionName();
  const [action, setAction] = useState('');
  const [since, setSince] = useState('');
  const filter = { action: action || undefined, since: since && !Number.isNaN(Date.parse(since)) ? new Date(since).toISOString() : undefined };
  const events = useInfiniteQuery({
    queryKey: ['activity', filter],
    initialPageParam: undefined as number | undefined,
    queryFn: ({ pageParam }) => ok(api.GET('/activity', { params: { query: { ...filter, limit: PAGE, beforeId: pageParam } } })),
    getNextPageParam: (last) => (last.length === PAGE ? last[last.length - 1]!.id : undefined),
  });
  const rows = events.data?.pages.flat() ?? [];
  const csv = `/api/v1/audit?${new URLSearchParams({ format: 'csv', limit: '5000', ...(filter.action ? { action: filter.action } : {}), ...(filter.since ? { since: filter.since } : {}) })}`;
  const columns: Array<Column<Event>> = [
    { key: 'time', header: t('audit.col.time'), cell: (e) => f.date(e.createdAt) },
    { key: 'action', header: t('audit.col.action'), rowHeader: true, cell: (e) => actionName(e.action) },
    { key: 'actor', header: t('audit.col.actor'), cell: (e) => e.actorLabel ?? t(`actor.${e.actorKind}` as ConsoleKey) },
    { key: 'account', header: t('audit.col.account'), cell: (e) => e.accountName ?? t('audit.unknownAccount') },
    {
      key: 'target',
      header: t('audit.col.target'),
      cell: (e) => (e.targetEmail || e.targetName ? <PersonName name={e.targetName} email={e.targetEmail} /> : ''),
    },
  ];
  return (
    <>
      <div className="page-head">
        <h1>{t('audit.title')}</h1>
        <a className="button secondary" href={csv} download="audit.csv">
          {t('audit.csv')}
        </a>
      </div>
      <div className="toolbar" role="search">
        <SelectField
          name="action"
          label={t('audit.action')}
          value={action}
          onChange={setAction}
          options={[{ value: '', label: t('audit.allActions') }, ...AUDIT_ACTIONS.map((a) => ({ value: a, label: actionName(a) }))]}
        />
        <DateField name="since" label={t('audit.since')} value={since} onChange={setSince} />
      </div>
      {events.isError && (
        <p role="alert" className="notice bad">
          {t('error.load')}
        </p>
      )}
      <DataTable caption={t('audit.caption', { count: rows.length })} columns={columns} rows={rows} rowKey={(e) => String(e.id)} empty={t('audit.none')} />
      {events.hasNextPage && (
        <p>
          <button type="button" className="button secondary" disabled={events.isFetchingNextPage} onClick={() => void events.fetchNextPage()}>
            {t('audit.older')}
          </button>
        </p>
      )}
    </>
  );
}
