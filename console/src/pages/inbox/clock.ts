import { useEffect, useState } from 'react';
import type { TFunction } from 'i18next';

/** The time now, ticking every `everyMs` while mounted (the SLA clocks, ages, expiring leases). */
export function useNow(everyMs = 1_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

const two = (value: number): string => String(value).padStart(2, '0');

/** `1:05:09`, `12:04` (clock digits read the same in every language). */
export function clockDigits(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  return hours > 0 ? `${hours}:${two(minutes)}:${two(seconds)}` : `${two(minutes)}:${two(seconds)}`;
}

/** A short age in the largest unit that fits: `40s`, `5m`, `3h`, `2d` (and the same in Chinese units). */
export function shortDuration(ms: number, t: TFunction): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return t('inbox:duration.seconds', { n: seconds });
  if (seconds < 3600) return t('inbox:duration.minutes', { n: Math.floor(seconds / 60) });
  if (seconds < 86_400) return t('inbox:duration.hours', { n: Math.floor(seconds / 3600) });
  return t('inbox:duration.days', { n: Math.floor(seconds / 86_400) });
}
