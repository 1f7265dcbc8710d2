import type { InboxTask, InboxTaskDetail } from '@contract';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useUrlParams } from '../../components/useUrlParams';
import { ApiError } from '../../api/client';
import { useSession } from '../../auth/session';
import { PageHeader } from '../../components/PageHeader';
import { ErrorBanner } from '../../components/QueryState';
import { useNow } from './clock';
import { CLAIM_BUTTON_ID, Conversation } from './Conversation';
import { effectiveTask, fetchPeople, fetchTask, inboxActions, RENEW_EVERY_MS } from './inbox-api';
import { ShortcutsDialog } from './ShortcutsDialog';
import { TaskContext } from './TaskContext';
import { inView, QueuePanel, type SortOrder, sortTasks, TaskList, VIEWS, type View } from './TaskList';
import { shortId } from './task-labels';
import { REPLY_FIELD_ID } from './Transcript';
import { useInboxFeed } from './useInboxFeed';

const ORDERS: readonly SortOrder[] = ['due', 'oldest', 'newest'];
const isTyping = (target: EventTarget | null): boolean => {
  const element = target as HTMLElement | null;
  if (!element?.tagName) return false;
  return element.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(element.tagName) || element.closest('[role="dialog"]') !== null;
};

/** Of several copies of one task (the feed's, an action's answer, the detail), the one changed last. */
function freshest(...candidates: (InboxTask | undefined)[]): InboxTask | undefined {
  let best: InboxTask | undefined;
  for (const candidate of candidates) if (candidate && (!best || candidate.updated_at > best.updated_at)) best = candidate;
  return best;
}

/** A run still moving (or resuming after a decision) is polled, so its status and steps stay current. */
const runMoving = (detail: InboxTaskDetail | undefined): boolean => {
  const status = detail?.run?.status;
  if (!status) return false;
  return status === 'queued' || status === 'running' || (status === 'waiting_approval' && detail.status !== 'open' && detail.status !== 'claimed');
};

/**
 * The operators' help desk: queues with live counts and SLA clocks on the left, the conversation with the
 * agent's summary and the actions a claim allows in the middle, the run's steps and the task's history on
 * the right. Live through `/v1/inbox/events`; claims are renewed while the page is open.
 */
