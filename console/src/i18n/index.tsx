/**
 * Vietnamese first, English by a switch that persists (localStorage). Core texts live in
 * messages.ts; each page brings its own bundle (`defineMessages`) so its texts load with its code.
 */
import { createContext, useCallback, useContext, useMemo, useState } from "react";
import type { ReactNode } from "react";

import { en, vi } from "./messages";
import type { MessageKey } from "./messages";

export type Locale = "vi" | "en";

export interface Bundle<K extends string> {
  vi: Record<K, string>;
  en: Record<K, string>;
}

const STORAGE_KEY = "nguon.locale";

/** A page's texts, Vietnamese and English with the same keys (the type checker insists). */
export function defineMessages<K extends string>(bundle: Bundle<K>): Bundle<K> {
  return bundle;
}

export function format(template: string, params?: Record<string, string | number>): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

interface LocaleState {
  locale: Locale;
  setLocale: (locale: Locale) => void;
}

const LocaleContext = createContext<LocaleState>({ locale: "vi", setLocale: () => undefined });

function storedLocale(): Locale {
  try {
    return localStorage.getItem(STORAGE_KEY) === "en" ? "en" : "vi";
  } catch {
    return "vi";
  }
}

let activeLocale: Locale = storedLocale();

/** The locale outside React (the API client's Accept-Language). */
export function currentLocale(): Locale {
  return activeLocale;
}

export function LocaleProvider({ children }: { children: ReactNode }) {
  const [locale, setState] = useState<Locale>(activeLocale);
  const setLocale = useCallback((next: Locale) => {
    activeLocale = next;
    localStorage.setItem(STORAGE_KEY, next);
    document.documentElement.lang = next;
    setState(next);
  }, []);
  const value = useMemo(() => ({ locale, setLocale }), [locale, setLocale]);
  return <LocaleContext.Provider value={value}>{children}</LocaleContext.Provider>;
}

export function useLocale(): LocaleState {
  return useContext(LocaleContext);
}

export type Translate<K extends string = never> = (
  key: K | MessageKey,
  params?: Record<string, string | number>,
) => string;

/** `t(key, params)` over the core texts and, where given, a page's bundle. */
export function useT<K extends string = never>(bundle?: Bundle<K>): Translate<K> {
  const { locale } = useLocale();
  return useCallback(
    (key, params) => {
      const own = bundle?.[locale] as Record<string, string> | undefined;
      const core = (locale === "en" ? en : vi) as Record<string, string>;
      return format(own?.[key] ?? core[key] ?? key, params);
    },
    [bundle, locale],
  );
}
