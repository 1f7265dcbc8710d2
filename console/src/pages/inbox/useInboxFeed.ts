import type { InboxStreamEvent, InboxTask } from '@contract';
import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useState } from 'react';
import { ApiError, errorOf, requestHeaders, sse, withQuery } from '../../api/client';
import { isActive, loadActiveTasks } from './inbox-api';

export type FeedState = 'loading' | 'live' | 'reconnecting' | 'stopped';

export interface InboxFeed {
  /** The tenant's open and claimed tasks, as the last event left each. */
  tasks: InboxTask[];
  state: FeedState;
  error: unknown;
  truncated: boolean;
  /** Puts a task as an action's answer left it, before its event arrives. */
  apply: (task: InboxTask) => void;
  reload: () => void;
}

const RETRY_MS = [1_000, 2_000, 5_000, 10_000, 30_000];

/**
 * The inbox as it changes: the active tasks listed once, then every change from `/v1/inbox/events`,
 * resumed from the last event seen (`Last-Event-ID`) whenever the stream drops. Each event carries the task
 * as it now stands, so the list is kept by replacing; a task's open detail is refetched on its events.
 */
export function useInboxFeed(): InboxFeed {
  const queryClient = useQueryClient();
  const [tasks, setTasks] = useState<Map<string, InboxTask>>(new Map());
  const [state, setState] = useState<FeedState>('loading');
  const [error, setError] = useState<unknown>(null);
  const [truncated, setTruncated] = useState(false);
  const [generation, setGeneration] = useState(0);

  const apply = useCallback((task: InboxTask) => {
    setTasks((current) => {
      const known = current.get(task.id);
      // An answer older than what an event already brought changes nothing.
      if (known && known.updated_at > task.updated_at) return current;
      const next = new Map(current);
      if (isActive(task)) next.set(task.id, task);
      else next.delete(task.id);
      return next;
    });
  }, []);

  useEffect(() => {
    const controller = new AbortController();
    const { signal } = controller;
    let lastSeq = '0';
    const follow = async (): Promise<void> => {
      let failures = 0;
      while (!signal.aborted) {
        try {
          const response = await fetch(withQuery('/v1/inbox/events', { after: lastSeq }), {
            headers: { ...requestHeaders(), accept: 'text/event-stream', 'last-event-id': lastSeq },
            credentials: 'same-origin',
            signal,
          });
          if (!response.ok) throw await errorOf(response);
          setState('live');
          failures = 0;
          for await (const message of sse(response)) {
            if (message.id) lastSeq = message.id;
            const event = JSON.parse(message.data) as InboxStreamEvent;
            if (event.task) apply(event.task);
            void queryClient.invalidateQueries({ queryKey: ['inbox', 'task', event.task_id] });
          }
        } catch (caught) {
          if (signal.aborted) return;
          // Signed out or no longer allowed: retrying cannot help.
          if (caught instanceof ApiError && (caught.status === 401 || caught.status === 403)) {
            setError(caught);
            setState('stopped');
            return;
          }
        }
        if (signal.aborted) return;
        setState('reconnecting');
        const wait = RETRY_MS[Math.min(failures, RETRY_MS.length - 1)] ?? 30_000;
        failures += 1;
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    };
    setState('loading');
    setError(null);
    loadActiveTasks(signal)
      .then((loaded) => {
        if (signal.aborted) return;
        lastSeq = loaded.lastEventSeq;
        setTruncated(loaded.truncated);
        setTasks(new Map(loaded.tasks.map((task) => [task.id, task])));
        void follow();
      })
      .catch((caught: unknown) => {
        if (signal.aborted) return;
        setError(caught);
        setState('stopped');
      });
    return () => {
      controller.abort();
    };
  }, [apply, queryClient, generation]);

  return {
    tasks: [...tasks.values()],
    state,
    error,
    truncated,
    apply,
    reload: () => setGeneration((value) => value + 1),
  };
}
