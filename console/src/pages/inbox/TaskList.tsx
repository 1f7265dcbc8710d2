import type { InboxTask } from '@contract';
import { useTranslation } from 'react-i18next';
import { shortDuration } from './clock';
import { isBreached, KindBadge, reasonLabel, SlaClock, shortId } from './task-labels';

export const VIEWS = ['open', 'mine', 'unassigned', 'approvals', 'breached'] as const;
export type View = (typeof VIEWS)[number];
export type SortOrder = 'due' | 'oldest' | 'newest';

/** Whether `task` (active, lease already judged against `now`) belongs in `view`. */
export function inView(view: View, task: InboxTask, me: string | null, now: number): boolean {
  switch (view) {
    case 'open':
      return true;
    case 'mine':
      return task.status === 'claimed' && task.assignee === me;
    case 'unassigned':
      return task.status === 'open';
    case 'approvals':
      return task.kind === 'approval';
    case 'breached':
      return isBreached(task, now);
  }
}

export function sortTasks(tasks: InboxTask[], order: SortOrder): InboxTask[] {
  const due = (task: InboxTask): number => (task.due_at ? Date.parse(task.due_at) : Number.POSITIVE_INFINITY);
  const created = (task: InboxTask): number => Date.parse(task.created_at);
  return [...tasks].sort((a, b) =>
    order === 'due' ? due(a) - due(b) || created(a) - created(b) : order === 'oldest' ? created(a) - created(b) : created(b) - created(a),
  );
}

/** The queues (views with live counts), the queue and order filters, and the task list itself. */
export function QueuePanel({
  view,
  onView,
  counts,
  queues,
  queue,
  onQueue,
  order,
  onOrder,
}: {
  view: View;
  onView: (view: View) => void;
  counts: Record<View, number>;
  queues: string[];
  queue: string;
  onQueue: (queue: string) => void;
  order: SortOrder;
  onOrder: (order: SortOrder) => void;
}) {
  const { t } = useTranslation(['inbox', 'common']);
  return (
    <div className="inbox-queues">
      <h2 className="sr-only">{t('views.heading')}</h2>
      <ul className="inbox-views">
        {VIEWS.map((candidate) => (
          <li key={candidate}>
            <button type="button" className="inbox-view" aria-pressed={view === candidate} onClick={() => onView(candidate)}>
              <span>{t(`views.${candidate}`)}</span>
              <span className={candidate === 'breached' && counts.breached > 0 ? 'count breached' : 'count'}>{counts[candidate]}</span>
            </button>
          </li>
        ))}
      </ul>
      <div className="inbox-list-filters">
        <div className="inbox-field">
          <label htmlFor="inbox-queue">{t('filters.queue')}</label>
          <select id="inbox-queue" value={queue} onChange={(event) => onQueue(event.target.value)}>
            <option value="">{t('filters.allQueues')}</option>
            {queues.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </div>
        <div className="inbox-field">
          <label htmlFor="inbox-order">{t('filters.order')}</label>
          <select id="inbox-order" value={order} onChange={(event) => onOrder(event.target.value as SortOrder)}>
            <option value="due">{t('filters.due')}</option>
            <option value="oldest">{t('filters.oldest')}</option>
            <option value="newest">{t('filters.newest')}</option>
          </select>
        </div>
      </div>
    </div>
  );
}

export function TaskList({
  tasks,
  selected,
  onOpen,
  now,
  me,
  nameOf,
  label,
}: {
  tasks: InboxTask[];
  selected: string | null;
  onOpen: (id: string) => void;
  now: number;
  me: string | null;
  nameOf: (userId: string) => string;
  label: string;
}) {
  const { t } = useTranslation('inbox');
  if (tasks.length === 0) return <p className="muted inbox-empty">{t('list.empty')}</p>;
  return (
    <ul className="inbox-list" aria-label={label}>
      {tasks.map((task) => {
        const breached = isBreached(task, now);
        const holder = task.status === 'claimed' && task.assignee ? (task.assignee === me ? t('list.heldByYou') : t('list.heldBy', { name: nameOf(task.assignee) })) : t('list.unassigned');
        return (
          <li key={task.id}>
            <button
              type="button"
              className={breached ? 'inbox-item breached' : 'inbox-item'}
              aria-current={selected === task.id ? 'true' : undefined}
              data-task-id={task.id}
              onClick={() => onOpen(task.id)}
            >
              <span className="inbox-item-top">
                <KindBadge task={task} />
                {task.priority === 'high' || task.priority === 'urgent' ? <span className="badge bad">{t(`priority.${task.priority}`)}</span> : null}
                <SlaClock task={task} now={now} />
              </span>
              <span className="inbox-item-subject">{task.subject}</span>
              <span className="inbox-item-meta">
                {t('list.meta', { agent: task.agent ?? '—', reason: reasonLabel(task.reason, t), customer: shortId(task.thread_id) })}
              </span>
              <span className="inbox-item-meta">
                {t('list.ageHolder', { age: shortDuration(now - Date.parse(task.created_at), t), holder })}
              </span>
            </button>
          </li>
        );
      })}
    </ul>
  );
}
