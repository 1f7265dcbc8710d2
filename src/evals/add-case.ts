import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { isWriteTool, type TauAction } from '../apps/support/index.js';
import { EvalRunError } from './eval-run-error.js';
import type { EvalHubClient, Json } from './hub-client.js';
import { type EvalTask, parseTasks } from './suite.js';
import { toolCallsOf } from './trial.js';

/**
 * A new case from a conversation that really happened (a thread, typically one a person resolved in the
 * inbox): the customer's messages become the simulator's scenario, and the writes the thread's runs made
 * successfully — in order, with their arguments — become the expected actions, so the DB check asks a
 * future agent to end where this conversation did. A hand-off in those runs becomes an expected
 * `transfer_to_human_agents`. What a person did by hand outside the runs is not seen: edit the case then.
 */
export async function caseFromThread(
  client: EvalHubClient,
  options: { tenantId: string; threadId: string; taskId: string },
): Promise<EvalTask> {
  const key = await client.admin<Json>('POST', '/admin/v1/keys', {
    tenant_id: options.tenantId,
    name: `eval add-case ${options.threadId}`,
    scopes: ['agents:run'],
  });
  try {
    const messages = await client.request<{ data: { role: string; content: string; run_id?: string }[] }>(
      String(key.key),
      'GET',
      `/v1/threads/${encodeURIComponent(options.threadId)}/messages?limit=1000`,
    );
    const customer = messages.data.filter((message) => message.role === 'user').map((message) => message.content);
    if (customer.length === 0) throw new EvalRunError(`Thread ${options.threadId} has no customer message.`);
    const runIds = [...new Set(messages.data.flatMap((message) => (message.run_id ? [message.run_id] : [])))];
    const calls = await toolCallsOf(client, String(key.key), runIds);
    const actions: TauAction[] = calls
      .filter((call) => call.ok && (isWriteTool(call.tool) || call.tool === 'transfer_to_human_agents'))
      .map((call, index) => ({ action_id: `${options.taskId}_${index}`, name: call.tool, arguments: call.arguments, info: null }));
    return {
      id: options.taskId,
      description: { purpose: `From thread ${options.threadId}.`, relevant_policies: null, notes: null },
      user_scenario: {
        persona: null,
        instructions: {
          domain: 'retail',
          reason_for_call: customer[0] ?? '',
          known_info:
            customer.length > 1 ? `In this conversation you said, in order:\n${customer.map((text) => `- ${text}`).join('\n')}` : null,
          unknown_info: null,
          task_instructions:
            'Say what you need as you did in the conversation above, one message at a time; confirm what the agent proposes only if it matches what you asked for.',
        },
      },
      initial_state: null,
      evaluation_criteria: { actions, communicate_info: [], nl_assertions: null, reward_basis: ['DB'] },
    };
  } finally {
    await client.admin('DELETE', `/admin/v1/keys/${String(key.id)}`).catch(() => {});
  }
}

/** Appends a case to a suite file (created when absent); a task id already in the suite is refused. */
export async function appendCase(path: string, task: EvalTask): Promise<number> {
  const tasks = existsSync(path) ? parseTasks(await readFile(path, 'utf8'), path) : [];
  if (tasks.some((existing) => existing.id === task.id))
    throw new EvalRunError(`${path} has a task ${task.id} already: choose another --task-id.`);
  tasks.push(task);
  await writeFile(path, `${JSON.stringify(tasks, null, 2)}\n`);
  return tasks.length;
}
