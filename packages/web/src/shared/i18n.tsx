import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { en, zh, type MessageKey } from './messages.ts';

/**
 * Every string of the UI goes through this dictionary (Chinese first, English as the switch). The locale is kept
 * in localStorage (a preference, not personal data); the html `lang` follows it for screen readers and fonts.
 */
export type Locale = 'zh-CN' | 'en-US';
const STORE_KEY = 'lingxi.locale';
const DICTS: Record<Locale, Record<MessageKey, string>> = { 'zh-CN': zh, 'en-US': en };

export type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

export function translate(locale: Locale, key: MessageKey, vars?: Record<string, string | number>): string {
  const s = DICTS[locale][key] ?? zh[key] ?? key;
  return vars ? s.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m)) : s;
}

export function initialLocale(): Locale {
  try {
    const saved = localStorage.getItem(STORE_KEY);
    if (saved === 'zh-CN' || saved === 'en-US') return saved;
  } catch {
    // storage blocked: fall through
  }
  return 'zh-CN';
}

type Ctx = { locale: Locale; setLocale(l: Locale): void; t: Translate };
const I18nContext = createContext<Ctx>({ locale: 'zh-CN', setLocale: () => undefined, t: (k, v) => translate('zh-CN', k, v) });

export function I18nProvider({ children }: { children: ReactNode }) {
  const [locale, setLocaleState] = useState<Locale>(initialLocale);
  const setLocale = useCallback((l: Locale) => {
    setLocaleState(l);
    try {
      localStorage.setItem(STORE_KEY, l);
    } catch {
      // not kept; fine
    }
    document.documentElement.lang = l;
  }, []);
  const value = useMemo<Ctx>(() => ({ locale, setLocale, t: (k, v) => translate(locale, k, v) }), [locale, setLocale]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export const useI18n = () => useContext(I18nContext);
export const useT = () => useContext(I18nContext).t;

/** A label defined in both languages by an administrator (work order types, fields). */
export const pickLabel = (l: { zh: string; en: string } | string | undefined | null, locale: Locale): string =>
  !l ? '' : typeof l === 'string' ? l : locale === 'en-US' ? l.en || l.zh : l.zh || l.en;
