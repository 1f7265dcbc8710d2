import { z } from 'zod';
import { jsonSchemaProblem } from './argument-validation.js';

/** How tools are written in an agent definition: one entry per tool (or, for `mcp`, per server). */

export const TOOL_NAME_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;
export const SECRET_NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
/** `{{secret:NAME}}` in a header value (or an MCP server's header or environment value). */
export const SECRET_REFERENCE = /\{\{secret:([^}]*)\}\}/g;

export const BUILTIN_TOOL_NAMES = ['calculator', 'current_time', 'transfer_to_human'] as const;
export type BuiltinToolName = (typeof BUILTIN_TOOL_NAMES)[number];

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export const DEFAULT_HTTP_TIMEOUT_MS = 10_000;
export const MAX_HTTP_TIMEOUT_MS = 60_000;
export const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;
export const MAX_RESPONSE_BYTES_LIMIT = 16 * 1024 * 1024;

/** Headers the hub sets itself (Idempotency-Key) or that describe the connection, not the request. */
const RESERVED_HEADERS = new Set([
  'idempotency-key',
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
  'upgrade',
  'te',
  'trailer',
]);
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

const toolName = z.string().regex(TOOL_NAME_PATTERN, 'must be 1-64 letters, digits, _ or -');
const secretName = z.string().regex(SECRET_NAME_PATTERN, 'must be 1-64 letters, digits, _ or -');

const jsonSchema = z.record(z.string(), z.unknown()).superRefine((schema, ctx) => {
  const problem = jsonSchemaProblem(schema);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
});

const common = {
  approval: z.enum(['never', 'always']).default('never'),
  idempotent: z.boolean().default(false),
};

const headerValues = z.record(z.string(), z.string()).superRefine((headers, ctx) => {
  for (const name of Object.keys(headers)) {
    if (!HEADER_NAME.test(name)) ctx.addIssue({ code: 'custom', path: [name], message: 'is not a valid header name' });
    else if (RESERVED_HEADERS.has(name.toLowerCase())) {
      ctx.addIssue({ code: 'custom', path: [name], message: 'is set by the hub and may not be configured' });
    }
  }
});

export const builtinToolSchema = z.strictObject({
  type: z.literal('builtin'),
  name: z.enum(BUILTIN_TOOL_NAMES),
  ...common,
});

export const httpToolSchema = z
  .strictObject({
    type: z.literal('http'),
    name: toolName,
    description: z.string().min(1).max(4096),
    parameters: jsonSchema,
    request: z.strictObject({
      method: z.enum(HTTP_METHODS),
      /** An RFC 6570 URI template; its variables are filled from the call's arguments, escaped as the operator says. */
      url: z.string().min(1).max(4096),
      headers: headerValues.optional(),
      /** `arguments`: the call's arguments as a JSON body. */
      body: z.literal('arguments').optional(),
    }),
    secrets: z.array(secretName).max(32).optional(),
    timeout_ms: z.number().int().positive().max(MAX_HTTP_TIMEOUT_MS).default(DEFAULT_HTTP_TIMEOUT_MS),
    max_response_bytes: z.number().int().positive().max(MAX_RESPONSE_BYTES_LIMIT).default(DEFAULT_MAX_RESPONSE_BYTES),
    ...common,
  })
  .superRefine((tool, ctx) => {
    const template = urlTemplateProblems(tool.request.url);
    for (const message of template.problems) ctx.addIssue({ code: 'custom', path: ['request', 'url'], message });
    const declared = declaredProperties(tool.parameters);
    if (declared !== undefined) {
      for (const variable of template.variables) {
        if (!declared.has(variable)) {
          ctx.addIssue({
            code: 'custom',
            path: ['request', 'url'],
            message: `uses {${variable}}, which parameters.properties does not declare`,
          });
        }
      }
    }
    if (tool.request.body === 'arguments' && tool.request.method === 'GET') {
      ctx.addIssue({ code: 'custom', path: ['request', 'body'], message: 'a GET request has no body' });
    }
    checkSecretReferences(tool.request.headers ?? {}, tool.secrets ?? [], ['request', 'headers'], ctx);
  });

