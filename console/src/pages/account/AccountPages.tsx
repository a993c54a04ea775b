// Inside one account: the caller's own, or a managed company a technician launched into (then a
// banner says whose behalf they act on, until when, and ends the launch). Sections by path.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, Redirect, Route, Switch, useLocation } from 'wouter';
import { ApiError, api, forgetLaunch, launchOf, ok } from '../../api/client';
import { useNotices } from '../../components/Notices';
import { type ConsoleKey, useFormat, useT } from '../../i18n/I18n';
import { useSession } from '../../session';
import { SeatCapBanner } from '../SeatCap';
import { Groups } from './Groups';
import { Members } from './Members';
import { Policies } from './Policies';
import { Provisioning } from './Provisioning';
import { Recovery } from './Recovery';
import { Setup } from './Setup';
import { VaultItems } from './VaultItems';
import { Vaults } from './Vaults';

const SECTIONS = ['setup', 'members', 'groups', 'vaults', 'recovery', 'policies', 'provisioning'] as const;

export function useAccount(accountId: string) {
  return useQuery({ queryKey: ['account', accountId], queryFn: () => ok(api.GET('/accounts/{accountId}', { params: { path: { accountId } } })) });
}

function LaunchBanner({ accountId, name }: { accountId: string; name: string }) {
  const t = useT();
  const f = useFormat();
  const [, navigate] = useLocation();
  const client = useQueryClient();
  const { notify } = useNotices();
  const launch = launchOf(accountId)!;
  const end = async () => {
    await ok(api.DELETE('/launches/{launchId}', { params: { path: { launchId: launch.launchId } } })).catch(() => undefined);
    forgetLaunch(accountId);
    client.removeQueries({ predicate: (q) => q.queryKey.includes(accountId) });
    navigate('~/companies');
    notify(t('launch.ended', { name }));
  };
  return (
    <div className="launch-banner" role="region" aria-label={t('launch.banner')}>
      <p>{t('account.actingFor', { name, until: f.date(launch.expiresAt) })}</p>
      <button type="button" className="button secondary" onClick={() => void end()}>
        {t('launch.end')}
      </button>
    </div>
  );
}

export function AccountPages({ accountId }: { accountId: string }) {
  const t = useT();
  const { me, isManager } = useSession();
  const [location] = useLocation();
  const own = me?.accountId === accountId;
  const launched = !own && Boolean(launchOf(accountId));
  const account = useAccount(accountId);
  if (!own && !launched) {
    return (
      <>
        <h1>{t('account.notLaunched')}</h1>
        <p>
          <Link href="~/companies">{t('account.back')}</Link>
        </p>
      </>
    );
  }
  if (account.isError) {
    // A launch that ended (expired, or ended elsewhere) answers 404: launch again.
    if (account.error instanceof ApiError && account.error.status === 404) forgetLaunch(accountId);
    return (
      <>
        <h1>{t('account.unavailable')}</h1>
        <p role="alert" className="notice bad">
          {t('account.launchEnded')}
        </p>
        <p>
          <Link href="~/companies">{t('account.back')}</Link>
        </p>
      </>
    );
  }
  if (!account.data) return <p className="loading">{t('loading')}</p>;
  const administers = launched || isManager;
  const sections = administers ? SECTIONS : (['vaults'] as const);
  const here = location.split('/')[1] ?? '';
  return (
    <>
      <div className="page-head">
        <h1>{account.data.name}</h1>
        {administers && (
          // The printable monthly report (last month), in the company's language: the company's own
          // administrators read it in their account, MSP people through their MSP.
          <a
            className="button secondary"
            href={own ? `/api/v1/accounts/${accountId}/report?format=html` : `/api/v1/companies/${accountId}/report?format=html`}
            target="_blank"
            rel="noopener"
          >
            {t('report.open')}
          </a>
        )}
      </div>
      {launched && <LaunchBanner accountId={accountId} name={account.data.name} />}
      {account.data.atSeatCap && <SeatCapBanner name={account.data.name} filled={account.data.seatsFilled} total={account.data.seatsTotal} />}
      <nav className="sections" aria-label={t('account.sections')}>
        <ul>
          {sections.map((s) => (
            <li key={s}>
              <Link href={`/${s}`} aria-current={here === s ? 'page' : undefined}>
                {t(`tab.${s}` as ConsoleKey)}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <Switch>
        <Route path="/setup">{() => <Setup accountId={accountId} />}</Route>
        <Route path="/members">{() => <Members accountId={accountId} launched={launched} />}</Route>
        <Route path="/groups">{() => <Groups accountId={accountId} />}</Route>
        <Route path="/vaults">{() => <Vaults accountId={accountId} launched={launched} />}</Route>
        <Route path="/vaults/:vaultId">{(p) => <VaultItems accountId={accountId} vaultId={p.vaultId} accountName={account.data.name} />}</Route>
        <Route path="/recovery">{() => <Recovery accountId={accountId} />}</Route>
        <Route path="/policies">{() => <Policies account={account.data} launched={launched} />}</Route>
        <Route path="/provisioning">{() => <Provisioning accountId={accountId} />}</Route>
        <Route>
          <Redirect to={administers ? '/setup' : '/vaults'} replace />
        </Route>
      </Switch>
    </>
  );
}
