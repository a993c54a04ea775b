// Managed Companies: search by name, sort by status or filled seats, filter by status, Clear all,
// pages of 25; New company; Launch into a company; unlink it after a confirmation naming it.
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useLocation } from 'wouter';
import { api, ok, rememberLaunch } from '../api/client';
import type { paths } from '../api/schema';
import { type Column, DataTable, Pager } from '../components/DataTable';
import { ConfirmDialog } from '../components/Dialogs';
import { Field, SelectField } from '../components/Fields';
import { useNotices } from '../components/Notices';
import { RowMenu } from '../components/RowMenu';
import { type ConsoleKey, useFormat, useT } from '../i18n/I18n';
import { NewCompanyDialog } from './NewCompanyDialog';
import { SeatsDialog } from './SeatCap';

type Company = paths['/companies']['get']['responses'][200]['content']['application/json']['items'][number];
type Sort = 'name' | 'status' | 'seats';
type Status = Company['status'];
const STATUSES: Status[] = ['setup', 'active', 'pending_link', 'frozen', 'trial'];
const LIMIT = 25;

function UnlinkDialog({ company, onClose }: { company: Company; onClose(): void }) {
  const t = useT();
  const f = useFormat();
  const client = useQueryClient();
  const { notify } = useNotices();
  const detail = useQuery({
    queryKey: ['company', company.id],
    queryFn: () => ok(api.GET('/companies/{companyId}', { params: { path: { companyId: company.id } } })),
  });
  return (
    <ConfirmDialog
      isOpen
      onOpenChange={(open) => !open && onClose()}
      title={t('unlink.title', { name: company.name })}
      confirmLabel={t('unlink.confirm')}
      onConfirm={async () => {
        const r = await ok(api.POST('/companies/{companyId}/unlink', { params: { path: { companyId: company.id } } }));
        await client.invalidateQueries({ queryKey: ['companies'] });
        notify(t('unlink.done', { name: company.name, date: f.day(r.trialEndsAt) }));
      }}
    >
      <p>{t('unlink.explain', { name: company.name })}</p>
      {detail.data && !detail.data.canUnlink && <p className="warning">{t('unlink.noOwner', { name: company.name })}</p>}
    </ConfirmDialog>
  );
}

