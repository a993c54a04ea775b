// Members: invite someone (optionally straight into Administrators, or Owners when you may make
// Owners), see names beside emails and where each role comes from, change or remove roles given
// here, resend an invitation, remove a person. People the IdP manages are changed in the IdP.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, ok } from '../../api/client';
import type { paths } from '../../api/schema';
import { type Column, DataTable, PersonName } from '../../components/DataTable';
import { ConfirmDialog, InlineForm } from '../../components/Dialogs';
import { Field, SelectField } from '../../components/Fields';
import { useNotices } from '../../components/Notices';
import { type MenuAction, RowMenu } from '../../components/RowMenu';
import { type ConsoleKey, useT } from '../../i18n/I18n';
import { useSession } from '../../session';
import { useGroupName } from './names';

type People = paths['/accounts/{accountId}/people']['get']['responses'][200]['content']['application/json'];
type Person = People['items'][number];
type Pending = { kind: 'role'; person: Person; group: string } | { kind: 'person'; person: Person };

export const usePeople = (accountId: string) =>
  useQuery({ queryKey: ['people', accountId], queryFn: () => ok(api.GET('/accounts/{accountId}/people', { params: { path: { accountId } } })) });

const label = (p: Person) => p.name ?? p.email ?? p.userName;

export function Members({ accountId, launched }: { accountId: string; launched: boolean }) {
  const t = useT();
  const groupName = useGroupName();
  const client = useQueryClient();
  const { me } = useSession();
  const { notify, fail } = useNotices();
  const people = usePeople(accountId);
  const [pending, setPending] = useState<Pending>();
  const refresh = () =>
    Promise.all([client.invalidateQueries({ queryKey: ['people', accountId] }), client.invalidateQueries({ queryKey: ['setup', accountId] })]);

  if (people.isError)
    return (
      <p role="alert" className="notice bad">
        {t('error.load')}
      </p>
    );
  if (!people.data) return <p className="loading">{t('loading')}</p>;
  const { items, may } = people.data;

  const grant = async (p: Person, group: string) => {
    try {
      await ok(api.PUT('/accounts/{accountId}/members/{memberId}/groups/{group}', { params: { path: { accountId, memberId: p.id, group } } }));
      await refresh();
      notify(t('members.granted', { who: label(p), group: groupName(group) }));
    } catch (err) {
      fail(err);
    }
  };
  const resend = async (p: Person) => {
    try {
      await ok(api.POST('/accounts/{accountId}/members/{memberId}/resend-invitation', { params: { path: { accountId, memberId: p.id } } }));
      notify(t('members.resent', { email: p.email ?? p.userName }));
    } catch (err) {
      fail(err);
    }
  };

  const actionsFor = (p: Person): MenuAction[] => {
    if (p.scimManaged || p.state === 'removed') return [];
    const has = (kind: string) => p.groups.some((g) => g.kind === kind);
    const out: MenuAction[] = [];
    if (may.changeOwners && !has('owners')) out.push({ id: 'grant:Owners', label: t('members.makeOwner') });
    if (may.changeRoles && !has('administrators')) out.push({ id: 'grant:Administrators', label: t('members.makeAdmin') });
    for (const g of p.groups.filter((x) => x.manual)) {
      if (g.kind === 'owners' ? may.changeOwners : may.changeRoles)
        out.push({ id: `revoke:${g.name}`, label: t('members.removeFrom', { group: groupName(g.name) }), danger: true });
    }
    if (p.state === 'invited' && may.invite) out.push({ id: 'resend', label: t('members.resend') });
    if (may.remove && p.id !== me?.memberId) out.push({ id: 'remove', label: t('members.remove'), danger: true });
    return out;
  };
  const act = (p: Person, id: string) => {
    if (id.startsWith('grant:')) void grant(p, id.slice(6));
    else if (id.startsWith('revoke:')) setPending({ kind: 'role', person: p, group: id.slice(7) });
    else if (id === 'resend') void resend(p);
    else if (id === 'remove') setPending({ kind: 'person', person: p });
  };

  const columns: Array<Column<Person>> = [
    {
      key: 'person',
      header: t('members.col.person'),
      rowHeader: true,
      cell: (p) => (
        <>
          <PersonName name={p.name} email={p.email} userName={p.userName} />
          {p.scimManaged && <span className="tag">{t('members.viaScim')}</span>}
        </>
      ),
    },
    {
      key: 'state',
      header: t('members.col.state'),
      cell: (p) => (
        <>
          {t(`state.${p.state}` as ConsoleKey)}
          {p.held.some((h) => h.reason !== 'breaker') && (
            <div className="hint">
              {t('members.held', {
                what: p.held
                  .filter((h) => h.reason !== 'breaker')
                  .map((h) => t(`held.${h.kind}` as ConsoleKey))
                  .join(', '),
              })}
            </div>
          )}
          {p.held.some((h) => h.reason === 'breaker') && (
            <div className="hint">
              {t('members.heldBreaker', {
                what: p.held
                  .filter((h) => h.reason === 'breaker')
                  .map((h) => (h.kind === 'remove_role' ? t('breaker.kind.remove_role', { group: h.group ?? '' }) : t(`breaker.kind.${h.kind}` as ConsoleKey)))
                  .join(', '),
              })}
            </div>
          )}
        </>
      ),
    },
    {
      key: 'groups',
      header: t('members.col.groups'),
      cell: (p) =>
        p.groups.length ? (
          <ul className="chips">
            {p.groups.map((g) => (
              <li key={g.name} className="chip">
                {groupName(g.name)}
                {g.idp && !g.manual && <span className="visually-hidden"> ({t('members.fromIdp')})</span>}
                {g.idp && !g.manual && <span aria-hidden="true"> ⇄</span>}
              </li>
            ))}
          </ul>
        ) : (
          '—'
        ),
    },
    {
      key: 'actions',
      header: t('members.col.actions'),
      className: 'actions',
      cell: (p) =>
        p.scimManaged ? (
          <span className="hint">{t('members.managedInIdp')}</span>
        ) : (
          <RowMenu label={t('members.actionsFor', { who: label(p) })} actions={actionsFor(p)} onAction={(id) => act(p, id)} />
        ),
    },
  ];

  const groupOptions = [
    { value: '', label: t('members.noGroup') },
    { value: 'Administrators', label: groupName('Administrators') },
    ...(may.changeOwners ? [{ value: 'Owners', label: groupName('Owners') }] : []),
  ];
  return (
    <section aria-labelledby="members-title">
      <h2 id="members-title">{t('tab.members')}</h2>
      {launched && <p className="hint">{t('members.launchedHint')}</p>}
      {may.invite && (
        <InlineForm
          label={t('members.inviteTitle')}
          submitLabel={t('members.invite')}
          validate={(v) => (v.email ? {} : { email: t('field.required') })}
          onSubmit={async (v) => {
            await ok(api.POST('/accounts/{accountId}/members', { params: { path: { accountId } }, body: { email: v.email!, group: v.group || undefined } }));
            await refresh();
            notify(t('members.invited', { email: v.email }));
          }}
        >
          <Field name="email" type="email" label={t('members.email')} isRequired autoComplete="off" />
          <SelectField name="group" label={t('members.group')} options={groupOptions} defaultValue="" />
        </InlineForm>
      )}
      <DataTable caption={t('members.caption', { count: items.length })} columns={columns} rows={items} rowKey={(p) => p.id} empty={t('members.none')} />
      {pending?.kind === 'role' && (
        <ConfirmDialog
          isOpen
          onOpenChange={(open) => !open && setPending(undefined)}
          title={t('members.removeRoleTitle', { who: label(pending.person), group: groupName(pending.group) })}
          confirmLabel={t('members.removeRoleConfirm')}
          onConfirm={async () => {
            const r = await ok(
              api.DELETE('/accounts/{accountId}/members/{memberId}/groups/{group}', {
                params: { path: { accountId, memberId: pending.person.id, group: pending.group } },
              }),
            );
            await refresh();
            notify(
              r.effective
                ? t('members.stillByIdp', { who: label(pending.person), group: groupName(pending.group) })
                : t('members.roleRemoved', { who: label(pending.person), group: groupName(pending.group) }),
            );
          }}
        >
          <p>{t('members.removeRoleExplain', { who: label(pending.person), group: groupName(pending.group) })}</p>
        </ConfirmDialog>
      )}
      {pending?.kind === 'person' && (
        <ConfirmDialog
          isOpen
          onOpenChange={(open) => !open && setPending(undefined)}
          title={t('members.removeTitle', { who: label(pending.person) })}
          confirmLabel={t('members.removeConfirm')}
          onConfirm={async () => {
            await ok(api.DELETE('/accounts/{accountId}/members/{memberId}', { params: { path: { accountId, memberId: pending.person.id } } }));
            await refresh();
            notify(t('members.removed', { who: label(pending.person) }));
          }}
        >
          <p>{t('members.removeExplain', { who: label(pending.person) })}</p>
        </ConfirmDialog>
      )}
    </section>
  );
}
