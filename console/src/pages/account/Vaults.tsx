// Shared vaults: create one, open ("View vault") those you can, and — launched as a technician —
// give yourself access (recorded in the company's audit log, which its Owners can turn off).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from 'wouter';
import { api, ok } from '../../api/client';
import type { paths } from '../../api/schema';
import { type Column, DataTable } from '../../components/DataTable';
import { InlineForm } from '../../components/Dialogs';
import { Field } from '../../components/Fields';
import { useNotices } from '../../components/Notices';
import { useFormat, useT } from '../../i18n/I18n';

type Vault = paths['/accounts/{accountId}/vaults']['get']['responses'][200]['content']['application/json'][number];

export const useVaults = (accountId: string) =>
  useQuery({ queryKey: ['vaults', accountId], queryFn: () => ok(api.GET('/accounts/{accountId}/vaults', { params: { path: { accountId } } })) });

export function Vaults({ accountId, launched }: { accountId: string; launched: boolean }) {
  const t = useT();
  const f = useFormat();
  const client = useQueryClient();
  const { notify, fail } = useNotices();
  const vaults = useVaults(accountId);
  const selfAccess = useMutation({
    mutationFn: (v: Vault) => ok(api.POST('/accounts/{accountId}/vaults/{vaultId}/self-access', { params: { path: { accountId, vaultId: v.id } } })),
    onSuccess: async (_r, v) => {
      await client.invalidateQueries({ queryKey: ['vaults', accountId] });
      notify(t('vaults.selfGranted', { name: v.name }));
    },
    onError: fail,
  });
  if (vaults.isError)
    return (
      <p role="alert" className="notice bad">
        {t('error.load')}
      </p>
    );
  if (!vaults.data) return <p className="loading">{t('loading')}</p>;
  const columns: Array<Column<Vault>> = [
    { key: 'name', header: t('vaults.col.name'), rowHeader: true, cell: (v) => v.name },
    { key: 'items', header: t('vaults.col.items'), cell: (v) => f.number(v.items) },
    { key: 'access', header: t('vaults.col.access'), cell: (v) => (v.access ? t('vaults.youHaveAccess') : t('vaults.noAccess')) },
    {
      key: 'actions',
      header: t('vaults.col.actions'),
      className: 'actions',
      cell: (v) =>
        v.access ? (
          <Link className="button secondary" href={`/vaults/${v.id}`} aria-label={t('vaults.viewNamed', { name: v.name })}>
            {t('vaults.view')}
          </Link>
        ) : launched ? (
          <button type="button" className="button secondary" disabled={selfAccess.isPending} onClick={() => selfAccess.mutate(v)}>
            {t('vaults.giveMyself')}
          </button>
        ) : null,
    },
  ];
  return (
    <section aria-labelledby="vaults-title">
      <h2 id="vaults-title">{t('tab.vaults')}</h2>
      <InlineForm
        label={t('vaults.createTitle')}
        submitLabel={t('vaults.create')}
        validate={(v) => (v.name ? {} : { name: t('field.required') })}
        onSubmit={async (v) => {
          await ok(api.POST('/accounts/{accountId}/vaults', { params: { path: { accountId } }, body: { name: v.name! } }));
          await Promise.all([client.invalidateQueries({ queryKey: ['vaults', accountId] }), client.invalidateQueries({ queryKey: ['setup', accountId] })]);
          notify(t('vaults.created', { name: v.name }));
        }}
      >
        <Field name="name" label={t('vaults.name')} isRequired />
      </InlineForm>
      <DataTable
        caption={t('vaults.caption', { count: vaults.data.length })}
        columns={columns}
        rows={vaults.data}
        rowKey={(v) => v.id}
        empty={t('vaults.none')}
      />
      {launched && <p className="hint">{t('vaults.auditNote')}</p>}
    </section>
  );
}
