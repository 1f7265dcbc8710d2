// A conversation the hub keeps: each message runs the agent on the whole thread.
import { TokenHub } from 'tokenhub/sdk';

const hub = new TokenHub();
const thread = await hub.threads.create({ metadata: { customer: 'c_42' } });
const reply = await hub.threads.post(thread.id, { agent: 'support', content: 'My keyboard arrived broken' });
console.log(reply.message?.content ?? `with a person: task ${reply.handoff?.task_id}`);

const history = await hub.threads.messages(thread.id);
for (const message of history.data) console.log(`${message.role}: ${message.content}`);
