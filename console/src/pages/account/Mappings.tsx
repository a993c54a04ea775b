// Group mappings: pick a group the IdP pushed by its name (the mapping stores its SCIM id),
// choose the role, preview who gains or loses it, apply; remove a mapping after a confirmation
// that shows its effect; resync; the changes the last-Owner guard holds.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { api, ok } from '../../api/client';
import type { paths } from '../../api/schema';
import { type Column, DataTable } from '../../components/DataTable';
import { ConfirmDialog } from '../../components/Dialogs';
import { SelectField } from '../../components/Fields';
import { errorText, useNotices } from '../../components/Notices';
import { Picker } from '../../components/Picker';
import { type ConsoleKey, useFormat, useT } from '../../i18n/I18n';
import { useGroups } from './Groups';
import { useGroupName } from './names';

type Result = paths['/accounts/{accountId}/mappings']['post']['responses'][200]['content']['application/json'];
type Mapping = paths['/accounts/{accountId}/mappings']['get']['responses'][200]['content']['application/json'][number];

function Changes({ result }: { result: Result }) {
  const t = useT();
  const groupName = useGroupName();
  if (!result.changes.length) return <p>{t('mapping.noChanges')}</p>;
  return (
    <ul>
      {result.changes.map((c) => (
        <li key={`${c.memberId}:${c.groupId}:${c.change}`}>
          {t(`change.${c.change}` as ConsoleKey, { who: c.email ?? c.userName ?? c.memberId, group: groupName(c.group) })}
        </li>
      ))}
    </ul>
  );
}

