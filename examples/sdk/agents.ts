// An agent in three lines: run it and read its reply, then the same with its events as they happen.
import { TokenHub } from 'tokenhub/sdk';

const hub = new TokenHub(); // TOKENHUB_URL, TOKENHUB_API_KEY (a key with the agents:run scope)
const run = await hub.agents.run('support', 'I want to return my keyboard');
console.log(run.status, run.output?.text, `$${run.usage.cost_usd}`);

for await (const event of hub.agents.stream('support', 'Where is my order #W2378156?')) console.log(event.seq, event.type);
