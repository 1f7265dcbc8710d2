import { type Dispatcher, request } from 'undici';

/** How much of a receiver's answer is read (and kept in the delivery log when the attempt failed). */
export const DEFAULT_MAX_RESPONSE_BYTES = 4 * 1024;

export interface WebhookPost {
  url: string;
  body: string;
  headers: Record<string, string>;
  /** Built with the upstream address policy's guarded connector: a DNS answer cannot reach a refused address. */
  dispatcher: Dispatcher;
  timeoutMs: number;
  maxResponseBytes: number;
}

/** What one POST came to: the receiver's status and the start of its body, or why no answer came. */
export type WebhookPostOutcome = { statusCode: number; excerpt: string } | { statusCode: null; error: string };

/** The connector's refusal code (`ERR_UPSTREAM_ADDRESS_REFUSED` of the upstream address policy). */
const ADDRESS_REFUSED = 'ERR_UPSTREAM_ADDRESS_REFUSED';

/** One POST; never throws. Redirects are not followed (undici's `request` has no redirect interceptor here). */
export async function postWebhook(post: WebhookPost): Promise<WebhookPostOutcome> {
  const signal = AbortSignal.timeout(post.timeoutMs);
  try {
    const response = await request(post.url, {
      method: 'POST',
      headers: post.headers,
      body: post.body,
      dispatcher: post.dispatcher,
      signal,
    });
    const excerpt = await readCapped(response.body, post.maxResponseBytes);
    const location = response.headers.location;
    if (response.statusCode >= 300 && response.statusCode < 400 && location !== undefined) {
      const target = Array.isArray(location) ? location[0] : location;
      return { statusCode: response.statusCode, excerpt: `redirects are not followed (Location: ${String(target).slice(0, 500)})` };
    }
    return { statusCode: response.statusCode, excerpt };
  } catch (error) {
    if (signal.aborted) return { statusCode: null, error: `timed out after ${post.timeoutMs} ms` };
    if (isAddressRefusal(error)) {
      return { statusCode: null, error: `the hub may not connect to ${new URL(post.url).hostname} (upstream address policy)` };
    }
    return { statusCode: null, error: `the request failed: ${describeFailure(error)}` };
  }
}

/** Reads up to `limit` bytes and drops the rest (the connection with it, when the body is longer). */
async function readCapped(body: Dispatcher.ResponseData['body'], limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    const room = limit - size;
    chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
    size += Math.min(chunk.length, room);
    if (size >= limit) {
      body.destroy();
      break;
    }
  }
  return storable(Buffer.concat(chunks).toString('utf8'));
}

/** PostgreSQL text holds no NUL; a cut multi-byte character decodes as U+FFFD, which it does hold. */
export function storable(text: string): string {
  return text.replaceAll('\u0000', '');
}

function isAddressRefusal(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    if ((current as NodeJS.ErrnoException).code === ADDRESS_REFUSED) return true;
  }
  return false;
}

function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as NodeJS.ErrnoException).code;
  const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
  return storable(`${code ? `${code}: ` : ''}${error.message}${cause}`.slice(0, 500));
}
