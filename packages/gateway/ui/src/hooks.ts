/** Data hooks: a fetched resource with reload, the auth state, and live refetches on lifecycle events. */
import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { auth } from './api/auth.ts';
import { api, ApiError } from './api/client.ts';
import { followEvents } from './api/events.ts';
import type { LifecycleEvent } from './api/types.ts';

export interface Resource<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  /** Fetches again, keeping the current data on screen meanwhile. */
  reload: () => void;
}

/** GETs `path` (null: nothing yet) and again whenever it or the token changes. */
export function useApi<T>(path: string | null): Resource<T> {
  const { token } = useAuth();
  const [state, setState] = useState<{ data?: T; error?: ApiError; loading: boolean }>({ loading: path !== null });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (path === null) return;
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    api<T>(path).then(
      (data) => live && setState({ data, loading: false }),
      (error: unknown) =>
        live &&
        setState((s) => ({
          data: s.data,
          error: error instanceof ApiError ? error : new ApiError(0, 'CLIENT', String(error)),
          loading: false,
        })),
    );
    return () => {
      live = false;
    };
  }, [path, tick, token]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}

export function useAuth() {
  return useSyncExternalStore(auth.subscribe, auth.get);
}

const DEBOUNCE_MS = 100;

/**
 * Calls `onChange` (debounced, ~100 ms) after lifecycle events that match the
 * filters; lifecycle events have no `step.started`, so pages refetch their
 * source of truth rather than patching state from the event. Returns whether
 * the stream is connected.
 */
export function useLiveRefresh(
  filters: { workflow?: string; execution?: string } | null,
  onChange: (event: LifecycleEvent) => void,
): boolean {
  const [connected, setConnected] = useState(false);
  const latest = useRef(onChange);
  latest.current = onChange;
  const { token } = useAuth();
  const key = filters ? JSON.stringify(filters) : null;
  useEffect(() => {
    if (key === null) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const stop = followEvents(
      JSON.parse(key) as Record<string, string>,
      (event) => {
        clearTimeout(timer);
        timer = setTimeout(() => latest.current(event), DEBOUNCE_MS);
      },
      setConnected,
    );
    return () => {
      clearTimeout(timer);
      stop();
    };
  }, [key, token]);
  return connected;
}
