// Technicians: the people who act for the MSP in its companies; add one by email (invited when
// new), take the role given here after a confirmation naming the person.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, ok } from '../api/client';
import type { paths } from '../api/schema';
import { type Column, DataTable, PersonName } from '../components/DataTable';
import { ConfirmDialog, InlineForm } from '../components/Dialogs';
import { Field } from '../components/Fields';
import { useNotices } from '../components/Notices';
import { type ConsoleKey, useT } from '../i18n/I18n';
import { useSession } from '../session';
import { useGroupName } from './account/names';
import { AssignmentsDialog } from './TechnicianScope';

type Staff = paths['/technicians']['get']['responses'][200]['content']['application/json'][number];

export function Technicians() {
  const t = useT();
  const groupName = useGroupName();
  const client = useQueryClient();
  const { me, isManager } = useSession();
  const { notify } = useNotices();
  const staff = useQuery({ queryKey: ['technicians'], queryFn: () => ok(api.GET('/technicians')) });
  // Names come with the account's people list, which its administrators may read.
  const people = useQuery({
    queryKey: ['people', me!.accountId],
    enabled: isManager,
    queryFn: () => ok(api.GET('/accounts/{accountId}/people', { params: { path: { accountId: me!.accountId } } })),
  });
  const names = new Map((people.data?.items ?? []).map((p) => [p.id, p.name]));
  const [removing, setRemoving] = useState<Staff>();
  const [assigning, setAssigning] = useState<Staff>();
  const label = (s: Staff) => names.get(s.memberId) ?? s.email ?? s.memberId;
  const columns: Array<Column<Staff>> = [
    { key: 'person', header: t('tech.col.person'), rowHeader: true, cell: (s) => <PersonName name={names.get(s.memberId)} email={s.email} /> },
    { key: 'roles', header: t('tech.col.roles'), cell: (s) => s.roles.map(groupName).join(', ') },
    { key: 'state', header: t('tech.col.state'), cell: (s) => t(`state.${s.state}` as ConsoleKey) },
    {
      key: 'actions',
      header: t('tech.col.actions'),
      className: 'actions',
      cell: (s) => (
        <div className="row-actions">
          {isManager && s.roles.includes('MSP Technicians') && (
            <button type="button" className="button secondary" aria-label={t('assign.actionNamed', { who: label(s) })} onClick={() => setAssigning(s)}>
              {t('assign.action')}
            </button>
          )}
          {isManager && s.source.includes('manual') ? (
            <button type="button" className="button danger" aria-label={t('tech.removeNamed', { who: label(s) })} onClick={() => setRemoving(s)}>
              {t('tech.remove')}
            </button>
          ) : s.source.includes('idp') ? (
            <span className="hint">{t('tech.viaIdp')}</span>
          ) : null}
        </div>
      ),
    },
  ];
  return (
    <>
      <h1>{t('tech.title')}</h1>
      <p>{t('tech.explain')}</p>
      {isManager && (
        <InlineForm
          label={t('tech.add')}
          submitLabel={t('tech.add')}
          validate={(v) => (v.email ? {} : { email: t('field.required') })}
          onSubmit={async (v) => {
            const r = await ok(api.POST('/technicians', { body: { email: v.email! } }));
            await Promise.all([client.invalidateQueries({ queryKey: ['technicians'] }), client.invalidateQueries({ queryKey: ['people'] })]);
            notify(r.invited ? t('tech.invited', { email: v.email }) : t('tech.added', { email: v.email }));
          }}
        >
          <Field name="email" type="email" label={t('tech.email')} isRequired autoComplete="off" />
        </InlineForm>
      )}
      {staff.isError && (
        <p role="alert" className="notice bad">
          {t('error.load')}
        </p>
      )}
      <DataTable
        caption={t('tech.caption', { count: staff.data?.length ?? 0 })}
        columns={columns}
        rows={staff.data ?? []}
        rowKey={(s) => s.memberId}
        empty={t('tech.none')}
      />
      {assigning && <AssignmentsDialog memberId={assigning.memberId} who={label(assigning)} onClose={() => setAssigning(undefined)} />}
      {removing && (
        <ConfirmDialog
          isOpen
          onOpenChange={(open) => !open && setRemoving(undefined)}
          title={t('tech.removeTitle', { who: label(removing) })}
          confirmLabel={t('tech.remove')}
          onConfirm={async () => {
            const r = await ok(api.DELETE('/technicians/{memberId}', { params: { path: { memberId: removing.memberId } } }));
            await client.invalidateQueries({ queryKey: ['technicians'] });
            notify(r.stillTechnician ? t('tech.stillByIdp', { who: label(removing) }) : t('tech.removed', { who: label(removing) }));
          }}
        >
          <p>{t('tech.removeExplain', { who: label(removing) })}</p>
        </ConfirmDialog>
      )}
    </>
  );
}
