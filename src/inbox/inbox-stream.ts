import type { RunBroadcast } from '../runs/index.js';
import { type Database, type InboxEventRecord, InboxTasksRepository } from '../storage/index.js';
import { inboxChannel } from './inbox-notifier.js';

/**
 * A tenant's task events after `afterSeq`, from the store and then live, in order and without gaps: a
 * published sequence number only says "read again", so a message missed between replicas loses nothing.
 */
export async function followInbox(
  db: Database,
  broadcast: RunBroadcast,
  tenantId: string,
  afterSeq: bigint,
  onEvents: (events: InboxEventRecord[]) => Promise<void>,
): Promise<() => Promise<void>> {
  const repository = new InboxTasksRepository(db, tenantId);
  let last = afterSeq;
  let stopped = false;
  let reading: Promise<void> = Promise.resolve();
  const readMore = (): void => {
    reading = reading
      .then(async () => {
        while (!stopped) {
          const events = await repository.eventsSince(last, 200);
          if (events.length === 0) return;
          last = events[events.length - 1]?.seq ?? last;
          await onEvents(events);
        }
      })
      .catch(() => {});
  };
  const unsubscribe = await broadcast.subscribe(inboxChannel(tenantId), readMore);
  readMore();
  return async () => {
    stopped = true;
    await unsubscribe();
    await reading;
  };
}
