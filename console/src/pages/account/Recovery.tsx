// Recover accounts: pick a member who lost access (by name or email), they choose new
// credentials from an email, then an administrator completes the recovery here.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, ok } from '../../api/client';
import type { paths } from '../../api/schema';
import { type Column, DataTable, PersonName } from '../../components/DataTable';
import { InlineForm } from '../../components/Dialogs';
import { useNotices } from '../../components/Notices';
import { Picker, type PickerItem } from '../../components/Picker';
import { type ConsoleKey, useFormat, useT } from '../../i18n/I18n';
import { useSession } from '../../session';
import { usePeople } from './Members';

type Request = paths['/accounts/{accountId}/recoveries']['get']['responses'][200]['content']['application/json'][number];

type Person = NonNullable<ReturnType<typeof usePeople>['data']>['items'][number];
// Kept per list (the cached answer stays the same object while unchanged): a new list would
// reset what is typed in the picker.
const picks = new WeakMap<Person[], PickerItem[]>();
function pickable(items: Person[], self: string | undefined): PickerItem[] {
  let out = picks.get(items);
  if (!out) {
    out = items
      .filter((p) => p.state === 'active' && p.id !== self)
      .map((p) => ({ id: p.id, label: p.name ?? p.email ?? p.userName, detail: p.name ? (p.email ?? p.userName) : undefined }));
    picks.set(items, out);
  }
  return out;
}

export function Recovery({ accountId }: { accountId: string }) {
  const t = useT();
  const f = useFormat();
  const client = useQueryClient();
  const { me } = useSession();
  const { notify, fail } = useNotices();
  const people = usePeople(accountId);
  const requests = useQuery({
    queryKey: ['recoveries', accountId],
    queryFn: () => ok(api.GET('/accounts/{accountId}/recoveries', { params: { path: { accountId } } })),
  });
  const [who, setWho] = useState<string | null>(null);
  const byId = new Map((people.data?.items ?? []).map((p) => [p.id, p]));
  const labelOf = (id: string) => {
    const p = byId.get(id);
    return p ? (p.name ?? p.email ?? p.userName) : id;
  };
  const complete = useMutation({
    mutationFn: (r: Request) => ok(api.POST('/accounts/{accountId}/recoveries/{requestId}/complete', { params: { path: { accountId, requestId: r.id } } })),
    onSuccess: async (_d, r) => {
      await client.invalidateQueries({ queryKey: ['recoveries', accountId] });
      notify(t('recovery.completed', { who: labelOf(r.memberId) }));
    },
    onError: fail,
  });
  if (requests.isError || people.isError)
    return (
      <p role="alert" className="notice bad">
        {t('error.load')}
      </p>
    );
  if (!requests.data || !people.data) return <p className="loading">{t('loading')}</p>;
  const candidates = pickable(people.data.items, me?.memberId);
  const columns: Array<Column<Request>> = [
    {
      key: 'member',
      header: t('recovery.col.member'),
      rowHeader: true,
      cell: (r) => {
        const p = byId.get(r.memberId);
        return <PersonName name={p?.name} email={p?.email} userName={p?.userName ?? r.memberId} />;
      },
    },
    { key: 'status', header: t('recovery.col.status'), cell: (r) => t(`recoveryStatus.${r.status}` as ConsoleKey) },
    { key: 'started', header: t('recovery.col.started'), cell: (r) => f.date(r.createdAt) },
    {
      key: 'actions',
      header: t('recovery.col.actions'),
      className: 'actions',
      cell: (r) =>
        r.status === 'credentials_set' ? (
          <button
            type="button"
            className="button"
            disabled={complete.isPending}
            onClick={() => complete.mutate(r)}
            aria-label={t('recovery.completeFor', { who: labelOf(r.memberId) })}
          >
            {t('recovery.complete')}
          </button>
        ) : null,
    },
  ];
  return (
    <section aria-labelledby="recovery-title">
      <h2 id="recovery-title">{t('tab.recovery')}</h2>
      <p>{t('recovery.explain')}</p>
      <InlineForm
        label={t('recovery.startTitle')}
        submitLabel={t('recovery.start')}
        validate={() => (who ? {} : { memberId: t('recovery.pickSomeone') })}
        onSubmit={async () => {
          await ok(api.POST('/accounts/{accountId}/recoveries', { params: { path: { accountId } }, body: { memberId: who! } }));
          await client.invalidateQueries({ queryKey: ['recoveries', accountId] });
          notify(t('recovery.started', { who: labelOf(who!) }));
          setWho(null);
        }}
        onDone={() => undefined}
      >
        <Picker name="memberId" label={t('recovery.member')} items={candidates} selected={who} onSelect={setWho} empty={t('recovery.nobody')} isRequired />
      </InlineForm>
      <DataTable
        caption={t('recovery.caption', { count: requests.data.length })}
        columns={columns}
        rows={requests.data}
        rowKey={(r) => r.id}
        empty={t('recovery.none')}
      />
    </section>
  );
}
