/** Helpers of the workflow definition tests: a hub with a scripted model and an agent, and calls that send JSON or YAML. */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createKey, createTenant } from './economy.js';
import { startTestHub, type TestHub } from './hub.js';

export type Json = Record<string, unknown>;

export interface Answer {
  status: number;
  body: Json;
  headers: Headers;
}

/** The documents of older apiVersions that must keep loading. */
export const OLD_DOCUMENTS_DIR = join(import.meta.dirname, '..', '..', 'src', 'workflows', '__fixtures__', 'old-documents');

export async function oldDocuments(): Promise<{ file: string; text: string }[]> {
  const files = (await readdir(OLD_DOCUMENTS_DIR)).filter((file) => /\.(ya?ml|json)$/.test(file)).sort();
  return Promise.all(files.map(async (file) => ({ file, text: await readFile(join(OLD_DOCUMENTS_DIR, file), 'utf8') })));
}

/** A call with `key` as the bearer (none when null): an object body as JSON, a string body as YAML (`contentType` to say otherwise). */
export async function call(
  hub: TestHub,
  method: string,
  path: string,
  key: string | null,
  body?: unknown,
  contentType?: string,
): Promise<Answer> {
  const text = typeof body === 'string';
  const response = await fetch(`${hub.url}${path}`, {
    method,
    headers: {
      ...(key ? { authorization: `Bearer ${key}` } : {}),
      ...(body === undefined ? {} : { 'content-type': contentType ?? (text ? 'application/yaml' : 'application/json') }),
    },
    ...(body === undefined ? {} : { body: text ? body : JSON.stringify(body) }),
  });
  const answer = await response.text();
  let parsed: Json = {};
  if (answer) {
    try {
      parsed = JSON.parse(answer) as Json;
    } catch {
      parsed = { text: answer };
    }
  }
  return { status: response.status, body: parsed, headers: response.headers };
}

export const errorOf = (answer: Answer): Json => (answer.body.error as Json | undefined) ?? {};

export interface WorkflowHub {
  hub: TestHub;
  /** A tenant with the agent `triage`, and its key with `agents:write` and `agents:run`. */
  tenantId: string;
  key: string;
  /** Another tenant, with its own writer key. */
  otherTenantId: string;
  otherKey: string;
}

/** A hub with the `scripted` model, and two tenants: the first has the agent `triage`. */
export async function startWorkflowHub(): Promise<WorkflowHub> {
  const hub = await startTestHub({
    providers: [{ id: 'script', type: 'scripted' }],
    models: [{ name: 'scripted', targets: [{ provider: 'script', model: 'scripted' }] }],
  });
  const tenantId = (await createTenant(hub, 'workflows-a')).id;
  const key = (await createKey(hub, { tenant_id: tenantId, scopes: ['agents:write', 'agents:run'] })).key;
  const otherTenantId = (await createTenant(hub, 'workflows-b')).id;
  const otherKey = (await createKey(hub, { tenant_id: otherTenantId, scopes: ['agents:write', 'agents:run'] })).key;
  const agent = await call(hub, 'POST', '/v1/agents', key, { name: 'triage', model: 'scripted', instructions: 'You triage.' });
  if (agent.status !== 201) throw new Error(`agent: ${agent.status} ${JSON.stringify(agent.body)}`);
  return { hub, tenantId, key, otherTenantId, otherKey };
}
