// One vault's items, headed by the vault's and the company's name; categories in words.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from 'wouter';
import { api, ok } from '../../api/client';
import type { paths } from '../../api/schema';
import { type Column, DataTable } from '../../components/DataTable';
import { InlineForm } from '../../components/Dialogs';
import { Field, SelectField } from '../../components/Fields';
import { useNotices } from '../../components/Notices';
import { useFormat, useT } from '../../i18n/I18n';
import { ITEM_CATEGORIES, useCategoryName } from './names';
import { useVaults } from './Vaults';

type Item = paths['/accounts/{accountId}/vaults/{vaultId}/items']['get']['responses'][200]['content']['application/json'][number];

export function VaultItems({ accountId, vaultId, accountName }: { accountId: string; vaultId: string; accountName: string }) {
  const t = useT();
  const f = useFormat();
  const category = useCategoryName();
  const client = useQueryClient();
  const { notify } = useNotices();
  const vault = useVaults(accountId).data?.find((v) => v.id === vaultId);
  const items = useQuery({
    queryKey: ['items', accountId, vaultId],
    queryFn: () => ok(api.GET('/accounts/{accountId}/vaults/{vaultId}/items', { params: { path: { accountId, vaultId } } })),
  });
  const columns: Array<Column<Item>> = [
    { key: 'title', header: t('items.col.title'), rowHeader: true, cell: (i) => i.title },
    { key: 'category', header: t('items.col.category'), cell: (i) => category(i.category) },
    { key: 'updated', header: t('items.col.updated'), cell: (i) => f.date(i.updatedAt) },
  ];
  return (
    <section aria-labelledby="items-title">
      <p>
        <Link href="/vaults">{t('items.back')}</Link>
      </p>
      <h2 id="items-title">{t('items.title', { vault: vault?.name ?? '…', company: accountName })}</h2>
      {items.isError && (
        <p role="alert" className="notice bad">
          {t('items.noAccess')}
        </p>
      )}
      {items.data && (
        <>
          <InlineForm
            label={t('items.addTitle')}
            submitLabel={t('items.add')}
            validate={(v) => (v.title ? {} : { title: t('field.required') })}
            onSubmit={async (v) => {
              await ok(
                api.POST('/accounts/{accountId}/vaults/{vaultId}/items', {
                  params: { path: { accountId, vaultId } },
                  body: { title: v.title!, category: v.category || 'login' },
                }),
              );
              await Promise.all([
                client.invalidateQueries({ queryKey: ['items', accountId, vaultId] }),
                client.invalidateQueries({ queryKey: ['vaults', accountId] }),
              ]);
              notify(t('items.added', { title: v.title }));
            }}
          >
            <Field name="title" label={t('items.itemTitle')} isRequired />
            <SelectField
              name="category"
              label={t('items.category')}
              defaultValue="login"
              options={ITEM_CATEGORIES.map((c) => ({ value: c, label: category(c) }))}
            />
          </InlineForm>
          <DataTable
            caption={t('items.caption', { count: items.data.length })}
            columns={columns}
            rows={items.data}
            rowKey={(i) => i.id}
            empty={t('items.none')}
          />
        </>
      )}
    </section>
  );
}
