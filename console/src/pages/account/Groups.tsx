// Groups: the built-in ones (named in the reader's language) and custom groups to create.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ok } from '../../api/client';
import type { paths } from '../../api/schema';
import { type Column, DataTable } from '../../components/DataTable';
import { InlineForm } from '../../components/Dialogs';
import { Field } from '../../components/Fields';
import { useNotices } from '../../components/Notices';
import { type ConsoleKey, useT } from '../../i18n/I18n';
import { useGroupName } from './names';

type Group = paths['/accounts/{accountId}/groups']['get']['responses'][200]['content']['application/json'][number];

export const useGroups = (accountId: string) =>
  useQuery({ queryKey: ['groups', accountId], queryFn: () => ok(api.GET('/accounts/{accountId}/groups', { params: { path: { accountId } } })) });

export function Groups({ accountId }: { accountId: string }) {
  const t = useT();
  const groupName = useGroupName();
  const client = useQueryClient();
  const { notify } = useNotices();
  const groups = useGroups(accountId);
  if (groups.isError)
    return (
      <p role="alert" className="notice bad">
        {t('error.load')}
      </p>
    );
  if (!groups.data) return <p className="loading">{t('loading')}</p>;
  const columns: Array<Column<Group>> = [
    { key: 'name', header: t('groups.col.name'), rowHeader: true, cell: (g) => groupName(g.name) },
    { key: 'kind', header: t('groups.col.kind'), cell: (g) => t(`kind.${g.kind}` as ConsoleKey) },
    {
      key: 'description',
      header: t('groups.col.description'),
      cell: (g) => (g.kind === 'custom' ? (g.description ?? '') : t(`groupAbout.${g.kind}` as ConsoleKey)),
    },
  ];
  return (
    <section aria-labelledby="groups-title">
      <h2 id="groups-title">{t('tab.groups')}</h2>
      <InlineForm
        label={t('groups.createTitle')}
        submitLabel={t('groups.create')}
        validate={(v) => (v.name ? {} : { name: t('field.required') })}
        onSubmit={async (v) => {
          await ok(
            api.POST('/accounts/{accountId}/groups', { params: { path: { accountId } }, body: { name: v.name!, description: v.description || undefined } }),
          );
          await Promise.all([client.invalidateQueries({ queryKey: ['groups', accountId] }), client.invalidateQueries({ queryKey: ['setup', accountId] })]);
          notify(t('groups.created', { name: v.name }));
        }}
      >
        <Field name="name" label={t('groups.name')} isRequired />
        <Field name="description" label={t('groups.description')} />
      </InlineForm>
      <DataTable
        caption={t('groups.caption', { count: groups.data.length })}
        columns={columns}
        rows={groups.data}
        rowKey={(g) => g.id}
        empty={t('groups.none')}
      />
      <p className="hint">{t('groups.mappingHint')}</p>
    </section>
  );
}
