// A workflow in three lines: save the document (YAML or an object), run it, decide its human step.
import { TokenHub } from 'tokenhub/sdk';

const hub = new TokenHub(); // a key with agents:write (to save) and agents:run (to run)
await hub.workflows.apply(`
apiVersion: tokenhub.dev/v1
kind: Workflow
metadata: { name: refund-check }
spec:
  steps:
    - { id: approve, kind: human, title: 'Refund order \${{ input.order }}?', mode: approval }
    - { id: note, kind: llm, model: gpt-4o-mini, prompt: 'Write a one-line refund note for \${{ input.order }}.' }
`);
const run = await hub.workflows.run('refund-check', { order: '#W2378156' });
const pending = run.pending?.[0];
if (pending) console.log((await hub.workflows.runs.decide(run.id, pending.call_id, 'approve', { reason: 'photos ok' })).status);

for await (const event of hub.workflows.runs.events(run.id)) console.log(event.type);
console.log((await hub.workflows.runs.get(run.id)).output);
