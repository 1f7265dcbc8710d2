// What this key spent, by day, and what is left of every budget it is charged to.
import { TokenHub } from 'tokenhub/sdk';

const hub = new TokenHub();
const { usage, budgets } = await hub.usage({ groupBy: 'day', from: '2025-01-01' });
for (const row of usage) console.log(row.group, row.requests, `$${row.cost_usd}`);
for (const budget of budgets) console.log(budget.scope, budget.period, `$${budget.remaining_usd} of $${budget.limit_usd} left`);
