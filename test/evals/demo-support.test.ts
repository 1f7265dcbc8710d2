/** `npm run demo:support` plays through: the return closed by the agent, the hand-off resolved by a person, the cost. */
import { expect, it } from 'vitest';
import { runSupportDemo } from '../../src/cli/demo-support.js';

it('the support demo completes end to end and prints the conversations, the inbox task and the cost', async () => {
  const lines: string[] = [];
  const result = await runSupportDemo({ print: (line) => lines.push(line) });
  expect(result.returnedOrder).toMatchObject({ status: 'return requested', return_items: ['9690244451'] });
  expect(result.handoffTask).toMatchObject({ kind: 'handoff', status: 'resolved', reason: 'transfer_to_human_agents' });
  // Six scripted calls at 900 in / 60 out tokens, $0.5 and $1.5 per Mtok.
  expect(result.usage).toMatchObject({ requests: 6, prompt_tokens: 5400, completion_tokens: 360, cost_usd: '0.00324' });
  const transcript = lines.join('\n');
  expect(transcript).toContain('customer: Yes, please go ahead.');
  expect(transcript).toMatch(/inbox: task tsk_\w+ \(handoff, queue support, transfer_to_human_agents\)/);
  expect(transcript).toContain('cost (ledger): 6 model calls');
}, 60_000);
