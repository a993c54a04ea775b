// Messages in the person's language: the server's ICU catalogues (src/i18n/console.*.ts), one
// syntax for server and console, loaded one language at a time and formatted by the same FormatJS
// formatter the server uses (intl-messageformat; react-intl would add 15 KB gzipped for nothing
// the console needs). React Aria's own words and number parsing follow the same locale.
import { IntlMessageFormat } from 'intl-messageformat';
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { I18nProvider } from 'react-aria-components';
import type { ConsoleKey } from '../../../src/i18n/console.en';
import { csrfToken, setApiLanguage } from '../api/client';

export type Lang = 'en' | 'de';
export type { ConsoleKey };
export type Values = Record<string, string | number | Date | null | undefined>;

const LOCALES: Record<Lang, string> = { en: 'en-US', de: 'de-DE' };
type Catalogue = Record<ConsoleKey, string>;
const load: Record<Lang, () => Promise<Catalogue>> = {
  en: () => import('../../../src/i18n/console.en').then((m) => m.consoleEn),
  de: () => import('../../../src/i18n/console.de').then((m) => m.consoleDe),
};

const initial = (): Lang => (document.documentElement.lang === 'de' ? 'de' : 'en');

// Asked for as the script starts, beside the session: the first page waits for both, not one after the other.
const loading = new Map<Lang, Promise<Catalogue>>([[initial(), load[initial()]()]]);
const catalogue = (lang: Lang): Promise<Catalogue> => {
  if (!loading.has(lang)) loading.set(lang, load[lang]());
  return loading.get(lang)!;
};

interface LanguageValue {
  lang: Lang;
  locale: string;
  t(key: ConsoleKey, values?: Values): string;
  change(lang: Lang): Promise<void>;
}

const LanguageContext = createContext<LanguageValue | undefined>(undefined);
export const useLanguage = () => useContext(LanguageContext)!;

export function I18n({ children }: { children: ReactNode }) {
  const [current, setCurrent] = useState<{ lang: Lang; messages: Catalogue }>();
  const show = useCallback(async (lang: Lang) => {
    const messages = await catalogue(lang);
    setApiLanguage(lang);
    document.documentElement.lang = lang;
    setCurrent({ lang, messages });
  }, []);
  useEffect(() => {
    void show(initial());
  }, [show]);
  const change = useCallback(
    async (next: Lang) => {
      // Kept with the session (and as the person's setting), so emails and the next visit follow.
      const csrf = csrfToken();
      await fetch('/console/language', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json', ...(csrf ? { 'x-csrf-token': csrf } : {}) },
        body: JSON.stringify({ lang: next }),
      }).catch(() => undefined);
      await show(next);
    },
    [show],
  );
  const value = useMemo<LanguageValue | undefined>(() => {
    if (!current) return undefined;
    const locale = LOCALES[current.lang];
    // Each message is parsed once per language, then only formatted.
    const compiled = new Map<string, IntlMessageFormat>();
    const t = (key: ConsoleKey, values?: Values) => {
      let f = compiled.get(key);
      if (!f) {
        f = new IntlMessageFormat(current.messages[key] ?? key, locale);
        compiled.set(key, f);
      }
      return String(f.format(values as Record<string, string | number | Date>));
    };
    return { lang: current.lang, locale, t, change };
  }, [current, change]);
  if (!value) return null;
  return (
    <LanguageContext.Provider value={value}>
      <I18nProvider locale={value.locale}>{children}</I18nProvider>
    </LanguageContext.Provider>
  );
}

/** t(key, values): a catalogue message, formatted (plurals, numbers, dates) for the reader. */
export function useT() {
  return useLanguage().t;
}

/** Numbers and dates in the reader's locale. */
export function useFormat() {
  const { locale } = useLanguage();
  return useMemo(() => {
    const number = new Intl.NumberFormat(locale);
    const dateTime = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
    const day = new Intl.DateTimeFormat(locale, { dateStyle: 'long' });
    return {
      number: (n: number) => number.format(n),
      date: (iso: string | null | undefined) => (iso ? dateTime.format(new Date(iso)) : ''),
      day: (iso: string | null | undefined) => (iso ? day.format(new Date(iso)) : ''),
    };
  }, [locale]);
}
