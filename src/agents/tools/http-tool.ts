import { type Dispatcher, request } from 'undici';
import { parseTemplate } from 'url-template';
import type { JsonObject, JsonValue } from '../../core/index.js';
import { type Redactor, secretRedactor } from './secret-redaction.js';
import type { AgentTool, ToolCallContext, ToolOutcome } from './tool.js';
import { type HttpToolDefinition, httpToolOrigin, SECRET_REFERENCE, secretReferences } from './tool-definitions.js';

/** How much of a failed answer's body the model sees. */
export const ERROR_EXCERPT_CHARS = 2000;

/** Looks up one of the tenant's tool secrets by name; undefined when it is not set. */
export type ResolveSecret = (name: string) => Promise<string | undefined>;

export interface HttpToolDeps {
  /**
   * Every connection goes through it: build it with the upstream address policy's guarded connector (as the
   * composition root does for providers), so an argument, a DNS answer or a redirect cannot reach a refused address.
   */
  dispatcher: Dispatcher;
  resolveSecret: ResolveSecret;
}

/** The connector's refusal code (`ERR_UPSTREAM_ADDRESS_REFUSED` of the upstream address policy). */
const ADDRESS_REFUSED = 'ERR_UPSTREAM_ADDRESS_REFUSED';

type UrlValue = string | number | boolean | null | (string | number | boolean | null)[];

const flat = (item: JsonValue): string | number | boolean | null =>
  item !== null && typeof item === 'object' ? JSON.stringify(item) : item;

/** url-template takes primitives, lists of them and one level of maps; anything deeper goes as its JSON text. */
function templateValue(value: JsonValue): UrlValue | Record<string, UrlValue> {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(flat);
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, Array.isArray(item) ? item.map(flat) : flat(item)]));
}

function isDotSegment(value: JsonValue): boolean {
  if (value === '.' || value === '..') return true;
  return Array.isArray(value) && value.some((item) => item === '.' || item === '..');
}

/** An HTTP tool for one run: each call expands the URL template from its arguments and makes one request. */
export function createHttpTool(definition: HttpToolDefinition, deps: HttpToolDeps): AgentTool {
  const template = parseTemplate(definition.request.url);
  const origin = httpToolOrigin(definition);
  const method = definition.request.method;
  let secrets: Promise<Map<string, string>> | undefined;

  const loadSecrets = async (): Promise<Map<string, string>> => {
    const values = new Map<string, string>();
    for (const name of definition.secrets ?? []) {
      const value = await deps.resolveSecret(name);
      if (value === undefined) throw new MissingSecretError(name);
      values.set(name, value);
    }
    return values;
  };

  const buildUrl = (args: JsonObject): string | ToolOutcome => {
    const context: Record<string, UrlValue | Record<string, UrlValue>> = {};
    for (const [key, value] of Object.entries(args)) {
      // A bare "." or ".." in a path segment would be resolved away by the URL parser and climb the path.
      if (isDotSegment(value)) return { type: 'error', message: `argument ${key} may not be "." or ".."` };
      context[key] = templateValue(value);
    }
    const url = template.expand(context);
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return { type: 'error', message: 'the arguments do not make a valid URL' };
    }
    if (parsed.origin !== origin) return { type: 'error', message: 'the arguments may not change the host the tool calls' };
    return url;
  };

  return {
    spec: { name: definition.name, description: definition.description, parameters: definition.parameters as JsonObject },
    approval: definition.approval,
    idempotent: definition.idempotent,
    async invoke(args: JsonObject, context: ToolCallContext): Promise<ToolOutcome> {
      let values: Map<string, string>;
      try {
        secrets ??= loadSecrets();
        values = await secrets;
      } catch (error) {
        secrets = undefined;
        if (error instanceof MissingSecretError)
          return { type: 'error', message: `tool ${definition.name} cannot run: secret "${error.secretName}" is not set` };
        throw error;
      }
      const url = buildUrl(args);
      if (typeof url !== 'string') return url;

      const headers: Record<string, string> = {};
      const sentSecrets: string[] = [...values.values()];
      for (const [name, value] of Object.entries(definition.request.headers ?? {})) {
        const resolved = value.replace(SECRET_REFERENCE, (_match, secret: string) => values.get(secret) ?? '');
        if (secretReferences(value).length > 0) sentSecrets.push(resolved);
        headers[name.toLowerCase()] = resolved;
      }
      headers['idempotency-key'] = context.idempotencyKey;
      let body: string | undefined;
      if (definition.request.body === 'arguments') {
        body = JSON.stringify(args);
        headers['content-type'] ??= 'application/json';
      }
      const redact = secretRedactor(sentSecrets);
      return send({ url, method, headers, body, definition, context, dispatcher: deps.dispatcher, redact });
    },
  };
}

class MissingSecretError extends Error {
  readonly secretName: string;
  constructor(name: string) {
    super(`secret ${name} is not set`);
    this.secretName = name;
  }
}

interface Call {
  url: string;
  method: Dispatcher.HttpMethod;
  headers: Record<string, string>;
  body: string | undefined;
  definition: HttpToolDefinition;
  context: ToolCallContext;
  dispatcher: Dispatcher;
  redact: Redactor;
}

async function send(call: Call): Promise<ToolOutcome> {
  const { definition, redact } = call;
  const deadline = AbortSignal.timeout(definition.timeout_ms);
  const signal = AbortSignal.any([call.context.signal, deadline]);
  const limit = definition.max_response_bytes;
  try {
    const response = await request(call.url, {
      method: call.method,
      headers: call.headers,
      body: call.body,
      dispatcher: call.dispatcher,
      signal,
    });
    const declared = Number(response.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      response.body.destroy();
      return tooLarge(limit);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) {
        response.body.destroy();
        return tooLarge(limit);
      }
      chunks.push(chunk);
    }
    const text = redact(Buffer.concat(chunks).toString('utf8'));
    const status = response.statusCode;
    if (status >= 200 && status < 300) return { type: 'result', content: text === '' ? `HTTP ${status} (empty response)` : text };
    const excerpt = text.length > ERROR_EXCERPT_CHARS ? `${text.slice(0, ERROR_EXCERPT_CHARS)}…` : text;
    return { type: 'error', message: excerpt === '' ? `HTTP ${status}` : `HTTP ${status}: ${excerpt}` };
  } catch (error) {
    if (deadline.aborted) return { type: 'error', message: `the request timed out after ${definition.timeout_ms} ms` };
    if (call.context.signal.aborted) return { type: 'error', message: 'the call was cancelled' };
    if (addressRefusalOf(error) !== undefined) {
      return { type: 'error', message: `the hub may not connect to ${new URL(call.url).hostname} (upstream address policy)` };
    }
    return { type: 'error', message: redact(`the request failed: ${describeFailure(error)}`) };
  }
}

function tooLarge(limit: number): ToolOutcome {
  return { type: 'error', message: `the response is larger than the tool's max_response_bytes (${limit} bytes)` };
}

/** The upstream address policy's refusal along the cause chain (undici wraps connector errors), if that is what failed. */
export function addressRefusalOf(error: unknown): Error | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    if ((current as NodeJS.ErrnoException).code === ADDRESS_REFUSED) return current;
  }
  return undefined;
}

function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as NodeJS.ErrnoException).code;
  const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
  return `${code ? `${code}: ` : ''}${error.message}${cause}`.slice(0, 500);
}
