import type { ClusterState } from '../cluster/index.js';

/** What runs need of the cluster: its channels (wake-ups, event fan-out). */
export type RunBroadcast = Pick<ClusterState, 'publish' | 'subscribe'>;

import type { Database, JsonRecord, RunEventRecord } from '../storage/index.js';
import { RunEventsRepository } from '../storage/index.js';

const channelOf = (runId: string): string => `run-events:${runId}`;

/**
 * A run's events: stored in order (so any replica can replay them from a `Last-Event-ID`) and published
 * through the cluster (so followers on any replica see them as they happen).
 */
export class RunEvents {
  private readonly repository: RunEventsRepository;
  private readonly cluster: RunBroadcast;

  constructor(db: Database, cluster: RunBroadcast) {
    this.repository = new RunEventsRepository(db);
    this.cluster = cluster;
  }

  async append(runId: string, type: string, data: JsonRecord, now: Date): Promise<RunEventRecord> {
    const event = await this.repository.append(runId, type, data, now);
    await this.cluster.publish(channelOf(runId), String(event.seq)).catch(() => {});
    return event;
  }

  since(runId: string, afterSeq: number): Promise<RunEventRecord[]> {
    return this.repository.since(runId, afterSeq);
  }

  /**
   * Calls `onEvent` for every event after `afterSeq`, replayed from the store and then live, in order and
   * without gaps (a published sequence number only says "read again"). The returned function stops it.
   */
  async follow(runId: string, afterSeq: number, onEvent: (event: RunEventRecord) => void): Promise<() => Promise<void>> {
    let last = afterSeq;
    let reading: Promise<void> = Promise.resolve();
    let stopped = false;
    const readMore = (): void => {
      reading = reading.then(async () => {
        if (stopped) return;
        for (const event of await this.repository.since(runId, last)) {
          if (stopped) return;
          last = event.seq;
          onEvent(event);
        }
      });
      reading.catch(() => {});
    };
    const unsubscribe = await this.cluster.subscribe(channelOf(runId), readMore);
    readMore();
    return async () => {
      stopped = true;
      await unsubscribe();
      await reading.catch(() => {});
    };
  }
}
