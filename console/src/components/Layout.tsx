// The frame of every signed-in page: a header (menu button on a phone, who is signed in, the
// language, Sign out, all inside the viewport), the sidebar the help article shows (Managed
// Companies, Technicians, Audit log, Settings) and the main region.
import { type ReactNode, useEffect, useId, useState } from 'react';
import { Link, useLocation } from 'wouter';
import { type Lang, useLanguage, useT } from '../i18n/I18n';
import { useSession } from '../session';

function NavLink({ href, children }: { href: string; children: ReactNode }) {
  const [location] = useLocation();
  const current = location === href || location.startsWith(`${href}/`);
  return (
    <Link href={href} aria-current={current ? 'page' : undefined}>
      {children}
    </Link>
  );
}

export function LanguageSelect() {
  const t = useT();
  const { lang, change } = useLanguage();
  const id = useId();
  return (
    <div className="language">
      <label htmlFor={id}>{t('language')}</label>
      <select id={id} value={lang} onChange={(e) => void change(e.target.value as Lang)}>
        <option value="en" lang="en">
          English
        </option>
        <option value="de" lang="de">
          Deutsch
        </option>
      </select>
    </div>
  );
}

export function Layout({ children }: { children: ReactNode }) {
  const t = useT();
  const { me, isMsp, isManager, signOut } = useSession();
  const [location] = useLocation();
  const [open, setOpen] = useState(false);
  const navId = useId();
  // A phone's menu closes once the person went somewhere.
  useEffect(() => setOpen(false), [location]);
  useEffect(() => {
    document.title = t('app.title');
  }, [t]);
  if (!me) return null;
  return (
    <div className="app">
      <a className="skip" href="#main">
        {t('skip')}
      </a>
      <header className="top">
        <button type="button" className="menu-button" aria-expanded={open} aria-controls={navId} onClick={() => setOpen((o) => !o)}>
          {t('menu')}
        </button>
        <span className="brand">mspbridge</span>
        <span className="who">{t('who', { email: me.email ?? '', account: me.accountName })}</span>
        <button type="button" className="button secondary signout" onClick={() => void signOut()}>
          {t('signout')}
        </button>
      </header>
      <div className="body">
        <nav id={navId} className={open ? 'sidebar open' : 'sidebar'} aria-label={t('nav.label')}>
          <ul>
            {isMsp ? (
              <>
                <li>
                  <NavLink href="/companies">{t('nav.companies')}</NavLink>
                </li>
                <li>
                  <NavLink href="/technicians">{t('nav.technicians')}</NavLink>
                </li>
                <li>
                  <NavLink href="/templates">{t('nav.templates')}</NavLink>
                </li>
                {isManager && (
                  <>
                    <li>
                      <NavLink href="/usage">{t('nav.usage')}</NavLink>
                    </li>
                    <li>
                      <NavLink href="/audit">{t('nav.audit')}</NavLink>
                    </li>
                  </>
                )}
                {isManager && (
                  <li>
                    <NavLink href="/notifications">{t('nav.notifications')}</NavLink>
                  </li>
                )}
              </>
            ) : (
              <li>
                <NavLink href={`/accounts/${me.accountId}`}>{me.accountName}</NavLink>
              </li>
            )}
            <li>
              <NavLink href="/settings">{t('nav.settings')}</NavLink>
            </li>
          </ul>
          <LanguageSelect />
        </nav>
        <main id="main" tabIndex={-1}>
          {children}
        </main>
      </div>
    </div>
  );
}
