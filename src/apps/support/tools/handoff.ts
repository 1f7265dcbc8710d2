import { defineTool } from './tool.js';

export const TRANSFER_RESULT = 'Transfer successful';

export const transferToHumanAgents = defineTool({
  name: 'transfer_to_human_agents',
  kind: 'generic',
  description:
    "Transfer the user to a human agent, with a summary of the user's issue. Only transfer if the user explicitly asks for a human agent, or given the policy and the available tools, you cannot solve the user's issue.",
  parameters: [{ name: 'summary', type: 'string', description: "A summary of the user's issue." }],
  run: async (_store, { summary }, effects) => {
    // The store is untouched; the composition opens the hand-off (the inbox task) when it gave the effect.
    if (effects.openHandoff) await effects.openHandoff({ summary });
    return TRANSFER_RESULT;
  },
});
