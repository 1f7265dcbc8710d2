// Refusals are typed: each class carries the hub's status, code, param and request id.
import { BudgetExceededError, NotFoundError, RateLimitError, TokenHub, TokenHubError } from 'tokenhub/sdk';

const hub = new TokenHub({ maxRetries: 3 });
try {
  await hub.agents.run('support', 'Hello');
} catch (error) {
  if (error instanceof NotFoundError) console.log('no such agent:', error.code);
  else if (error instanceof BudgetExceededError) console.log('out of budget:', error.message);
  else if (error instanceof RateLimitError) console.log(`rate limited, retry in ${error.retryAfterMs} ms`);
  else if (error instanceof TokenHubError) console.log(error.status, error.code, error.requestId);
  else throw error;
}
