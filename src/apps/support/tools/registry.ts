import type { StoreAccess } from '../store/store-access.js';
import { calculate } from './calculate.js';
import { exchangeDeliveredOrderItems, returnDeliveredOrderItems } from './delivered-orders.js';
import { transferToHumanAgents } from './handoff.js';
import {
  findUserIdByEmail,
  findUserIdByNameZip,
  getItemDetails,
  getOrderDetails,
  getProductDetails,
  getUserDetails,
  listAllProductTypes,
} from './lookups.js';
import { cancelPendingOrder, modifyPendingOrderAddress, modifyPendingOrderItems, modifyPendingOrderPayment } from './pending-orders.js';
import type { SupportTool, ToolEffects, ToolOutcome } from './tool.js';
import { modifyUserAddress } from './user-writes.js';

/** τ²'s retail tools, in the order of its toolkit. */
export const SUPPORT_TOOLS: readonly SupportTool[] = [
  calculate,
  cancelPendingOrder,
  exchangeDeliveredOrderItems,
  findUserIdByNameZip,
  findUserIdByEmail,
  getOrderDetails,
  getProductDetails,
  getItemDetails,
  getUserDetails,
  listAllProductTypes,
  modifyPendingOrderAddress,
  modifyPendingOrderItems,
  modifyPendingOrderPayment,
  modifyUserAddress,
  returnDeliveredOrderItems,
  transferToHumanAgents,
];

const BY_NAME = new Map(SUPPORT_TOOLS.map((tool) => [tool.name, tool]));

export function supportTool(name: string): SupportTool | undefined {
  return BY_NAME.get(name);
}

/** Runs a τ² tool with no policy in front: what replaying a task's expected actions does. */
export async function runRawTool(name: string, args: unknown, store: StoreAccess, effects: ToolEffects = {}): Promise<ToolOutcome> {
  const tool = BY_NAME.get(name);
  if (!tool) return { ok: false, error: `Error: Tool '${name}' not found.` };
  return tool.run(store, args, effects);
}
