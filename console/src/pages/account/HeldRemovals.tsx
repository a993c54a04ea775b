// What the deprovisioning breaker holds: SCIM removals beyond the company's hourly limit, with
// Release (apply, oldest first) and Discard (drop), each after a confirmation.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, ok } from '../../api/client';
import type { paths } from '../../api/schema';
import { type Column, DataTable } from '../../components/DataTable';
import { ConfirmDialog } from '../../components/Dialogs';
import { useNotices } from '../../components/Notices';
import { type ConsoleKey, useFormat, useT } from '../../i18n/I18n';
import { useGroupName } from './names';

type Held = paths['/accounts/{accountId}/provisioning/held']['get']['responses'][200]['content']['application/json']['held'][number];

export function HeldRemovals({ accountId }: { accountId: string }) {
  const t = useT();
  const f = useFormat();
  const groupName = useGroupName();
  const client = useQueryClient();
  const { notify } = useNotices();
  const path = { params: { path: { accountId } } };
  const held = useQuery({ queryKey: ['held-removals', accountId], queryFn: () => ok(api.GET('/accounts/{accountId}/provisioning/held', path)) });
  const [asking, setAsking] = useState<'release' | 'discard'>();
  const refresh = () => Promise.all(['held-removals', 'people', 'drift', 'idp-groups'].map((k) => client.invalidateQueries({ queryKey: [k, accountId] })));
  if (!held.data) return null;
  const columns: Array<Column<Held>> = [
    { key: 'who', header: t('breaker.col.person'), rowHeader: true, cell: (h) => h.userName ?? h.email ?? h.memberId },
    {
      key: 'what',
      header: t('breaker.col.change'),
      cell: (h) => (h.kind === 'remove_role' ? t('breaker.kind.remove_role', { group: groupName(h.group ?? '') }) : t(`breaker.kind.${h.kind}` as ConsoleKey)),
    },
    { key: 'since', header: t('breaker.col.since'), cell: (h) => f.date(h.heldAt) },
  ];
  const count = held.data.held.length;
  return (
    <section aria-labelledby="breaker-title">
      <h3 id="breaker-title">{t('breaker.title')}</h3>
      <p className="hint">{held.data.limit === 0 ? t('breaker.off') : t('breaker.explain', { n: held.data.limit })}</p>
      <DataTable caption={t('breaker.caption')} columns={columns} rows={held.data.held} rowKey={(h) => h.id} empty={t('breaker.none')} />
      {count > 0 && (
        <div className="actions">
          <button type="button" className="button" onClick={() => setAsking('release')}>
            {t('breaker.release')}
          </button>
          <button type="button" className="button danger" onClick={() => setAsking('discard')}>
            {t('breaker.discard')}
          </button>
        </div>
      )}
      {asking && (
        <ConfirmDialog
          isOpen
          onOpenChange={(open) => !open && setAsking(undefined)}
          title={t(asking === 'release' ? 'breaker.releaseTitle' : 'breaker.discardTitle', { count })}
          confirmLabel={t(asking === 'release' ? 'breaker.release' : 'breaker.discard')}
          onConfirm={async () => {
            if (asking === 'release') {
              const r = await ok(api.POST('/accounts/{accountId}/provisioning/held/release', path));
              notify(r.remaining ? t('breaker.releasedSome', { n: String(r.remaining) }) : t('breaker.released'));
            } else {
              await ok(api.POST('/accounts/{accountId}/provisioning/held/discard', path));
              notify(t('breaker.discarded'));
            }
            await refresh();
          }}
        >
          <p>{t(asking === 'release' ? 'breaker.releaseExplain' : 'breaker.discardExplain')}</p>
        </ConfirmDialog>
      )}
    </section>
  );
}
