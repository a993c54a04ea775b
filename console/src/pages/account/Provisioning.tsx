// Provisioning: connect the company's IdP over SCIM (base URL, tokens shown once and listed at
// once, revoked after a confirmation), how pushes treat people, group mappings, and the
// requests the IdP sent.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, ok } from '../../api/client';
import type { paths } from '../../api/schema';
import { type Column, DataTable } from '../../components/DataTable';
import { ConfirmDialog, InlineForm } from '../../components/Dialogs';
import { Check, Field, SelectField } from '../../components/Fields';
import { useNotices } from '../../components/Notices';
import { CopyField, Secret } from '../../components/Secret';
import { useFormat, useT } from '../../i18n/I18n';
import { useAccount } from './AccountPages';
import { HeldRemovals } from './HeldRemovals';
import { Mappings } from './Mappings';
import { usePeople } from './Members';

type Token = paths['/accounts/{accountId}/scim']['get']['responses'][200]['content']['application/json']['tokens'][number];
type LogEntry = paths['/accounts/{accountId}/scim/requests']['get']['responses'][200]['content']['application/json'][number];

function Tokens({ accountId }: { accountId: string }) {
  const t = useT();
  const f = useFormat();
  const client = useQueryClient();
  const { notify } = useNotices();
  const scim = useQuery({ queryKey: ['scim', accountId], queryFn: () => ok(api.GET('/accounts/{accountId}/scim', { params: { path: { accountId } } })) });
  const [secret, setSecret] = useState<string>();
  const [revoking, setRevoking] = useState<Token>();
  const refresh = () =>
    Promise.all([client.invalidateQueries({ queryKey: ['scim', accountId] }), client.invalidateQueries({ queryKey: ['setup', accountId] })]);
  if (!scim.data) return <p className="loading">{t('loading')}</p>;
  const name = (k: Token) => k.label || `${k.prefix}…`;
  const columns: Array<Column<Token>> = [
    { key: 'token', header: t('scim.col.token'), rowHeader: true, cell: (k) => <code>{k.prefix}…</code> },
    { key: 'label', header: t('scim.col.label'), cell: (k) => k.label ?? '' },
    { key: 'created', header: t('scim.col.created'), cell: (k) => f.date(k.createdAt) },
    { key: 'used', header: t('scim.col.lastUsed'), cell: (k) => (k.lastUsedAt ? f.date(k.lastUsedAt) : t('never')) },
    {
      key: 'actions',
      header: t('scim.col.actions'),
      className: 'actions',
      cell: (k) =>
        k.revokedAt ? (
          t('scim.revoked')
        ) : (
          <button type="button" className="button danger" aria-label={t('scim.revokeNamed', { name: name(k) })} onClick={() => setRevoking(k)}>
            {t('scim.revoke')}
          </button>
        ),
    },
  ];
  return (
    <>
      <CopyField label={t('scim.baseUrl')} value={scim.data.baseUrl} />
      <InlineForm
        label={t('scim.createToken')}
        submitLabel={t('scim.createToken')}
        onSubmit={async (v) => {
          const r = await ok(api.POST('/accounts/{accountId}/scim/tokens', { params: { path: { accountId } }, body: { label: v.label || undefined } }));
          setSecret(r.token);
          await refresh();
        }}
      >
        <Field name="label" label={t('scim.label')} />
      </InlineForm>
      {secret && <Secret value={secret} warning={t('scim.shownOnce')} testId="scim-token" />}
      <DataTable caption={t('scim.tokens')} columns={columns} rows={scim.data.tokens} rowKey={(k) => k.id} empty={t('scim.none')} />
      {revoking && (
        <ConfirmDialog
          isOpen
          onOpenChange={(open) => !open && setRevoking(undefined)}
          title={t('scim.revokeTitle', { name: name(revoking) })}
          confirmLabel={t('scim.revoke')}
          onConfirm={async () => {
            await ok(api.DELETE('/accounts/{accountId}/scim/tokens/{tokenId}', { params: { path: { accountId, tokenId: revoking.id } } }));
            await refresh();
            notify(t('scim.revokedNamed', { name: name(revoking) }));
          }}
        >
          <p>{t('scim.revokeExplain')}</p>
        </ConfirmDialog>
      )}
    </>
  );
}

