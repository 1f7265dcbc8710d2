import { type StoreAccess, supportTool, type TauAction, type TauTask } from '../apps/support/index.js';

/** One reply of a scripted model: text, or tool calls (the shape of a `scripted` provider's step). */
export interface OracleStep {
  text?: string;
  tool_calls?: { name: string; arguments: Record<string, unknown> }[];
}

/** One exchange of an oracle conversation: what the customer says, then what the agent's model answers, call by call. */
export interface OracleTurn {
  customer: string;
  agent: OracleStep[];
}

export const ORACLE_OPENING = 'Hi, I need help with my account and orders.';
export const ORACLE_YES = 'Yes, please proceed.';

const IDENTIFYING = new Set(['find_user_id_by_email', 'find_user_id_by_name_zip']);

const VERBS: Record<string, string> = {
  cancel_pending_order: 'cancel order',
  modify_pending_order_address: 'change the shipping address of order',
  modify_pending_order_items: 'modify the items of order',
  modify_pending_order_payment: 'change the payment method of order',
  modify_user_address: 'update the address of your account',
  return_delivered_order_items: 'return items of order',
  exchange_delivered_order_items: 'exchange items of order',
};

/** The agent's statement of a write before the customer's yes: the action and every argument, identifiers included. */
export function statementOf(action: TauAction): string {
  const args = Object.entries(action.arguments)
    .map(([name, value]) => `${name}: ${Array.isArray(value) ? value.join(', ') : String(value)}`)
    .join('; ');
  const subject = typeof action.arguments.order_id === 'string' ? ` ${action.arguments.order_id}` : '';
  return `I will ${VERBS[action.name] ?? action.name}${subject} with these details: ${args}. Do you confirm?`;
}

/** Whose records a write touches: the order's owner, or the user it names. */
async function ownerOf(action: TauAction, store: StoreAccess): Promise<string | undefined> {
  if (typeof action.arguments.user_id === 'string') return action.arguments.user_id;
  if (typeof action.arguments.order_id === 'string') return (await store.getOrder(action.arguments.order_id))?.user_id;
  return undefined;
}

const isWrite = (name: string): boolean => name !== 'transfer_to_human_agents' && (supportTool(name)?.kind ?? 'write') === 'write';

/**
 * The conversation in which an agent does exactly a task's expected actions and passes the policy: the
 * customer identified first (a `find_user_id_by_email` of the first write's owner, read from `store`, when
 * the actions do not start with a lookup), each write stated with its identifiers and confirmed by the
 * customer's yes in the next message, reads done as they come, and a last message carrying the task's
 * `communicate_info`. A `transfer_to_human_agents` ends the conversation (the run hands off).
 */
export async function oracleConversation(task: TauTask, store: StoreAccess): Promise<OracleTurn[]> {
  const actions = task.evaluation_criteria?.actions ?? [];
  const turns: OracleTurn[] = [];
  let turn: OracleTurn = { customer: ORACLE_OPENING, agent: [] };
  let identified = false;
  const call = (action: TauAction): OracleStep => ({ tool_calls: [{ name: action.name, arguments: action.arguments }] });
  for (const action of actions) {
    if (IDENTIFYING.has(action.name)) identified = true;
    if (action.name === 'transfer_to_human_agents') {
      turn.agent.push(call(action));
      turns.push(turn);
      return turns;
    }
    if (!isWrite(action.name)) {
      turn.agent.push(call(action));
      continue;
    }
    if (!identified) {
      const owner = await ownerOf(action, store);
      const user = owner ? await store.getUser(owner) : undefined;
      if (user) turn.agent.push({ tool_calls: [{ name: 'find_user_id_by_email', arguments: { email: user.email } }] });
      identified = true;
    }
    turn.agent.push({ text: statementOf(action) });
    turns.push(turn);
    turn = { customer: ORACLE_YES, agent: [call(action)] };
  }
  const outputs = task.evaluation_criteria?.communicate_info ?? [];
  turn.agent.push({
    text: outputs.length > 0 ? `Done. For your information: ${outputs.join('; ')}.` : 'All done. Is there anything else?',
  });
  turns.push(turn);
  return turns;
}
