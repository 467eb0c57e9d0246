import { computed, signal } from '@preact/signals';
import { en, type Catalog, type MessageKey } from './en';
import { zhCN } from './zh-CN';

export type LocaleName = 'en' | 'zh-CN';
const catalogs: Record<LocaleName, Catalog> = { en, 'zh-CN': zhCN };

/** The first supported locale among the requested one and the browser's languages. */
export function pickLocale(requested?: string): LocaleName {
  for (const candidate of [requested, ...(typeof navigator === 'undefined' ? [] : navigator.languages)]) {
    if (!candidate) continue;
    if (/^zh\b/i.test(candidate)) return 'zh-CN';
    if (/^en\b/i.test(candidate)) return 'en';
  }
  return 'en';
}

/** A live translator: components that call `t()` re-render when the locale changes. */
export function createI18n(initial: LocaleName) {
  const locale = signal(initial);
  const catalog = computed(() => catalogs[locale.value]);
  return {
    locale,
    t: (key: MessageKey) => catalog.value[key],
    time: (iso: string) =>
      new Intl.DateTimeFormat(locale.value, { hour: '2-digit', minute: '2-digit' }).format(new Date(iso)),
  };
}

export type I18n = ReturnType<typeof createI18n>;
export type { MessageKey };
