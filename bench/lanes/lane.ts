import type { Mode, RequestSpec } from '../types.js';

export type LaneId =
  | 'direct'
  | 'bare-proxy'
  | 'tokenhub-pglite'
  | 'tokenhub-baseline'
  | 'tokenhub-machine'
  | 'tokenhub-postgres'
  | 'portkey'
  | 'tokenhub-anthropic';

/** One way of reaching the fake upstream, measured the same way as every other. */
export interface Lane {
  id: LaneId;
  label: string;
  /** The process whose CPU and memory are charged to the lane (none for Direct). */
  gatewayPid: number | null;
  modes: Mode[];
  /** The request of this lane for a mode, authenticated with `credential`. */
  request(mode: Mode, credential: string): RequestSpec;
  /** TokenHub lanes: where to provision keys and read the ledger. */
  hubOrigin: string | null;
  /** The credential used when no per-run account is provisioned. */
  defaultCredential: string;
  /** The request used for the concurrent-streams memory test, when the lane takes part in it. */
  slowStream: ((credential: string) => RequestSpec) | null;
  /** The process serving `slowStream`, when it is not `gatewayPid` (the bare proxy runs a second one). */
  slowStreamPid?: number;
  /** Lines of the gateway's own log that explain a failure (Portkey). */
  errorLines?: () => Promise<string[]>;
}

const PROMPT = 'Write a short poem about gateways, tokens and the price of a well-kept ledger.';

export function openaiRequest(origin: string, model: string, mode: Mode, headers: Record<string, string>): RequestSpec {
  const body: Record<string, unknown> = {
    model,
    messages: [
      { role: 'system', content: 'You are a benchmark.' },
      { role: 'user', content: PROMPT },
    ],
    max_tokens: 256,
    temperature: 0,
  };
  if (mode === 'stream') {
    body.stream = true;
    body.stream_options = { include_usage: true };
  }
  return { url: `${origin}/v1/chat/completions`, headers, body: JSON.stringify(body) };
}

export function anthropicRequest(origin: string, model: string, mode: Mode, apiKey: string): RequestSpec {
  const body: Record<string, unknown> = {
    model,
    max_tokens: 256,
    system: 'You are a benchmark.',
    messages: [{ role: 'user', content: PROMPT }],
    ...(mode === 'stream' ? { stream: true } : {}),
  };
  return { url: `${origin}/v1/messages`, headers: { 'x-api-key': apiKey, 'anthropic-version': '2023-06-01' }, body: JSON.stringify(body) };
}

export const bearer = (credential: string): Record<string, string> => ({ authorization: `Bearer ${credential}` });
