/**
 * The load-generator process (pinned away from the gateway): runs one job at a time on request over
 * the IPC channel and answers with its result.
 */
import type { LoadJob, LoadResult, WorkerReply, WorkerRequest } from '../types.js';
import { runOpenStreams } from './open-streams.js';
import { runPaced } from './paced.js';
import { runSaturate } from './saturate.js';

function run(job: LoadJob): Promise<LoadResult> {
  switch (job.kind) {
    case 'paced':
      return runPaced(job);
    case 'saturate':
      return runSaturate(job);
    case 'streams':
      return runOpenStreams(job);
  }
}

if (!process.send) throw new Error('the load worker must be started with an IPC channel');
const send = (reply: WorkerReply): void => {
  process.send?.(reply);
};

process.on('message', (message: WorkerRequest) => {
  run(message.job).then(
    (result) => send({ id: message.id, ok: true, result }),
    (error: unknown) => send({ id: message.id, ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
  );
});
process.on('disconnect', () => process.exit(0));