const mcpHttpServer = z.strictObject({
  url: z.url({ protocol: /^https?$/ }),
  headers: headerValues.optional(),
});

const mcpStdioServer = z.strictObject({
  command: z.string().min(1),
  args: z.array(z.string()).optional(),
  env: z.record(z.string(), z.string()).optional(),
});

export const mcpToolSchema = z
  .strictObject({
    type: z.literal('mcp'),
    /** Prefixes the server's tools: `<name>__<tool>`. */
    name: toolName,
    server: z.union([mcpHttpServer, mcpStdioServer]),
    /** Names as the server lists them, without the prefix. */
    include: z.array(z.string().min(1)).optional(),
    exclude: z.array(z.string().min(1)).optional(),
    secrets: z.array(secretName).max(32).optional(),
    ...common,
  })
  .superRefine((tool, ctx) => {
    const secrets = tool.secrets ?? [];
    if ('url' in tool.server) {
      checkSecretReferences(tool.server.headers ?? {}, secrets, ['server', 'headers'], ctx);
    } else {
      checkSecretReferences(tool.server.env ?? {}, secrets, ['server', 'env'], ctx);
    }
  });

/** Another agent of the tenant, called as a tool; the run loop resolves it (a child run). */
export const agentToolSchema = z.strictObject({
  type: z.literal('agent'),
  name: toolName,
  agent: z.string().min(1),
  description: z.string().min(1).max(4096),
  ...common,
});

/** A tool an installed app registered in-process; the run loop resolves it from the app registry. */
export const appToolSchema = z.strictObject({
  type: z.literal('app'),
  name: toolName,
  ...common,
});

/**
 * A sandbox for the run (docs/sandboxes.md): `run_code`, `read_file` and `write_file` on the run's own sandbox,
 * made on first use and ended with the run unless `keep`. A `name` other than `sandbox` prefixes the three tools.
 */
export const sandboxToolSchema = z.strictObject({
  type: z.literal('sandbox'),
  name: toolName.default('sandbox'),
  languages: z
    .array(z.enum(['javascript', 'python']))
    .min(1)
    .default(['javascript', 'python']),
  /** Starts the sandbox with a kept workspace's files. */
  workspace: z.string().min(1).max(64).optional(),
  /** The sandbox outlives the run (until its idle timeout, or deleted through the API). */
  keep: z.boolean().default(false),
  network: z.boolean().default(false),
  timeout_s: z.number().int().positive().optional(),
  limits: z
    .strictObject({
      cpu_ms: z.number().int().positive(),
      memory_mb: z.number().int().positive(),
      output_bytes: z.number().int().positive(),
      storage_bytes: z.number().int().positive(),
      max_files: z.number().int().positive(),
    })
    .partial()
    .optional(),
  ...common,
});

export const toolDefinitionSchema = z.discriminatedUnion('type', [
  builtinToolSchema,
  httpToolSchema,
  mcpToolSchema,
  agentToolSchema,
  appToolSchema,
  sandboxToolSchema,
]);

export type BuiltinToolDefinition = z.output<typeof builtinToolSchema>;
export type HttpToolDefinition = z.output<typeof httpToolSchema>;
export type McpToolDefinition = z.output<typeof mcpToolSchema>;
export type AgentToolDefinition = z.output<typeof agentToolSchema>;
export type AppToolDefinition = z.output<typeof appToolSchema>;
export type SandboxToolDefinition = z.output<typeof sandboxToolSchema>;
export type ToolDefinition = z.output<typeof toolDefinitionSchema>;
/** As written (defaults not yet applied). */
export type ToolDefinitionInput = z.input<typeof toolDefinitionSchema>;

