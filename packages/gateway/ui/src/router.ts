/** A small history router for the pages under /ui/ (the gateway answers index.html for each of them). */
import { useEffect, useState } from 'react';

export const BASE = '/ui';

/** The path under /ui/ with the query, e.g. `/executions/ex_1?tab=steps`. */
function current(): string {
  const path = location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) : location.pathname;
  return (path || '/') + location.search;
}

const listeners = new Set<() => void>();
window.addEventListener('popstate', () => listeners.forEach((l) => l()));

/** Goes to a page (`/executions/ex_1`) without a reload; `replace` keeps the history entry (filters). */
export function navigate(to: string, replace = false): void {
  const url = BASE + to;
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  listeners.forEach((l) => l());
}

/** The current path and query, re-rendering on navigation. */
export function useLocation(): { path: string; search: URLSearchParams } {
  const [location, setLocation] = useState(current);
  useEffect(() => {
    const listener = () => setLocation(current());
    listeners.add(listener);
    return () => void listeners.delete(listener);
  }, []);
  const [path, search = ''] = location.split('?');
  return { path: path ?? '/', search: new URLSearchParams(search) };
}

/** The segments of a path: `/executions/ex_1` → `['executions', 'ex_1']`, decoded. */
export const segments = (path: string): string[] => path.split('/').filter(Boolean).map(decodeURIComponent);
