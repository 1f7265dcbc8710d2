import { describe, expect, it } from 'vitest';
import { httpToolOrigin, toolDefinitionSchema, urlTemplateProblems } from './tool-definitions.js';

const http = (overrides: Record<string, unknown> = {}, request: Record<string, unknown> = {}) => ({
  type: 'http',
  name: 'get_order',
  description: 'Fetches an order',
  parameters: { type: 'object', properties: { id: { type: 'string' }, q: { type: 'string' } }, required: ['id'] },
  request: { method: 'GET', url: 'https://api.example.com/orders/{id}{?q}', ...request },
  ...overrides,
});

/** The paths and messages zod reports, as `path: message`. */
function problems(input: unknown): string[] {
  const parsed = toolDefinitionSchema.safeParse(input);
  return parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

describe('tool definitions', () => {
  it('applies the defaults', () => {
    expect(toolDefinitionSchema.parse({ type: 'builtin', name: 'calculator' })).toEqual({
      type: 'builtin',
      name: 'calculator',
      approval: 'never',
      idempotent: false,
    });
    expect(toolDefinitionSchema.parse(http())).toMatchObject({
      timeout_ms: 10_000,
      max_response_bytes: 1024 * 1024,
      approval: 'never',
      idempotent: false,
    });
    expect(toolDefinitionSchema.parse({ type: 'mcp', name: 'shop', server: { command: 'shop-mcp' }, approval: 'always' })).toMatchObject({
      approval: 'always',
      idempotent: false,
    });
    expect(
      toolDefinitionSchema.parse({ type: 'agent', name: 'ask_billing', agent: 'billing', description: 'Billing questions' }),
    ).toMatchObject({
      type: 'agent',
    });
    expect(toolDefinitionSchema.parse({ type: 'app', name: 'lookup_order' })).toMatchObject({ type: 'app' });
  });

  it('refuses bad names, unknown builtins, unknown fields and out-of-range bounds, naming the field', () => {
    expect(problems(http({ name: 'has space' }))).toEqual(['name: must be 1-64 letters, digits, _ or -']);
    expect(problems(http({ name: 'x'.repeat(65) }))).toHaveLength(1);
    expect(problems({ type: 'builtin', name: 'shell' })[0]).toMatch(/^name: /);
    expect(problems(http({ timeout_ms: 60_001 }))[0]).toMatch(/^timeout_ms: /);
    expect(problems(http({ extra: true }))[0]).toMatch(/extra/);
    expect(problems({ type: 'shell', name: 'x' })[0]).toMatch(/^type: /);
  });

  it('refuses an invalid parameters JSON Schema', () => {
    expect(problems(http({ parameters: { type: 'object', properties: { id: { type: 'strin' } } } }))[0]).toMatch(
      /^parameters: is not a valid JSON Schema/,
    );
    expect(problems(http({ parameters: { type: 'string' } }))).toEqual([
      'parameters: must be a JSON Schema with "type": "object" (tool arguments are an object)',
    ]);
    expect(problems(http({ parameters: { type: 'object', properties: { id: { pattern: '(' } } } }))[0]).toMatch(
      /^parameters: .*regular expression/,
    );
  });

  it('checks the URL template: expressions, literal host, declared variables', () => {
    expect(problems(http({}, { url: 'https://api.example.com/orders/{id' }))[0]).toMatch(
      /^request.url: has an invalid template expression/,
    );
    expect(problems(http({}, { url: 'https://{host}/orders' }))[0]).toMatch(
      /^request.url: must start with http:\/\/ or https:\/\/ and a literal host|host/,
    );
    expect(problems(http({}, { url: 'https://api.example.com{id}' }))[0]).toMatch(/may not fill the host or port/);
    expect(problems(http({}, { url: 'https://api.example.com/{other}' }))).toEqual([
      'request.url: uses {other}, which parameters.properties does not declare',
    ]);
    expect(problems(http({}, { url: 'ftp://api.example.com/x' }))[0]).toMatch(/http:\/\/ or https:\/\//);
    expect(problems(http({}, { url: 'https://user:pw@api.example.com/x' }))[0]).toMatch(/credentials/);
    expect(urlTemplateProblems('https://api.example.com{/id}{?q,limit:3}{&tags*}{#frag}')).toEqual({
      problems: [],
      variables: ['id', 'q', 'limit', 'tags', 'frag'],
    });
    expect(httpToolOrigin({ request: { method: 'GET', url: 'https://API.example.com:8443/x/{id}' } })).toBe('https://api.example.com:8443');
  });

  it('checks secrets: referenced in headers only when listed, reserved headers refused, no body on GET', () => {
    expect(problems(http({ secrets: ['KEY'] }, { headers: { Authorization: 'Bearer {{secret:KEY}}' } }))).toEqual([]);
    expect(problems(http({}, { headers: { Authorization: 'Bearer {{secret:KEY}}' } }))).toEqual([
      'request.headers.Authorization: references secret "KEY", which secrets does not list',
    ]);
    expect(problems(http({}, { headers: { 'Idempotency-Key': 'x' } }))).toEqual([
      'request.headers.Idempotency-Key: is set by the hub and may not be configured',
    ]);
    expect(problems(http({}, { headers: { 'bad header': 'x' } }))).toEqual(['request.headers.bad header: is not a valid header name']);
    expect(problems(http({}, { body: 'arguments' }))).toEqual(['request.body: a GET request has no body']);
    expect(problems(http({}, { method: 'POST', body: 'arguments' }))).toEqual([]);
    expect(
      problems({ type: 'mcp', name: 'm', server: { url: 'https://mcp.example.com/mcp', headers: { 'X-Key': '{{secret:K}}' } } }),
    ).toEqual(['server.headers.X-Key: references secret "K", which secrets does not list']);
    expect(problems({ type: 'mcp', name: 'm', server: { url: 'file:///etc/passwd' } })).toHaveLength(1);
  });
});