/** The secret names a value references, in order of first appearance. */
export function secretReferences(value: string): string[] {
  const names = new Set<string>();
  for (const match of value.matchAll(SECRET_REFERENCE)) names.add(match[1] ?? '');
  return [...names];
}

function checkSecretReferences(values: Record<string, string>, declared: readonly string[], path: string[], ctx: z.RefinementCtx): void {
  const allowed = new Set(declared);
  for (const [key, value] of Object.entries(values)) {
    for (const name of secretReferences(value)) {
      if (!allowed.has(name)) {
        ctx.addIssue({ code: 'custom', path: [...path, key], message: `references secret "${name}", which secrets does not list` });
      }
    }
  }
}

function declaredProperties(schema: Record<string, unknown>): Set<string> | undefined {
  const properties = schema.properties;
  if (typeof properties !== 'object' || properties === null || Array.isArray(properties)) return undefined;
  return new Set(Object.keys(properties));
}

// RFC 6570 level 4: an optional operator, then comma-separated varspecs with a prefix (:N) or explode (*) modifier.
const VARNAME = '(?:[A-Za-z0-9_]|%[0-9A-Fa-f]{2})+(?:\\.(?:[A-Za-z0-9_]|%[0-9A-Fa-f]{2})+)*';
const VARSPEC = `${VARNAME}(?::[1-9][0-9]{0,3}|\\*)?`;
const EXPRESSION = new RegExp(`^\\{([+#./;?&]?)(${VARSPEC}(?:,${VARSPEC})*)\\}`);
/** After the authority, an expression may only continue the URL with a path, query or fragment. */
const AFTER_AUTHORITY_OPERATORS = new Set(['/', '?', '&', '#']);

/**
 * Checks an HTTP tool's URL template: well-formed RFC 6570 expressions, an absolute http(s) URL with a literal
 * scheme and host (an argument may fill the path, query or fragment, never pick the host), no credentials.
 */
export function urlTemplateProblems(template: string): { problems: string[]; variables: string[] } {
  const problems: string[] = [];
  const variables = new Set<string>();
  let at = 0;
  while (at < template.length) {
    const char = template[at];
    if (char === '}') {
      problems.push(`has an unmatched "}" at position ${at}`);
      break;
    }
    if (char !== '{') {
      at++;
      continue;
    }
    const match = EXPRESSION.exec(template.slice(at));
    if (match === null) {
      problems.push(`has an invalid template expression at position ${at} (e.g. {id}, {/segments*}, {?query,limit})`);
      break;
    }
    for (const spec of (match[2] ?? '').split(',')) variables.add(spec.replace(/(:\d+|\*)$/, ''));
    at += match[0].length;
  }

  const authority = /^(https?):\/\/([^/?#{]*)/i.exec(template);
  if (authority === null) {
    problems.push('must start with http:// or https:// and a literal host');
    return { problems, variables: [...variables] };
  }
  const rest = template.slice(authority[0].length);
  if (rest.startsWith('{') && !AFTER_AUTHORITY_OPERATORS.has(rest[1] ?? '')) {
    problems.push('may not fill the host or port from arguments (use {/path}, {?query} or a literal path)');
  }
  try {
    const origin = new URL(`${authority[1]}://${authority[2]}`);
    if (origin.username !== '' || origin.password !== '')
      problems.push('must not contain credentials (put them in a header with a secret)');
    if (origin.hostname === '') problems.push('has no host');
  } catch {
    problems.push('does not start with a valid URL');
  }
  return { problems, variables: [...variables] };
}

/** The fixed origin (`https://api.example.com`) an HTTP tool calls, for the upstream URL policy check at definition time. */
export function httpToolOrigin(definition: Pick<HttpToolDefinition, 'request'>): string {
  const authority = /^(https?):\/\/([^/?#{]*)/i.exec(definition.request.url);
  if (authority === null) throw new TypeError('HTTP tool URL has no literal origin');
  return new URL(`${authority[1]}://${authority[2]}`).origin;
}