export function Companies() {
  const t = useT();
  const [, navigate] = useLocation();
  const { fail } = useNotices();
  const [typed, setTyped] = useState('');
  const [search, setSearch] = useState('');
  const [sort, setSort] = useState<Sort>('name');
  const [status, setStatus] = useState<Status | ''>('');
  const [offset, setOffset] = useState(0);
  const [adding, setAdding] = useState(false);
  const [unlinking, setUnlinking] = useState<Company>();
  const [seating, setSeating] = useState<Company>();

  // Typing waits a quarter second before asking, so each keystroke is not a request.
  useEffect(() => {
    const timer = setTimeout(() => {
      setSearch(typed.trim());
      setOffset(0);
    }, 250);
    return () => clearTimeout(timer);
  }, [typed]);

  const query = {
    search: search || undefined,
    sort,
    order: sort === 'seats' ? ('desc' as const) : ('asc' as const),
    status: status || undefined,
    limit: LIMIT,
    offset,
  };
  const page = useQuery({ queryKey: ['companies', query], queryFn: () => ok(api.GET('/companies', { params: { query } })), placeholderData: keepPreviousData });

  const launch = useMutation({
    mutationFn: (c: Company) => ok(api.POST('/companies/{companyId}/launch', { params: { path: { companyId: c.id } }, body: { reason: 'console' } })),
    onSuccess: (r, c) => {
      rememberLaunch(c.id, { token: r.token, launchId: r.launchId, expiresAt: r.expiresAt, name: c.name });
      navigate(`/accounts/${c.id}/setup`);
    },
    onError: fail,
  });

  const clearAll = () => {
    setTyped('');
    setSearch('');
    setSort('name');
    setStatus('');
    setOffset(0);
  };

  const columns: Array<Column<Company>> = [
    { key: 'name', header: t('companies.col.name'), rowHeader: true, cell: (c) => c.name },
    {
      key: 'status',
      header: t('companies.col.status'),
      cell: (c) => <span className={`badge status-${c.status}`}>{t(`status.${c.status}` as ConsoleKey)}</span>,
    },
    { key: 'region', header: t('companies.col.region'), cell: (c) => c.region.toUpperCase() },
    {
      key: 'seats',
      header: t('companies.col.seats'),
      cell: (c) => (
        <>
          {t(c.seatsCapped ? 'seats.capped' : 'companies.seatsOf', { filled: c.seatsFilled, total: c.seatsTotal })}
          {c.atSeatCap && <span className="badge status-frozen"> {t('seats.atCap')}</span>}
        </>
      ),
    },
    {
      key: 'actions',
      header: t('companies.col.actions'),
      className: 'actions',
      cell: (c) => (
        <div className="row-actions">
          <button
            type="button"
            className="button"
            aria-label={t('companies.launchNamed', { name: c.name })}
            disabled={c.status === 'pending_link' || launch.isPending}
            onClick={() => launch.mutate(c)}
          >
            {t('companies.launch')}
          </button>
          <RowMenu
            label={t('companies.moreFor', { name: c.name })}
            actions={[
              { id: 'seats', label: t('seats.action') },
              { id: 'report', label: t('report.open') },
              { id: 'unlink', label: t('unlink.action'), danger: true },
            ]}
            onAction={(id) =>
              id === 'seats'
                ? setSeating(c)
                : id === 'report'
                  ? window.open(`/api/v1/companies/${c.id}/report?format=html`, '_blank', 'noopener')
                  : setUnlinking(c)
            }
          />
        </div>
      ),
    },
  ];

  const data = page.data;
  return (
    <>
      <div className="page-head">
        <h1>{t('companies.title')}</h1>
        <button type="button" className="button" onClick={() => setAdding(true)}>
          {t('companies.new')}
        </button>
      </div>
      <div className="toolbar" role="search">
        <Field name="search" type="search" label={t('companies.search')} value={typed} onChange={setTyped} />
        <SelectField
          name="sort"
          label={t('companies.sortBy')}
          value={sort}
          onChange={(v) => setSort(v as Sort)}
          options={[
            { value: 'name', label: t('companies.sort.name') },
            { value: 'status', label: t('companies.sort.status') },
            { value: 'seats', label: t('companies.sort.seats') },
          ]}
        />
        <SelectField
          name="status"
          label={t('companies.filter')}
          value={status}
          onChange={(v) => {
            setStatus(v as Status | '');
            setOffset(0);
          }}
          options={[{ value: '', label: t('companies.status.all') }, ...STATUSES.map((s) => ({ value: s, label: t(`status.${s}` as ConsoleKey) }))]}
        />
        <button type="button" className="button secondary" onClick={clearAll}>
          {t('companies.clear')}
        </button>
      </div>
      {page.isError && (
        <p role="alert" className="notice bad">
          {t('error.load')}
        </p>
      )}
      {data && (
        <>
          <DataTable
            caption={t('companies.caption', { count: data.total })}
            columns={columns}
            rows={data.items}
            rowKey={(c) => c.id}
            empty={search || status ? t('companies.noMatch') : t('companies.none')}
          />
          <Pager offset={data.offset} limit={LIMIT} count={data.items.length} total={data.total} onChange={setOffset} />
        </>
      )}
      {!data && !page.isError && <p className="loading">{t('loading')}</p>}
      <NewCompanyDialog isOpen={adding} onOpenChange={setAdding} />
      {unlinking && <UnlinkDialog company={unlinking} onClose={() => setUnlinking(undefined)} />}
      {seating && <SeatsDialog companyId={seating.id} name={seating.name} onClose={() => setSeating(undefined)} />}
    </>
  );
}
