import { HubError, type SecretBox, sealedKeyId } from '../core/index.js';
import { type Database, resealAllToolSecrets, type ToolSecretRecord, ToolSecretsRepository } from '../storage/index.js';
import { SECRET_NAME_PATTERN } from './tools/tool-definitions.js';

/** Values past this are no credential: a header cannot carry them anyway. */
export const MAX_TOOL_SECRET_BYTES = 16 * 1024;

/** What is ever shown of a tool secret: its name and dates, never its value. */
export interface ToolSecretInfo {
  name: string;
  createdAt: Date;
  updatedAt: Date;
}

const info = (record: ToolSecretRecord): ToolSecretInfo => ({
  name: record.name,
  createdAt: record.createdAt,
  updatedAt: record.updatedAt,
});

/** Binds a sealed value to its tenant and name, so a value copied onto another row does not open there. */
export function toolSecretContext(tenantId: string, name: string): string {
  return `tool-secret:${tenantId}:${name}`;
}

/**
 * One tenant's named secrets for its tools: set (create or replace), list names, delete, and resolve for a run.
 * Values are sealed with the hub's secret box before they are stored and are never returned after creation.
 */
export class ToolSecrets {
  private readonly repository: ToolSecretsRepository;
  private readonly box: SecretBox;
  readonly tenantId: string;

  constructor(db: Database, box: SecretBox, tenantId: string) {
    this.repository = new ToolSecretsRepository(db, tenantId);
    this.box = box;
    this.tenantId = tenantId;
  }

  /** Throws HubError('INVALID_REQUEST') naming the field for a bad name or value. */
  async set(name: string, value: string): Promise<ToolSecretInfo> {
    checkName(name);
    if (typeof value !== 'string' || value === '')
      throw new HubError('INVALID_REQUEST', 'value must be a non-empty string', { param: 'value' });
    if (Buffer.byteLength(value, 'utf8') > MAX_TOOL_SECRET_BYTES) {
      throw new HubError('INVALID_REQUEST', `value must be at most ${MAX_TOOL_SECRET_BYTES} bytes`, { param: 'value' });
    }
    const sealed = this.box.seal(value, toolSecretContext(this.tenantId, name));
    return info(await this.repository.put(name, sealed));
  }

  async list(): Promise<ToolSecretInfo[]> {
    return (await this.repository.list()).map(info);
  }

  async delete(name: string): Promise<boolean> {
    checkName(name);
    return this.repository.delete(name);
  }

  /** The plaintext for a tool call; undefined when the tenant has no secret of that name. */
  async resolve(name: string): Promise<string | undefined> {
    if (!SECRET_NAME_PATTERN.test(name)) return undefined;
    const record = await this.repository.get(name);
    return record === undefined ? undefined : this.box.open(record.sealedValue, toolSecretContext(this.tenantId, name));
  }
}

function checkName(name: string): void {
  if (typeof name !== 'string' || !SECRET_NAME_PATTERN.test(name)) {
    throw new HubError('INVALID_REQUEST', 'name must be 1-64 letters, digits, _ or -', { param: 'name' });
  }
}

/**
 * Re-seals every tenant's tool secrets under the box's current key (secret rotation, after the providers');
 * refuses, changing nothing, when one does not open. Returns how many were re-sealed.
 */
export async function resealToolSecrets(db: Database, box: SecretBox): Promise<number> {
  return resealAllToolSecrets(db, ({ tenantId, name, sealedValue }) => {
    if (sealedKeyId(sealedValue) === box.keyId) return sealedValue;
    const context = toolSecretContext(tenantId, name);
    try {
      return box.seal(box.open(sealedValue, context), context);
    } catch (error) {
      throw new HubError('CONFLICT', `Tool secret ${name} of tenant ${tenantId} cannot be re-sealed: ${(error as Error).message}.`, {
        code: 'secret_unreadable',
      });
    }
  });
}
