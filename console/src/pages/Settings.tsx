// Settings: your sign-in (a password, so signing in never depends on a link), your language,
// the people of your MSP, API tokens for automation, and the background jobs of your tenants.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'wouter';
import { api, ok } from '../api/client';
import type { paths } from '../api/schema';
import { type Column, DataTable } from '../components/DataTable';
import { ConfirmDialog, InlineForm } from '../components/Dialogs';
import { Field } from '../components/Fields';
import { useNotices } from '../components/Notices';
import { Secret } from '../components/Secret';
import { type ConsoleKey, useFormat, useT } from '../i18n/I18n';
import { useSession } from '../session';
import { TechnicianScopeSetting } from './TechnicianScope';

type ApiToken = paths['/api-tokens']['get']['responses'][200]['content']['application/json'][number];
type Job = paths['/jobs']['get']['responses'][200]['content']['application/json'][number];
const MIN_PASSWORD = 10;

function Password() {
  const t = useT();
  const client = useQueryClient();
  const { notify } = useNotices();
  const profile = useQuery({ queryKey: ['profile'], queryFn: () => ok(api.GET('/me/profile')) });
  if (!profile.data) return null;
  const has = profile.data.hasPassword;
  return (
    <section aria-labelledby="password-title">
      <h2 id="password-title">{t('settings.password')}</h2>
      <p className="hint">{has ? t('settings.passwordChange') : t('settings.passwordNone')}</p>
      <InlineForm
        label={t('settings.password')}
        submitLabel={has ? t('settings.passwordChangeSubmit') : t('settings.passwordSet')}
        validate={(v) => ({
          ...([...(v.password ?? '')].length < MIN_PASSWORD ? { password: t('field.tooShort', { n: MIN_PASSWORD }) } : {}),
          ...(has && !v.current ? { current: t('field.required') } : {}),
        })}
        onSubmit={async (v) => {
          await ok(api.POST('/me/password', { body: { password: v.password!, current: v.current || undefined } }));
          await client.invalidateQueries({ queryKey: ['profile'] });
          notify(t('settings.passwordSaved'));
        }}
      >
        <input type="text" name="username" autoComplete="username" value={profile.data.email ?? ''} readOnly hidden />
        {has && <Field name="current" type="password" label={t('settings.currentPassword')} autoComplete="current-password" isRequired />}
        <Field
          name="password"
          type="password"
          label={t('settings.newPassword')}
          autoComplete="new-password"
          isRequired
          description={t('settings.passwordRule', { n: MIN_PASSWORD })}
        />
      </InlineForm>
    </section>
  );
}

function ApiTokens() {
  const t = useT();
  const f = useFormat();
  const client = useQueryClient();
  const { notify } = useNotices();
  const tokens = useQuery({ queryKey: ['api-tokens'], queryFn: () => ok(api.GET('/api-tokens')) });
  const [secret, setSecret] = useState<string>();
  const [revoking, setRevoking] = useState<ApiToken>();
  const name = (k: ApiToken) => k.label || `${k.prefix}…`;
  const columns: Array<Column<ApiToken>> = [
    { key: 'token', header: t('tokens.col.token'), rowHeader: true, cell: (k) => <code>{k.prefix}…</code> },
    { key: 'label', header: t('tokens.col.label'), cell: (k) => k.label ?? '' },
    { key: 'created', header: t('tokens.col.created'), cell: (k) => f.date(k.createdAt) },
    { key: 'used', header: t('tokens.col.lastUsed'), cell: (k) => (k.lastUsedAt ? f.date(k.lastUsedAt) : t('never')) },
    {
      key: 'actions',
      header: t('tokens.col.actions'),
      className: 'actions',
      cell: (k) =>
        k.revokedAt ? (
          t('scim.revoked')
        ) : (
          <button type="button" className="button danger" aria-label={t('tokens.revokeNamed', { name: name(k) })} onClick={() => setRevoking(k)}>
            {t('tokens.revoke')}
          </button>
        ),
    },
  ];
  return (
    <section aria-labelledby="tokens-title">
      <h2 id="tokens-title">{t('tokens.title')}</h2>
      <InlineForm
        label={t('tokens.create')}
        submitLabel={t('tokens.create')}
        onSubmit={async (v) => {
          const r = await ok(api.POST('/api-tokens', { body: { label: v.label || undefined } }));
          setSecret(r.token);
          await client.invalidateQueries({ queryKey: ['api-tokens'] });
        }}
      >
        <Field name="label" label={t('tokens.label')} />
      </InlineForm>
      {secret && <Secret value={secret} warning={t('tokens.shownOnce')} testId="api-token" />}
      <DataTable
        caption={t('tokens.caption', { count: tokens.data?.length ?? 0 })}
        columns={columns}
        rows={tokens.data ?? []}
        rowKey={(k) => k.id}
        empty={t('tokens.none')}
      />
      {revoking && (
        <ConfirmDialog
          isOpen
          onOpenChange={(open) => !open && setRevoking(undefined)}
          title={t('tokens.revokeTitle', { name: name(revoking) })}
          confirmLabel={t('tokens.revoke')}
          onConfirm={async () => {
            await ok(api.DELETE('/api-tokens/{tokenId}', { params: { path: { tokenId: revoking.id } } }));
            await client.invalidateQueries({ queryKey: ['api-tokens'] });
            notify(t('tokens.revoked', { name: name(revoking) }));
          }}
        >
          <p>{t('tokens.revokeExplain')}</p>
        </ConfirmDialog>
      )}
    </section>
  );
}

function Jobs() {
  const t = useT();
  const f = useFormat();
  const jobs = useQuery({ queryKey: ['jobs'], queryFn: () => ok(api.GET('/jobs', { params: { query: { limit: 50 } } })) });
  const columns: Array<Column<Job>> = [
    { key: 'time', header: t('jobs.col.time'), cell: (j) => f.date(j.createdAt) },
    { key: 'job', header: t('jobs.col.job'), rowHeader: true, cell: (j) => t(`queue.${j.queue}` as ConsoleKey) },
    { key: 'account', header: t('jobs.col.account'), cell: (j) => j.accountName },
    { key: 'state', header: t('jobs.col.state'), cell: (j) => t(`jobState.${j.state}` as ConsoleKey) },
  ];
  return (
    <section aria-labelledby="jobs-title">
      <h2 id="jobs-title">{t('jobs.title')}</h2>
      <p className="hint">{t('jobs.explain')}</p>
      <DataTable caption={t('jobs.caption')} columns={columns} rows={jobs.data ?? []} rowKey={(j) => String(j.id)} empty={t('jobs.none')} />
      <p className="hint">
        {t('jobs.operators')} <a href="/console/jobs">{t('jobs.open')}</a>
      </p>
    </section>
  );
}

export function Settings() {
  const t = useT();
  const { me, isMsp, isManager } = useSession();
  return (
    <>
      <h1>{t('settings.title')}</h1>
      <Password />
      {isMsp && isManager && (
        <>
          <section aria-labelledby="people-title">
            <h2 id="people-title">{t('settings.people')}</h2>
            <p>
              <Link href={`/accounts/${me!.accountId}/members`}>{t('settings.peopleLink', { name: me!.accountName })}</Link>
            </p>
          </section>
          <TechnicianScopeSetting />
          <ApiTokens />
          <Jobs />
        </>
      )}
    </>
  );
}