export function Mappings({ accountId }: { accountId: string }) {
  const t = useT();
  const f = useFormat();
  const groupName = useGroupName();
  const client = useQueryClient();
  const { notify, fail } = useNotices();
  const path = { params: { path: { accountId } } };
  const pushed = useQuery({ queryKey: ['idp-groups', accountId], queryFn: () => ok(api.GET('/accounts/{accountId}/idp-groups', path)) });
  const mappings = useQuery({ queryKey: ['mappings', accountId], queryFn: () => ok(api.GET('/accounts/{accountId}/mappings', path)) });
  const drift = useQuery({ queryKey: ['drift', accountId], queryFn: () => ok(api.GET('/accounts/{accountId}/mappings/drift', path)) });
  const groups = useGroups(accountId).data ?? [];
  const [idpGroup, setIdpGroup] = useState<string | null>(null);
  const [target, setTarget] = useState('Administrators');
  const [preview, setPreview] = useState<Result>();
  const [problem, setProblem] = useState<string>();
  const [busy, setBusy] = useState<'preview' | 'apply' | 'resync'>();
  const [removing, setRemoving] = useState<{ mapping: Mapping; preview?: Result }>();
  const refresh = () => Promise.all(['mappings', 'idp-groups', 'drift', 'people', 'setup'].map((k) => client.invalidateQueries({ queryKey: [k, accountId] })));

  const run = async (dryRun: boolean) => {
    setProblem(undefined);
    if (!idpGroup) return setProblem(t('mapping.pickGroup'));
    setBusy(dryRun ? 'preview' : 'apply');
    try {
      const r = await ok(api.POST('/accounts/{accountId}/mappings', { ...path, body: { scimGroup: idpGroup, group: target, dryRun } }));
      if (dryRun) setPreview(r);
      else {
        setPreview(undefined);
        setIdpGroup(null);
        await refresh();
        notify(t('mapping.applied', { count: r.changes.length }));
      }
    } catch (err) {
      setProblem(errorText(t, err));
    } finally {
      setBusy(undefined);
    }
  };
  const resync = async () => {
    setBusy('resync');
    try {
      const r = await ok(api.POST('/accounts/{accountId}/mappings/resync', path));
      await refresh();
      notify(t('mapping.resynced', { count: r.changes.length }));
    } catch (err) {
      fail(err);
    } finally {
      setBusy(undefined);
    }
  };
  const askRemove = async (m: Mapping) => {
    setRemoving({ mapping: m });
    const p = await ok(
      api.DELETE('/accounts/{accountId}/mappings/{mappingId}', { params: { path: { accountId, mappingId: m.id }, query: { dryRun: 'true' } } }),
    ).catch(() => undefined);
    setRemoving((cur) => (cur?.mapping.id === m.id ? { mapping: m, preview: p } : cur));
  };

  const pushedName = (m: Mapping) => m.idpDisplayName ?? m.idpExternalId ?? m.idpGroupId ?? '';
  const columns: Array<Column<Mapping>> = [
    { key: 'idp', header: t('mapping.col.idpGroup'), rowHeader: true, cell: pushedName },
    { key: 'group', header: t('mapping.col.group'), cell: (m) => groupName(m.group) },
    { key: 'kind', header: t('mapping.col.kind'), cell: (m) => (m.automatic ? t('mapping.automatic') : t('mapping.explicit')) },
    {
      key: 'actions',
      header: t('mapping.col.actions'),
      className: 'actions',
      cell: (m) => (
        <button type="button" className="button danger" aria-label={t('mapping.removeNamed', { name: pushedName(m) })} onClick={() => void askRemove(m)}>
          {t('mapping.remove')}
        </button>
      ),
    },
  ];
  // The same items while the data is the same: a new list would reset what is typed in the picker.
  const items = useMemo(
    () =>
      (pushed.data ?? []).map((g) => ({
        id: g.id,
        label: g.displayName,
        detail: t('mapping.groupDetail', { members: g.members, mapped: g.mappedTo.length ? g.mappedTo.map(groupName).join(', ') : 'none' }),
      })),
    [pushed.data, t, groupName],
  );
  return (
    <section aria-labelledby="mappings-title">
      <h3 id="mappings-title">{t('mapping.title')}</h3>
      <form
        className="toolbar"
        aria-label={t('mapping.title')}
        onSubmit={(e) => {
          e.preventDefault();
          void run(false);
        }}
      >
        <Picker
          label={t('mapping.idpGroup')}
          items={items}
          selected={idpGroup}
          onSelect={(id) => {
            setIdpGroup(id);
            setPreview(undefined);
          }}
          empty={t('mapping.nothingPushed')}
          description={t('mapping.idpGroupHint')}
        />
        <SelectField
          name="group"
          label={t('mapping.target')}
          value={target}
          onChange={(v) => {
            setTarget(v);
            setPreview(undefined);
          }}
          options={groups.map((g) => ({ value: g.name, label: groupName(g.name) }))}
        />
        <button type="button" className="button secondary" disabled={busy !== undefined} onClick={() => void run(true)}>
          {busy === 'preview' ? t('busy') : t('mapping.preview')}
        </button>
        <button type="submit" className="button" disabled={busy !== undefined}>
          {busy === 'apply' ? t('busy') : t('mapping.apply')}
        </button>
        {problem && (
          <p role="alert" className="form-error">
            {problem}
          </p>
        )}
      </form>
      <div role="status" aria-live="polite">
        {preview && (
          <div className="preview">
            <h4>{t('mapping.previewTitle')}</h4>
            <Changes result={preview} />
          </div>
        )}
      </div>
      <DataTable caption={t('mapping.caption')} columns={columns} rows={mappings.data ?? []} rowKey={(m) => m.id} empty={t('mapping.none')} />
      <p>
        <button type="button" className="button secondary" disabled={busy !== undefined} onClick={() => void resync()}>
          {busy === 'resync' ? t('mapping.resyncing') : t('mapping.resync')}
        </button>
      </p>
      <h3>{t('held.title')}</h3>
      {drift.data?.held.length ? (
        <ul>
          {drift.data.held.map((h) => (
            <li key={h.id}>{t('held.line', { who: h.email ?? h.memberId, what: t(`held.${h.kind}` as ConsoleKey), since: f.date(h.since) })}</li>
          ))}
        </ul>
      ) : (
        <p>{t('held.none')}</p>
      )}
      {removing && (
        <ConfirmDialog
          isOpen
          onOpenChange={(open) => !open && setRemoving(undefined)}
          title={t('mapping.removeTitle', { name: pushedName(removing.mapping), group: groupName(removing.mapping.group) })}
          confirmLabel={t('mapping.remove')}
          onConfirm={async () => {
            const r = await ok(
              api.DELETE('/accounts/{accountId}/mappings/{mappingId}', { params: { path: { accountId, mappingId: removing.mapping.id }, query: {} } }),
            );
            await refresh();
            notify(t('mapping.removed', { count: r.changes.length }));
          }}
        >
          <p>{t('mapping.removeExplain')}</p>
          {removing.preview ? <Changes result={removing.preview} /> : <p className="loading">{t('loading')}</p>}
        </ConfirmDialog>
      )}
    </section>
  );
}
