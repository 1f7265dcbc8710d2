import { type Database, type InboxTaskRecord, InboxTasksRepository, type NewInboxTask } from '../storage/index.js';
import type { InboxNotifier } from './inbox-notifier.js';

/** Creates a task (once per cause: a repeat returns the existing one) and tells watchers when it is new. */
export async function openTask(
  deps: { db: Database; notifier: InboxNotifier },
  tenantId: string,
  task: NewInboxTask,
  actor: string,
  now: Date,
): Promise<InboxTaskRecord> {
  const created = await new InboxTasksRepository(deps.db, tenantId).create(task, now, actor);
  if (created.created && created.event) await deps.notifier.changed(created.task, created.event);
  return created.task;
}
