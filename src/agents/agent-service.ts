import type { z } from 'zod';
import { type Clock, HubError, systemClock } from '../core/index.js';
import { AgentsRepository, type AgentVersionRecord, type Database } from '../storage/index.js';
import { type AgentDefinition, agentDefinitionSchema } from './definition.js';
import { checkDefinition } from './definition-problems.js';
import type { AppToolRegistry } from './tools/app-tools.js';

/** An agent as the API shows it. */
export interface AgentView {
  name: string;
  /** `config`: from the config file, read-only, offered to every tenant. */
  source: 'config' | 'api';
  activeVersion: number;
  latestVersion: number;
  definition: AgentDefinition;
  createdAt: Date | null;
  updatedAt: Date | null;
}

/** What a run is made from: the definition of one version. */
export interface ResolvedAgent {
  name: string;
  version: number;
  source: 'config' | 'api';
  definition: AgentDefinition;
}

export interface AgentServiceDeps {
  db: Database;
  /** Agents of the config file (already parsed). */
  configAgents?: readonly AgentDefinition[];
  modelExists(name: string): boolean;
  urlProblem(url: string): Promise<string | undefined>;
  /** Tools installed apps registered (an `app` tool must name one). */
  appTools?: AppToolRegistry;
  clock?: Clock;
}

/** Parses with zod; the first issue becomes a 400 naming the field. */
export function parseDefinition<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const param = issue?.path.map(String).join('.') || undefined;
  throw new HubError('INVALID_REQUEST', param ? `Invalid ${param}: ${issue?.message}` : `Invalid agent: ${issue?.message}`, {
    ...(param ? { param } : {}),
  });
}

const notFound = (name: string): HubError => new HubError('NOT_FOUND', `No agent named \`${name}\`.`, { code: 'agent_not_found' });

/**
 * Agents per tenant, over one service whatever defines them: the config file (read-only, every tenant),
 * the admin API and the tenant's own API. Every change is a new immutable version; an agent serves its
 * active version and can be rolled back to any earlier one.
 */
export class AgentService {
  private readonly deps: AgentServiceDeps;
  private readonly config: ReadonlyMap<string, AgentDefinition>;
  private readonly clock: Clock;

  constructor(deps: AgentServiceDeps) {
    this.deps = deps;
    this.config = new Map((deps.configAgents ?? []).map((definition) => [definition.name, definition]));
    this.clock = deps.clock ?? systemClock;
  }

  async list(tenantId: string): Promise<AgentView[]> {
    const repository = new AgentsRepository(this.deps.db, tenantId);
    const [agents, active] = await Promise.all([repository.list(), repository.activeDefinitions()]);
    const definitions = new Map(active.map((version) => [version.name, version.definition]));
    const stored = agents.map((agent) => ({
      name: agent.name,
      source: 'api' as const,
      activeVersion: agent.activeVersion,
      latestVersion: agent.latestVersion,
      definition: definitions.get(agent.name) as AgentDefinition,
      createdAt: agent.createdAt,
      updatedAt: agent.updatedAt,
    }));
    return [...[...this.config.values()].map(configView), ...stored].sort((a, b) => a.name.localeCompare(b.name));
  }

  async get(tenantId: string, name: string): Promise<AgentView> {
    const configured = this.config.get(name);
    if (configured) return configView(configured);
    const repository = new AgentsRepository(this.deps.db, tenantId);
    const agent = await repository.get(name);
    if (!agent) throw notFound(name);
    const version = await repository.version(name, agent.activeVersion);
    return {
      name,
      source: 'api',
      activeVersion: agent.activeVersion,
      latestVersion: agent.latestVersion,
      definition: version?.definition as AgentDefinition,
      createdAt: agent.createdAt,
      updatedAt: agent.updatedAt,
    };
  }

