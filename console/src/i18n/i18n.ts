import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';

/**
 * Every string the console shows lives in `locales/<lang>/<namespace>.json`, one namespace per page
 * (plus `common`). `catalogues.test.ts` at the repo root checks that both languages hold the same keys.
 */
export const LANGUAGES = ['en', 'zh'] as const;
export type Language = (typeof LANGUAGES)[number];
const LANGUAGE_KEY = 'tokenhub.language';

// A page whose catalogue is large adds it from its own lazy chunk (workflows), so the entry does not carry it.
const files = import.meta.glob<{ default: Record<string, unknown> }>(['../locales/*/*.json', '!../locales/*/workflows.json'], { eager: true });

function resources(): Record<string, Record<string, Record<string, unknown>>> {
  const out: Record<string, Record<string, Record<string, unknown>>> = {};
  for (const [path, module] of Object.entries(files)) {
    const match = /locales\/([^/]+)\/([^/]+)\.json$/.exec(path);
    if (!match) continue;
    const [, language, namespace] = match as unknown as [string, string, string];
    out[language] ??= {};
    out[language][namespace] = module.default;
  }
  return out;
}

export function initialLanguage(): Language {
  const saved = localStorage.getItem(LANGUAGE_KEY);
  if (saved === 'en' || saved === 'zh') return saved;
  return navigator.language.toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

export async function setLanguage(language: Language): Promise<void> {
  localStorage.setItem(LANGUAGE_KEY, language);
  document.documentElement.lang = language === 'zh' ? 'zh-CN' : 'en';
  await i18next.changeLanguage(language);
}

export const missingKeys: string[] = [];

export async function initI18n(): Promise<void> {
  const language = initialLanguage();
  document.documentElement.lang = language === 'zh' ? 'zh-CN' : 'en';
  await i18next.use(initReactI18next).init({
    resources: resources(),
    lng: language,
    fallbackLng: false,
    defaultNS: 'common',
    interpolation: { escapeValue: false },
    returnNull: false,
    saveMissing: true,
    missingKeyHandler: (languages, namespace, key) => {
      const entry = `${languages.join(',')}:${namespace}:${key}`;
      if (!missingKeys.includes(entry)) missingKeys.push(entry);
    },
  });
  // The browser tests read this to prove a locale renders with no missing message.
  (window as unknown as { __tokenhubMissingMessages: string[] }).__tokenhubMissingMessages = missingKeys;
}
