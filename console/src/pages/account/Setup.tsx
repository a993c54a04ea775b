// The setup checklist of a launched company, in the help article's order; each step links to
// the section that does it and is ticked from what exists, not from what was clicked.
import { useQuery } from '@tanstack/react-query';
import { Link } from 'wouter';
import { api, ok } from '../../api/client';
import { type ConsoleKey, useT } from '../../i18n/I18n';

const WHERE: Record<string, string> = {
  policies: '/policies',
  groups: '/groups',
  vaults: '/vaults',
  recoveryPlan: '/policies',
  invite: '/members',
  provisioning: '/provisioning',
};

export function Setup({ accountId }: { accountId: string }) {
  const t = useT();
  const setup = useQuery({ queryKey: ['setup', accountId], queryFn: () => ok(api.GET('/accounts/{accountId}/setup', { params: { path: { accountId } } })) });
  if (setup.isError)
    return (
      <p role="alert" className="notice bad">
        {t('error.load')}
      </p>
    );
  if (!setup.data) return <p className="loading">{t('loading')}</p>;
  const { steps, done, total } = setup.data;
  return (
    <section aria-labelledby="setup-title">
      <h2 id="setup-title">{t('setup.title')}</h2>
      <p>
        <progress max={total} value={done} aria-label={t('setup.progress', { done, total })} /> {t('setup.progress', { done, total })}
      </p>
      <ol className="checklist">
        {steps.map((s) => (
          <li key={s.step} className={s.done ? 'done' : 'todo'}>
            <span className="check-mark" aria-hidden="true">
              {s.done ? '✓' : '○'}
            </span>
            <div>
              <Link href={WHERE[s.step]!}>{t(`setup.${s.step}` as ConsoleKey)}</Link>
              <span className="visually-hidden">{s.done ? t('setup.done') : t('setup.todo')}</span>
              <p className="hint">{t(`setup.${s.step}.hint` as ConsoleKey)}</p>
            </div>
          </li>
        ))}
      </ol>
    </section>
  );
}
