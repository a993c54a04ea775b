// Technician scope in the console: the MSP's setting (all companies or only assigned ones; its
// Owners change it) and the dialog that assigns companies to one technician.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, ok } from '../api/client';
import { type Column, DataTable } from '../components/DataTable';
import { DialogFrame, InlineForm } from '../components/Dialogs';
import { SelectField } from '../components/Fields';
import { useNotices } from '../components/Notices';
import { useFormat, useT } from '../i18n/I18n';
import { useSession } from '../session';

type Scope = 'all' | 'assigned';

/** Settings → Technician scope (MSP Owners change it; Administrators see it). */
export function TechnicianScopeSetting() {
  const t = useT();
  const { me } = useSession();
  const client = useQueryClient();
  const { notify } = useNotices();
  const mspId = me!.accountId;
  const isOwner = me!.roles.includes('owners');
  const account = useQuery({ queryKey: ['account', mspId], queryFn: () => ok(api.GET('/accounts/{accountId}', { params: { path: { accountId: mspId } } })) });
  if (!account.data) return null;
  const current: Scope = account.data.settings.technicianScope ?? 'all';
  return (
    <section aria-labelledby="scope-title">
      <h2 id="scope-title">{t('scope.title')}</h2>
      <p className="hint">{t('scope.explain')}</p>
      <InlineForm
        label={t('scope.title')}
        submitLabel={t('scope.save')}
        onSubmit={async (v) => {
          await ok(api.PATCH('/accounts/{accountId}/settings', { params: { path: { accountId: mspId } }, body: { technicianScope: v.scope as Scope } }));
          await Promise.all([client.invalidateQueries({ queryKey: ['account', mspId] }), client.invalidateQueries({ queryKey: ['companies'] })]);
          notify(t('scope.saved'));
        }}
      >
        <SelectField
          name="scope"
          label={t('scope.label')}
          defaultValue={current}
          isDisabled={!isOwner}
          options={[
            { value: 'all', label: t('scope.all') },
            { value: 'assigned', label: t('scope.assigned') },
          ]}
        />
        {!isOwner && <p className="hint">{t('scope.ownersOnly')}</p>}
      </InlineForm>
    </section>
  );
}

interface Assignment {
  companyId: string;
  companyName: string;
  assignedAt: string;
}

/** Technicians → Companies: what one technician reaches with the scope `assigned`. */
export function AssignmentsDialog({ memberId, who, onClose }: { memberId: string; who: string; onClose(): void }) {
  const t = useT();
  const f = useFormat();
  const client = useQueryClient();
  const { notify, fail } = useNotices();
  const key = ['technician-assignments', memberId];
  const assigned = useQuery({ queryKey: key, queryFn: () => ok(api.GET('/technician-assignments', { params: { query: { memberId } } })) });
  // The companies to pick from: a manager sees them all (the first 1000 by name).
  const companies = useQuery({ queryKey: ['companies', 'all-names'], queryFn: () => ok(api.GET('/companies', { params: { query: { limit: 1000 } } })) });
  const [busy, setBusy] = useState(false);
  const taken = new Set((assigned.data ?? []).map((a) => a.companyId));
  const free = (companies.data?.items ?? []).filter((c) => !taken.has(c.id));
  const unassign = async (a: Assignment) => {
    setBusy(true);
    try {
      await ok(api.DELETE('/technicians/{memberId}/companies/{companyId}', { params: { path: { memberId, companyId: a.companyId } } }));
      await client.invalidateQueries({ queryKey: key });
      notify(t('assign.removed', { name: a.companyName, who }));
    } catch (err) {
      fail(err);
    } finally {
      setBusy(false);
    }
  };
  const columns: Array<Column<Assignment>> = [
    { key: 'company', header: t('assign.col.company'), rowHeader: true, cell: (a) => a.companyName },
    { key: 'since', header: t('assign.col.since'), cell: (a) => f.date(a.assignedAt) },
    {
      key: 'actions',
      header: t('assign.col.actions'),
      className: 'actions',
      cell: (a) => (
        <button
          type="button"
          className="button secondary"
          disabled={busy}
          aria-label={t('assign.removeNamed', { name: a.companyName })}
          onClick={() => void unassign(a)}
        >
          {t('assign.remove')}
        </button>
      ),
    },
  ];
  return (
    <DialogFrame isOpen onOpenChange={(open) => !open && onClose()} title={t('assign.title', { who })}>
      <p className="hint">{t('assign.explain', { who })}</p>
      {free.length > 0 && (
        <InlineForm
          label={t('assign.add')}
          submitLabel={t('assign.add')}
          onSubmit={async (v) => {
            const companyId = v.company ?? free[0]!.id;
            await ok(api.PUT('/technicians/{memberId}/companies/{companyId}', { params: { path: { memberId, companyId } } }));
            await client.invalidateQueries({ queryKey: key });
            notify(t('assign.added', { name: free.find((c) => c.id === companyId)?.name ?? companyId, who }));
          }}
        >
          <SelectField name="company" label={t('assign.company')} options={free.map((c) => ({ value: c.id, label: c.name }))} />
        </InlineForm>
      )}
      <DataTable
        caption={t('assign.caption', { count: assigned.data?.length ?? 0, who })}
        columns={columns}
        rows={assigned.data ?? []}
        rowKey={(a) => a.companyId}
        empty={t('assign.none')}
      />
    </DialogFrame>
  );
}
