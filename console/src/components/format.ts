/** Formatting that follows the console's language. Money arrives as decimal USD strings and is never turned into a float for sums. */
export function formatUsd(value: string | null | undefined, language: string): string {
  if (value === null || value === undefined || value === '') return '—';
  const [whole = '0', fraction = ''] = value.replace(/^-/, '').split('.');
  const sign = value.startsWith('-') ? '-' : '';
  const grouped = new Intl.NumberFormat(language === 'zh' ? 'zh-CN' : 'en-US').format(BigInt(whole));
  const cents = (fraction + '00').slice(0, Math.max(2, fraction.replace(/0+$/, '').length));
  return `${sign}$${grouped}.${cents}`;
}

export function formatNumber(value: number | null | undefined, language: string): string {
  if (value === null || value === undefined) return '—';
  return new Intl.NumberFormat(language === 'zh' ? 'zh-CN' : 'en-US').format(value);
}

export function formatTime(iso: string | null | undefined, language: string): string {
  if (!iso) return '—';
  return new Intl.DateTimeFormat(language === 'zh' ? 'zh-CN' : 'en-GB', { dateStyle: 'medium', timeStyle: 'medium', timeZone: 'UTC' }).format(new Date(iso));
}

/** The day only (UTC), for narrow table columns; the full time can go in a title. */
export function formatDate(iso: string | null | undefined, language: string): string {
  if (!iso) return '—';
  return new Intl.DateTimeFormat(language === 'zh' ? 'zh-CN' : 'en-GB', { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(iso));
}

export function formatMs(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  return value < 1000 ? `${Math.round(value)} ms` : `${(value / 1000).toFixed(2)} s`;
}
