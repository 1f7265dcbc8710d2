import type { Run, RunEvent, RunStatus } from '@contract';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { ApiError, api, errorOf, requestHeaders, sse } from '../api/client';

/** Statuses a run never leaves. */
export const FINAL_RUN_STATUSES: readonly RunStatus[] = ['completed', 'failed', 'cancelled', 'budget_exceeded', 'max_turns'];
/** Statuses that wait for a person (the run holds no lease; it goes on once someone decides). */
export const PAUSED_RUN_STATUSES: readonly RunStatus[] = ['waiting_approval', 'handed_off', 'needs_attention'];
export const isFinalRun = (status: RunStatus): boolean => FINAL_RUN_STATUSES.includes(status);

export const runKey = (id: string) => ['runs', 'run', id] as const;
export const fetchRun = (id: string) => api<Run>(`/v1/runs/${encodeURIComponent(id)}`);

/** `live`: the event stream is open; `waiting`: between streams (a paused run, or after a drop); `ended`: the run is final. */
export type LiveState = 'connecting' | 'live' | 'waiting' | 'ended' | 'stopped';

export interface RunLive {
  /** Every event of the run so far, each once, in order. */
  events: RunEvent[];
  state: LiveState;
  /** How many times the stream was picked up again after the last event seen (`Last-Event-ID`). */
  resumes: number;
  error: unknown;
}

const RETRY_MS = [1_000, 2_000, 5_000, 10_000];
const PAUSED_POLL_MS = 3_000;
const REFETCH_GAP_MS = 250;

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });

/**
 * A run as it happens: its events from `/v1/runs/:id/events` (SSE), and its record (`GET /v1/runs/:id`, the
 * steps with their cost) refetched as events arrive. When the stream ends before the run is final (it paused
 * for a person, or the connection dropped), it is opened again with `Last-Event-ID`, so every event is seen
 * exactly once: none twice, none missing.
 */
export function useRunLive(id: string | null): RunLive {
  const queryClient = useQueryClient();
  const [events, setEvents] = useState<RunEvent[]>([]);
  const [state, setState] = useState<LiveState>('connecting');
  const [resumes, setResumes] = useState(0);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    if (!id) return;
    const controller = new AbortController();
    const { signal } = controller;
    let lastSeq = 0;
    let refetchTimer: ReturnType<typeof setTimeout> | null = null;
    setEvents([]);
    setResumes(0);
    setError(null);
    setState('connecting');
    const refetchSoon = () => {
      if (refetchTimer) return;
      refetchTimer = setTimeout(() => {
        refetchTimer = null;
        void queryClient.invalidateQueries({ queryKey: runKey(id) });
      }, REFETCH_GAP_MS);
    };
    const follow = async (): Promise<void> => {
      let failures = 0;
      while (!signal.aborted) {
        let dropped = false;
        try {
          const response = await fetch(`/v1/runs/${encodeURIComponent(id)}/events`, {
            headers: { ...requestHeaders(), accept: 'text/event-stream', ...(lastSeq > 0 ? { 'last-event-id': String(lastSeq) } : {}) },
            credentials: 'same-origin',
            signal,
          });
          if (!response.ok) throw await errorOf(response);
          setState('live');
          failures = 0;
          for await (const message of sse(response)) {
            const event = JSON.parse(message.data) as RunEvent;
            // The hub resumes after Last-Event-ID; an event already seen is never shown twice all the same.
            if (typeof event.seq !== 'number' || event.seq <= lastSeq) continue;
            lastSeq = event.seq;
            setEvents((current) => [...current, event]);
            refetchSoon();
          }
        } catch (caught) {
          if (signal.aborted) return;
          if (caught instanceof ApiError && [401, 403, 404].includes(caught.status)) {
            setError(caught);
            setState('stopped');
            return;
          }
          dropped = true;
          failures++;
        }
        if (signal.aborted) return;
        setState('waiting');
        let run: Run | undefined;
        try {
          run = await queryClient.fetchQuery({ queryKey: runKey(id), queryFn: () => fetchRun(id), staleTime: 0 });
        } catch {
          dropped = true;
        }
        if (run && isFinalRun(run.status) && !dropped) {
          setState('ended');
          return;
        }
        const paused = run ? PAUSED_RUN_STATUSES.includes(run.status) : false;
        const backoff = RETRY_MS[Math.min(Math.max(failures - 1, 0), RETRY_MS.length - 1)] ?? 1_000;
        await sleep(dropped ? backoff : paused ? PAUSED_POLL_MS : 1_000, signal);
        if (lastSeq > 0) setResumes((count) => count + 1);
      }
    };
    void follow();
    return () => {
      controller.abort();
      if (refetchTimer) clearTimeout(refetchTimer);
    };
  }, [id, queryClient]);

  return { events, state, resumes, error };
}

/** The run's record, refetched while it moves (a model call in progress announces nothing until it answers). */
export function useRunRecord(id: string | null) {
  return useQuery({
    queryKey: runKey(id ?? ''),
    queryFn: () => fetchRun(id ?? ''),
    enabled: id !== null,
    refetchInterval: (query) => (query.state.data && !isFinalRun(query.state.data.status) ? 3_000 : false),
  });
}
