// Signing in: the identity provider (when configured), the password chosen when accepting an
// invitation, or "Email me a sign-in link" — so nobody who signed out is locked out.
import { type FormEvent, useEffect, useState } from 'react';
import { Button, Form } from 'react-aria-components';
import { Field } from '../components/Fields';
import { LanguageSelect } from '../components/Layout';
import { useT } from '../i18n/I18n';
import { useSession } from '../session';

const oidcConfigured = () => document.querySelector('meta[name="mspbridge"]')?.getAttribute('content') === 'oidc:on';

export function SignIn() {
  const t = useT();
  const { refresh } = useSession();
  const [problem, setProblem] = useState<string>();
  const [busy, setBusy] = useState<'password' | 'link'>();
  const [sent, setSent] = useState<string>();
  useEffect(() => {
    document.title = t('signin.title');
  }, [t]);

  const withPassword = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const data = new FormData(e.currentTarget);
    setBusy('password');
    setProblem(undefined);
    try {
      const res = await fetch('/auth/signin', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ email: data.get('email'), password: data.get('password') }),
      });
      if (res.status === 429) return setProblem(t('error.rateLimited'));
      if (!res.ok) return setProblem(t('signin.failed'));
      await refresh();
    } catch {
      setProblem(t('error.network'));
    } finally {
      setBusy(undefined);
    }
  };

  const byEmail = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const email = String(new FormData(e.currentTarget).get('email') ?? '').trim();
    setBusy('link');
    setProblem(undefined);
    try {
      const res = await fetch('/auth/email-link', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ email }),
      });
      if (res.status === 429) return setProblem(t('error.rateLimited'));
      setSent(email);
    } catch {
      setProblem(t('error.network'));
    } finally {
      setBusy(undefined);
    }
  };

  return (
    <div className="signin-page">
      <a className="skip" href="#main">
        {t('skip')}
      </a>
      <header className="top">
        <span className="brand">mspbridge</span>
        <LanguageSelect />
      </header>
      <main id="main" tabIndex={-1} className="signin">
        <h1>{t('signin.title')}</h1>
        {problem && (
          <p role="alert" className="notice bad">
            {problem}
          </p>
        )}
        {oidcConfigured() && (
          <p>
            <a className="button" href="/auth/oidc/login">
              {t('signin.oidc')}
            </a>
          </p>
        )}
        <section aria-labelledby="with-password">
          <h2 id="with-password">{t('signin.passwordTitle')}</h2>
          <Form className="stack" onSubmit={withPassword}>
            <Field name="email" type="email" label={t('signin.email')} autoComplete="username" isRequired />
            <Field name="password" type="password" label={t('signin.password')} autoComplete="current-password" isRequired />
            <Button type="submit" className="button" isDisabled={busy === 'password'}>
              {busy === 'password' ? t('signin.busy') : t('signin.submit')}
            </Button>
          </Form>
        </section>
        <section aria-labelledby="by-email">
          <h2 id="by-email">{t('signin.linkTitle')}</h2>
          <p className="hint">{t('signin.linkHint')}</p>
          {sent ? (
            <p role="status" className="notice ok">
              {t('signin.linkSent', { email: sent })}
            </p>
          ) : (
            <Form className="stack" onSubmit={byEmail}>
              <Field name="email" type="email" label={t('signin.linkEmail')} autoComplete="email" isRequired />
              <Button type="submit" className="button secondary" isDisabled={busy === 'link'}>
                {t('signin.linkSubmit')}
              </Button>
            </Form>
          )}
        </section>
      </main>
    </div>
  );
}