export default function InboxPage() {
  const { t } = useTranslation(['inbox', 'common']);
  const session = useSession();
  const queryClient = useQueryClient();
  const user = session.me?.user ?? null;
  const me = user?.id ?? null;
  const canWork = session.can('inbox:work');
  const feed = useInboxFeed();
  const now = useNow();
  const [params, update] = useUrlParams();
  const [helpOpen, setHelpOpen] = useState(false);
  const [answers, setAnswers] = useState<Map<string, InboxTask>>(new Map());

  const viewParam = params.get('view');
  const view: View = VIEWS.find((candidate) => candidate === viewParam) ?? 'open';
  const queue = params.get('queue') ?? '';
  const order: SortOrder = ORDERS.find((candidate) => candidate === params.get('order')) ?? 'due';
  const selectedId = params.get('task');
  const setParam = useCallback(
    (name: string, value: string | null) =>
      update({ [name]: value }, { replace: name !== 'task' }),
    [update],
  );

  const people = useQuery({ queryKey: ['inbox', 'people'], queryFn: ({ signal }) => fetchPeople(signal), enabled: session.can('users:read'), staleTime: 300_000, retry: false });
  const nameOf = useCallback(
    (userId: string): string => {
      if (userId === me && user) return user.name ?? user.email;
      const person = people.data?.find((candidate) => candidate.id === userId);
      return person ? (person.name ?? person.email) : shortId(userId);
    },
    [me, user, people.data],
  );
  const actorName = (actor: string | null): string => {
    if (!actor) return t('actor.system');
    if (actor.startsWith('user:')) return nameOf(actor.slice(5));
    if (actor.startsWith('agent:')) return t('actor.agent', { name: actor.slice(6) });
    if (actor === 'customer') return t('actor.customer');
    return t('actor.system');
  };

  const tasks = feed.tasks.map((task) => effectiveTask(task, now));
  const queues = [...new Set(tasks.map((task) => task.queue))].sort();
  const inQueue = queue ? tasks.filter((task) => task.queue === queue) : tasks;
  const counts = Object.fromEntries(VIEWS.map((candidate) => [candidate, inQueue.filter((task) => inView(candidate, task, me, now)).length])) as Record<View, number>;
  const visible = sortTasks(
    inQueue.filter((task) => inView(view, task, me, now)),
    order,
  );

  const detail = useQuery({
    queryKey: ['inbox', 'task', selectedId],
    queryFn: ({ signal }) => fetchTask(selectedId as string, signal),
    enabled: selectedId !== null,
    refetchInterval: (query) => (runMoving(query.state.data) ? 1_500 : false),
    retry: (count, error) => !(error instanceof ApiError && error.status === 404) && count < 2,
  });
  const liveTask = selectedId ? feed.tasks.find((task) => task.id === selectedId) : undefined;
  const current = selectedId ? freshest(liveTask, answers.get(selectedId), detail.data) : undefined;
  const shown = current ? effectiveTask(current, now) : undefined;

  const onChanged = (task?: InboxTask) => {
    if (task) {
      feed.apply(task);
      setAnswers((known) => new Map(known).set(task.id, task));
    }
    void queryClient.invalidateQueries({ queryKey: ['inbox', 'task', task?.id ?? selectedId] });
  };

  // Keep every claim of mine alive while the page is open (a closed tab lets them lapse within the lease).
  const mine = useRef<string[]>([]);
  mine.current = tasks.filter((task) => task.status === 'claimed' && task.assignee === me).map((task) => task.id);
  const { apply } = feed;
  const live = feed.state === 'live';
  useEffect(() => {
    if (!canWork || !live) return;
    const renew = () => {
      for (const id of mine.current) {
        inboxActions
          .renew(id)
          .then(apply)
          .catch(() => undefined);
      }
    };
    renew();
    const timer = setInterval(renew, RENEW_EVERY_MS);
    return () => clearInterval(timer);
  }, [canWork, live, apply]);

  // The keyboard: j/k (and the arrows within the list) move, Enter opens, c claims, r replies, ? helps.
  const visibleIds = useMemo(() => visible.map((task) => task.id).join(' '), [visible]);
  useEffect(() => {
    const move = (delta: number) => {
      const buttons = [...document.querySelectorAll<HTMLButtonElement>('.inbox-list button[data-task-id]')];
      if (buttons.length === 0) return;
      const focused = buttons.indexOf(document.activeElement as HTMLButtonElement);
      const selectedIndex = buttons.findIndex((button) => button.dataset.taskId === selectedId);
      const from = focused >= 0 ? focused : selectedIndex;
      const next = buttons[from < 0 ? (delta > 0 ? 0 : buttons.length - 1) : Math.min(buttons.length - 1, Math.max(0, from + delta))];
      next?.focus();
      next?.scrollIntoView({ block: 'nearest' });
    };
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return;
      const inList = (event.target as HTMLElement | null)?.closest?.('.inbox-list') != null;
      if (event.key === 'j' || (event.key === 'ArrowDown' && inList)) move(1);
      else if (event.key === 'k' || (event.key === 'ArrowUp' && inList)) move(-1);
      else if (event.key === 'c') document.getElementById(CLAIM_BUTTON_ID)?.click();
      else if (event.key === 'r') document.getElementById(REPLY_FIELD_ID)?.focus();
      else if (event.key === '?') setHelpOpen(true);
      else return;
      event.preventDefault();
    };
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
    // visibleIds: the list's buttons change with it.
  }, [selectedId, visibleIds]);

  const stateBadge = feed.state === 'live' ? 'badge ok' : feed.state === 'stopped' ? 'badge bad' : 'badge warn';
  return (
    <div className="inbox-page">
      <PageHeader
        title={t('title')}
        actions={
          <>
            <span className={stateBadge} role="status">
              {t(`live.${feed.state}`)}
            </span>
            <button type="button" className="button secondary" aria-keyshortcuts="?" onClick={() => setHelpOpen(true)}>
              {t('shortcuts.open')}
            </button>
          </>
        }
      >
        <p className="muted">{canWork ? t('intro') : t('introReadOnly')}</p>
      </PageHeader>
      {feed.error ? <ErrorBanner error={feed.error} onRetry={feed.reload} /> : null}
      {feed.truncated ? <p className="muted">{t('truncated')}</p> : null}
      <div className="inbox-layout">
        <section className="inbox-col inbox-left" aria-labelledby="inbox-list-heading">
          <h2 id="inbox-list-heading" className="inbox-col-heading">
            {t('columns.tasks')}
          </h2>
          <QueuePanel
            view={view}
            onView={(next) => setParam('view', next === 'open' ? null : next)}
            counts={counts}
            queues={queues}
            queue={queue}
            onQueue={(next) => setParam('queue', next || null)}
            order={order}
            onOrder={(next) => setParam('order', next === 'due' ? null : next)}
          />
          {feed.state === 'loading' ? (
            <p className="muted" role="status">
              {t('common:loading')}
            </p>
          ) : (
            <TaskList tasks={visible} selected={selectedId} onOpen={(id) => setParam('task', id)} now={now} me={me} nameOf={nameOf} label={t(`views.${view}`)} />
          )}
        </section>
        <section className="inbox-col inbox-middle" aria-label={t('columns.conversation')}>
          {!selectedId ? (
            <p className="muted inbox-placeholder">{t('pick')}</p>
          ) : detail.isError ? (
            <ErrorBanner error={detail.error} onRetry={() => void detail.refetch()} />
          ) : !detail.data || !shown ? (
            <p className="muted" role="status">
              {t('common:loading')}
            </p>
          ) : (
            <Conversation key={selectedId} detail={detail.data} task={shown} me={me} canWork={canWork} now={now} nameOf={nameOf} queues={queues} onChanged={onChanged} />
          )}
        </section>
        <aside className="inbox-col inbox-right" aria-label={t('columns.context')}>
          {detail.data && selectedId ? <TaskContext detail={detail.data} actorName={actorName} /> : null}
        </aside>
      </div>
      <ShortcutsDialog open={helpOpen} onClose={() => setHelpOpen(false)} />
    </div>
  );
}
