export type { GatewayCall } from './call.js';
export {
  type AttemptEnd,
  ChatPipeline,
  isReportedUsage,
  observeStream,
  type StartedStream,
  settleAttempt,
  settleFailure,
  settlementBase,
  settleResult,
} from './chat-pipeline.js';
export { OutputCollector } from './output-collector.js';
export { type ForwardedJson, readForwardedJson } from './read-forwarded.js';
