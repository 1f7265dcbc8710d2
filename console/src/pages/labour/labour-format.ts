import type { TFunction } from 'i18next';

const locale = (language: string): string => (language === 'zh' ? 'zh-CN' : 'en-US');

/** A share (0–1) as a percentage, to one decimal. */
export function formatShare(value: number | null, language: string): string {
  if (value === null) return '—';
  return new Intl.NumberFormat(locale(language), { style: 'percent', maximumFractionDigits: 1 }).format(value);
}

/** Seconds as people read a wait: `12.4 s`, `7 min 30 s`, `1 h 05 min`. */
export function formatSeconds(value: number | null, t: TFunction, language: string): string {
  if (value === null) return '—';
  if (value < 60) return t('labour:duration.seconds', { n: new Intl.NumberFormat(locale(language), { maximumFractionDigits: 1 }).format(value) });
  const whole = Math.round(value);
  if (whole < 3600) return t('labour:duration.minutes', { m: Math.floor(whole / 60), s: String(whole % 60).padStart(2, '0') });
  return t('labour:duration.hours', { h: Math.floor(whole / 3600), m: String(Math.floor((whole % 3600) / 60)).padStart(2, '0') });
}
