// The human inbox is worked by people: this needs a personal key (tokenhub users create … prints one).
import { TokenHub } from 'tokenhub/sdk';

const hub = new TokenHub({ apiKey: process.env.TOKENHUB_PERSONAL_KEY });
const { data: tasks } = await hub.inbox.tasks.list({ status: 'open', queue: 'support' });
for (const task of tasks) console.log(task.id, task.kind, task.subject);

const task = tasks[0];
if (task?.kind === 'handoff') {
  await hub.inbox.tasks.claim(task.id);
  await hub.inbox.tasks.reply(task.id, 'Sorry about that: a replacement is on its way.');
  await hub.inbox.tasks.resolve(task.id, 'Replacement sent');
} else if (task?.kind === 'approval') {
  await hub.inbox.tasks.claim(task.id);
  await hub.inbox.tasks.approve(task.id, { reason: 'Within policy' });
}
