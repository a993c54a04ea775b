// Messages in English and German through ICU MessageFormat (FormatJS intl-messageformat):
// plurals, dates and numbers formatted by locale, one key per message.
import { IntlMessageFormat } from 'intl-messageformat';
import { consoleDe } from './console.de';
import { consoleEn } from './console.en';
import { de } from './de';
import { en, type MessageKey } from './en';

export type Language = 'en' | 'de';
export const LANGUAGES: readonly Language[] = ['en', 'de'];
export type { MessageKey };

const catalogs: Record<Language, Record<MessageKey, string>> = { en, de };
const compiled = new Map<string, IntlMessageFormat>();

export type Values = Record<string, string | number | Date | boolean | null | undefined>;

/** The message for key in lang, formatted with values (dates and plurals by locale). */
export function t(lang: Language, key: MessageKey, values: Values = {}): string {
  const id = `${lang}:${key}`;
  let fmt = compiled.get(id);
  if (!fmt) {
    fmt = new IntlMessageFormat(catalogs[lang][key] ?? en[key], lang === 'de' ? 'de-DE' : 'en-US');
    compiled.set(id, fmt);
  }
  return String(fmt.format(values as Record<string, string | number | Date | boolean>));
}

/** The tags of an Accept-Language value, best first by q-value (RFC 9110 §12.5.4); q=0 means "not this one". */
function ranked(header: string): string[] {
  return header
    .split(',')
    .map((part, i) => {
      const [tag, ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([0-9.]+)/i.exec(p)?.[1]).find(Boolean);
      return { tag: tag?.trim() ?? '', q: q ? Number(q) : 1, i };
    })
    .filter((x) => x.q > 0 && x.tag)
    .sort((a, b) => b.q - a.q || a.i - b.i)
    .map((x) => x.tag);
}

/**
 * English or German from preferences in order: each a language tag ("de-DE", "en_US") or an
 * Accept-Language list, which SCIM's preferredLanguage is ("fr-FR,de;q=0.9,en;q=0.8" → de).
 */
export function pickLanguage(tags: Array<string | null | undefined>, fallback: Language = 'en'): Language {
  for (const tag of tags) {
    for (const one of tag ? ranked(tag) : []) {
      const base = one.slice(0, 2).toLowerCase();
      if (base === 'de' || base === 'en') return base;
    }
  }
  return fallback;
}

/** The best language for an Accept-Language header, by q-value. */
export function fromAcceptLanguage(header: string | undefined, fallback: Language = 'en'): Language {
  return pickLanguage([header], fallback);
}

export const keysOf = (lang: Language): string[] => Object.keys(catalogs[lang]).sort();

/** The console's texts in one language (keys as the browser script uses them). */
export function consoleMessages(lang: Language): Record<string, string> {
  return lang === 'de' ? consoleDe : consoleEn;
}

export const consoleKeysOf = (lang: Language): string[] => Object.keys(consoleMessages(lang)).sort();

/**
 * The human message of an error code in a language: the catalogue's text when it has one
 * (German), else the English message the error carries. Codes never change with the language.
 */
export function errorMessage(lang: Language, code: string, english: string): string {
  if (lang === 'en') return english;
  const key = `error.${code}` as MessageKey;
  return key in catalogs[lang] ? t(lang, key) : english;
}