function PushSettings({ accountId }: { accountId: string }) {
  const t = useT();
  const client = useQueryClient();
  const { notify } = useNotices();
  const account = useAccount(accountId).data;
  const governing = Boolean(usePeople(accountId).data?.may.governSettings);
  if (!account) return null;
  const s = account.settings;
  return (
    <InlineForm
      label={t('push.title')}
      submitLabel={t('policies.save')}
      onSubmit={async (v) => {
        await ok(
          api.PATCH('/accounts/{accountId}/settings', {
            params: { path: { accountId } },
            body: {
              scimDeleteMode: v.scimDeleteMode === 'remove' ? 'remove' : 'suspend',
              unmappedGroupsAsCustom: v.unmappedGroupsAsCustom === 'on',
              deprovisionLimit: Number(v.deprovisionLimit),
              ...(governing ? { adoptExistingMembers: v.adoptExistingMembers === 'on' } : {}),
            },
          }),
        );
        await client.invalidateQueries({ queryKey: ['account', accountId] });
        notify(t('policies.saved'));
      }}
      onDone={() => undefined}
    >
      <SelectField
        name="scimDeleteMode"
        label={t('push.deleteMode')}
        defaultValue={s.scimDeleteMode ?? 'suspend'}
        options={[
          { value: 'suspend', label: t('push.suspend') },
          { value: 'remove', label: t('push.remove') },
        ]}
      />
      <Field name="deprovisionLimit" type="number" label={t('push.deprovisionLimit')} defaultValue={String(s.deprovisionLimit ?? 10)} />
      <Check name="unmappedGroupsAsCustom" label={t('push.unmappedAsCustom')} defaultChecked={s.unmappedGroupsAsCustom !== false} />
      <Check
        name="adoptExistingMembers"
        label={t('push.adopt')}
        hint={governing ? undefined : t('policies.ownersOnly')}
        defaultChecked={Boolean(s.adoptExistingMembers)}
        isDisabled={!governing}
      />
    </InlineForm>
  );
}

function RequestLog({ accountId }: { accountId: string }) {
  const t = useT();
  const client = useQueryClient();
  const f = useFormat();
  const log = useQuery({
    queryKey: ['scim-log', accountId],
    queryFn: () => ok(api.GET('/accounts/{accountId}/scim/requests', { params: { path: { accountId }, query: { limit: 20 } } })),
  });
  const columns: Array<Column<LogEntry>> = [
    { key: 'time', header: t('log.col.time'), cell: (r) => f.date(r.createdAt) },
    { key: 'request', header: t('log.col.request'), rowHeader: true, cell: (r) => <code>{`${r.method} ${r.path}`}</code> },
    { key: 'status', header: t('log.col.status'), cell: (r) => String(r.status) },
    { key: 'idp', header: t('log.col.idp'), cell: (r) => r.idp ?? '' },
    { key: 'detail', header: t('log.col.detail'), cell: (r) => r.detail ?? '' },
  ];
  return (
    <>
      <div className="page-head">
        <h3>{t('log.title')}</h3>
        <button
          type="button"
          className="button secondary"
          onClick={() => void Promise.all(['scim-log', 'idp-groups', 'mappings', 'drift'].map((k) => client.invalidateQueries({ queryKey: [k, accountId] })))}
        >
          {t('refresh')}
        </button>
      </div>
      <DataTable caption={t('log.caption')} columns={columns} rows={log.data ?? []} rowKey={(r) => String(r.id)} empty={t('log.none')} />
    </>
  );
}

export function Provisioning({ accountId }: { accountId: string }) {
  const t = useT();
  return (
    <section aria-labelledby="provisioning-title">
      <h2 id="provisioning-title">{t('scim.title')}</h2>
      <Tokens accountId={accountId} />
      <h3>{t('push.title')}</h3>
      <PushSettings accountId={accountId} />
      <HeldRemovals accountId={accountId} />
      <Mappings accountId={accountId} />
      <RequestLog accountId={accountId} />
    </section>
  );
}
