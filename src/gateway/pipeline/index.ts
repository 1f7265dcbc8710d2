export type { GatewayCall } from './call.js';
export { ChatPipeline, observeStream, type StartedStream, settleFailure, settlementBase, settleResult } from './chat-pipeline.js';
export { OutputCollector } from './output-collector.js';
export { readForwardedJson } from './read-forwarded.js';