  /** The definition a run of `name` is made from: its active version, or the one given. */
  async resolve(tenantId: string, name: string, version?: number): Promise<ResolvedAgent> {
    const configured = this.config.get(name);
    if (configured) return { name, version: 1, source: 'config', definition: configured };
    const repository = new AgentsRepository(this.deps.db, tenantId);
    const agent = await repository.get(name);
    if (!agent) throw notFound(name);
    const record = await repository.version(name, version ?? agent.activeVersion);
    if (!record) throw new HubError('NOT_FOUND', `Agent \`${name}\` has no version ${version}.`, { code: 'agent_version_not_found' });
    return { name, version: record.version, source: 'api', definition: record.definition as AgentDefinition };
  }

  async create(tenantId: string, input: unknown): Promise<AgentView> {
    const definition = await this.validated(tenantId, input);
    if (this.config.has(definition.name)) throw configured(definition.name);
    const created = await new AgentsRepository(this.deps.db, tenantId).putVersion(definition.name, definition, this.now(), true);
    if (!created)
      throw new HubError('CONFLICT', `An agent named \`${definition.name}\` already exists.`, { code: 'agent_exists', param: 'name' });
    return this.get(tenantId, definition.name);
  }

  /** Makes a new version from a whole definition and serves it. */
  async update(tenantId: string, name: string, input: unknown): Promise<AgentView> {
    if (this.config.has(name)) throw configured(name);
    const repository = new AgentsRepository(this.deps.db, tenantId);
    if (!(await repository.get(name))) throw notFound(name);
    const body = typeof input === 'object' && input !== null ? { ...(input as Record<string, unknown>) } : input;
    if (typeof body === 'object' && body !== null) {
      const given = (body as Record<string, unknown>).name;
      if (given !== undefined && given !== name) {
        throw new HubError('INVALID_REQUEST', 'Invalid name: an agent cannot be renamed; create a new one.', { param: 'name' });
      }
      (body as Record<string, unknown>).name = name;
    }
    const definition = await this.validated(tenantId, body);
    await repository.putVersion(name, definition, this.now(), false);
    return this.get(tenantId, name);
  }

  async versions(tenantId: string, name: string): Promise<AgentVersionRecord[]> {
    if (this.config.has(name)) {
      return [{ tenantId, name, version: 1, definition: this.config.get(name) as never, createdAt: new Date(0) }];
    }
    const repository = new AgentsRepository(this.deps.db, tenantId);
    if (!(await repository.get(name))) throw notFound(name);
    return repository.versions(name);
  }

  async activate(tenantId: string, name: string, version: number): Promise<AgentView> {
    if (this.config.has(name)) throw configured(name);
    const repository = new AgentsRepository(this.deps.db, tenantId);
    if (!(await repository.get(name))) throw notFound(name);
    if (!(await repository.activate(name, version, this.now()))) {
      throw new HubError('INVALID_REQUEST', `Invalid version: agent \`${name}\` has no version ${version}.`, { param: 'version' });
    }
    return this.get(tenantId, name);
  }

  async delete(tenantId: string, name: string): Promise<void> {
    if (this.config.has(name)) throw configured(name);
    if (!(await new AgentsRepository(this.deps.db, tenantId).delete(name))) throw notFound(name);
  }

  private async validated(tenantId: string, input: unknown): Promise<AgentDefinition> {
    const definition = parseDefinition(agentDefinitionSchema, input);
    const others = new Map(this.config);
    for (const version of await new AgentsRepository(this.deps.db, tenantId).activeDefinitions()) {
      if (version.name !== definition.name) others.set(version.name, version.definition as AgentDefinition);
    }
    others.delete(definition.name);
    await checkDefinition(definition, {
      modelExists: this.deps.modelExists,
      urlProblem: this.deps.urlProblem,
      appToolExists: (name) => this.deps.appTools?.has(name) ?? false,
      others,
    });
    return definition;
  }

  private now(): Date {
    return new Date(this.clock.now());
  }
}

const configured = (name: string): HubError =>
  new HubError('CONFLICT', `Agent \`${name}\` is defined in the config file and is read-only here.`, { code: 'agent_read_only' });

const configView = (definition: AgentDefinition): AgentView => ({
  name: definition.name,
  source: 'config',
  activeVersion: 1,
  latestVersion: 1,
  definition,
  createdAt: null,
  updatedAt: null,
});
