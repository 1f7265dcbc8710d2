import { useCallback } from 'react';
import { useSearchParams } from 'react-router';

/** Changes to make to the address bar's query: a value sets the parameter, null or '' removes it. */
export type UrlChanges = Record<string, string | null>;

/**
 * The page's query parameters and a function that changes some of them. Each change starts from the address bar,
 * not from the router's `previous` (that is the last render's), so two changes made before a render — a split,
 * then an interval — both stay.
 */
export function useUrlParams(): [URLSearchParams, (changes: UrlChanges, options?: { replace?: boolean }) => void] {
  const [params, setParams] = useSearchParams();
  const update = useCallback(
    (changes: UrlChanges, options: { replace?: boolean } = {}) =>
      setParams(
        () => {
          const next = new URLSearchParams(window.location.search);
          for (const [name, value] of Object.entries(changes)) {
            if (value === null || value === '') next.delete(name);
            else next.set(name, value);
          }
          return next;
        },
        { replace: options.replace ?? true },
      ),
    [setParams],
  );
  return [params, update];
}
