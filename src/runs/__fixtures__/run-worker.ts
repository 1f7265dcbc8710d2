/**
 * Child process for the SIGKILL test: runs an engine on the given PostgreSQL schema with a handler whose
 * effects print `performed <name> <idempotency key>` once they started, and hang in the step named by
 * the run's `hang_in`, until the process is killed.
 */
import { MemoryClusterState } from '../../cluster/index.js';
import { openDatabase } from '../../storage/index.js';
import { RunEngine } from '../run-engine.js';

const [url, schema] = process.argv.slice(2);
if (!url || !schema) throw new Error('usage: run-worker <postgres url> <schema>');
const db = await openDatabase({ url, schema });
const engine = new RunEngine({
  db,
  cluster: new MemoryClusterState(),
  pollMs: 50,
  leaseMs: 1_000,
  handlers: [
    {
      kind: 'test',
      async execute(run, context) {
        for (const step of run.input.steps as { name: string; idempotent: boolean }[]) {
          await context.effect({ kind: 'tool', name: step.name, idempotent: step.idempotent }, async (call) => {
            process.stdout.write(`performed ${step.name} ${call.idempotencyKey}\n`);
            if (run.input.hang_in === step.name) await new Promise(() => {});
            return { done: step.name };
          });
        }
        return { status: 'completed' };
      },
    },
  ],
});
await engine.start();
process.stdout.write('ready\n');
