/** Load data for a page: `{data, error, loading, reload}`; reloads when `deps` change. */
import { useCallback, useEffect, useState } from "react";
import type { DependencyList } from "react";

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

export function useApi<T>(load: () => Promise<T>, deps: DependencyList, intervalMs?: number): Loaded<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<unknown>();
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((n) => n + 1), []);

  useEffect(() => {
    let live = true;
    setLoading(true);
    load().then(
      (value) => {
        if (!live) return;
        setData(value);
        setError(undefined);
        setLoading(false);
      },
      (reason: unknown) => {
        if (!live) return;
        setError(reason);
        setLoading(false);
      },
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);

  // The next poll starts `intervalMs` after the last answer, never while one is on its way: on
  // a slow server a fixed interval would start a new load before each answer and drop it, and
  // the page would never show its data.
  useEffect(() => {
    if (!intervalMs || loading) return;
    const timer = window.setTimeout(reload, intervalMs);
    return () => window.clearTimeout(timer);
  }, [intervalMs, reload, loading]);

  return { data, error, loading, reload };
}
