import { type Clock, HubError, systemClock } from '../core/index.js';
import { type Database, type JsonRecord, WorkflowsRepository, type WorkflowVersionRecord } from '../storage/index.js';
import { canonicalJson } from './canonical-json.js';
import type { WorkflowDocument } from './document.js';
import { loadWorkflowDocument } from './load.js';
import { validateWorkflow, type WorkflowCatalogue } from './validate.js';

/** A workflow as the API shows it: its active version's document. */
export interface WorkflowView {
  name: string;
  activeVersion: number;
  latestVersion: number;
  document: WorkflowDocument;
  createdAt: Date;
  updatedAt: Date;
}

/** One version of a workflow, and whether it is the one served. */
export interface WorkflowVersionView {
  name: string;
  version: number;
  active: boolean;
  document: WorkflowDocument;
  createdAt: Date;
}

/** What a run is made from: the document of one version. */
export interface ResolvedWorkflow {
  name: string;
  version: number;
  document: WorkflowDocument;
}

/** `created`: a new workflow at version 1; `updated`: a new version, now active; `unchanged`: the active version is this document. */
export type ApplyResult = 'created' | 'updated' | 'unchanged';

export interface AppliedWorkflow {
  result: ApplyResult;
  /** The version the document is stored as. */
  version: number;
  workflow: WorkflowView;
}

export interface WorkflowServiceDeps {
  db: Database;
  /** What a tenant's workflows may name (agents, models, app tools, other workflows), checked when one is saved. */
  catalogue(tenantId: string): WorkflowCatalogue;
  clock?: Clock;
}

/** Names that are paths of the API rather than workflows (`GET /v1/workflows/schema`). */
const RESERVED_NAMES = new Set(['schema']);

const notFound = (name: string): HubError => new HubError('NOT_FOUND', `No workflow named \`${name}\`.`, { code: 'workflow_not_found' });

/** Documents are loaded (migrated, defaults applied) before they are stored, so a stored one is in the current shape. */
const documentOf = (record: WorkflowVersionRecord): WorkflowDocument => record.document as unknown as WorkflowDocument;

/**
 * A tenant's workflows: every saved document is loaded (older `apiVersion`s migrated) and validated against
 * the tenant's agents, models, tools and workflows; every change is a new immutable version that becomes
 * active. Importing a document whose name exists is an update ("test → production by import"); importing
 * the active version's document again changes nothing.
 */
export class WorkflowService {
  private readonly deps: WorkflowServiceDeps;
  private readonly clock: Clock;

  constructor(deps: WorkflowServiceDeps) {
    this.deps = deps;
    this.clock = deps.clock ?? systemClock;
  }

  async list(tenantId: string): Promise<WorkflowView[]> {
    const repository = new WorkflowsRepository(this.deps.db, tenantId);
    const [workflows, active] = await Promise.all([repository.list(), repository.activeDocuments()]);
    const documents = new Map(active.map((version) => [version.name, documentOf(version)]));
    return workflows.map((workflow) => ({
      name: workflow.name,
      activeVersion: workflow.activeVersion,
      latestVersion: workflow.latestVersion,
      document: documents.get(workflow.name) as WorkflowDocument,
      createdAt: workflow.createdAt,
      updatedAt: workflow.updatedAt,
    }));
  }

  async get(tenantId: string, name: string): Promise<WorkflowView> {
    const repository = new WorkflowsRepository(this.deps.db, tenantId);
    const workflow = await repository.get(name);
    if (!workflow) throw notFound(name);
    const active = await repository.version(name, workflow.activeVersion);
    if (!active) throw notFound(name);
    return {
      name,
      activeVersion: workflow.activeVersion,
      latestVersion: workflow.latestVersion,
      document: documentOf(active),
      createdAt: workflow.createdAt,
      updatedAt: workflow.updatedAt,
    };
  }

  /** The document a run of `name` is made from: its active version, or the one given. */
  async resolve(tenantId: string, name: string, version?: number): Promise<ResolvedWorkflow> {
    const repository = new WorkflowsRepository(this.deps.db, tenantId);
    const workflow = await repository.get(name);
    if (!workflow) throw notFound(name);
    const record = await repository.version(name, version ?? workflow.activeVersion);
    if (!record) throw new HubError('NOT_FOUND', `Workflow \`${name}\` has no version ${version}.`, { code: 'workflow_version_not_found' });
    return { name, version: record.version, document: documentOf(record) };
  }

  /** Saves a document (an object, or YAML or JSON text): a new workflow, a new version of an existing one, or nothing when it is the active one. */
  async apply(tenantId: string, source: unknown): Promise<AppliedWorkflow> {
    const document = await this.validated(tenantId, source);
    const name = document.metadata.name;
    const repository = new WorkflowsRepository(this.deps.db, tenantId);
    if (!(await repository.get(name))) {
      const created = await repository.create(name, document as unknown as JsonRecord, this.now());
      if (created) return { result: 'created', version: created.version, workflow: await this.get(tenantId, name) };
      // Another writer created it meanwhile: this document is then an update of theirs.
    }
    return this.update(repository, document);
  }

  /** Saves a document as a new version of the existing workflow `name` (its `metadata.name` must be `name`). */
  async replace(tenantId: string, name: string, source: unknown): Promise<AppliedWorkflow> {
    const document = await this.validated(tenantId, source);
    if (document.metadata.name !== name) {
      throw new HubError(
        'INVALID_REQUEST',
        `Invalid metadata.name: the document names \`${document.metadata.name}\`, but it is sent to workflow \`${name}\`; a workflow cannot be renamed.`,
        { param: 'metadata.name', code: 'invalid_workflow' },
      );
    }
    const repository = new WorkflowsRepository(this.deps.db, tenantId);
    if (!(await repository.get(name))) throw notFound(name);
    return this.update(repository, document);
  }

  async versions(tenantId: string, name: string): Promise<WorkflowVersionView[]> {
    const repository = new WorkflowsRepository(this.deps.db, tenantId);
    const workflow = await repository.get(name);
    if (!workflow) throw notFound(name);
    return (await repository.versions(name)).map((record) => ({
      name,
      version: record.version,
      active: record.version === workflow.activeVersion,
      document: documentOf(record),
      createdAt: record.createdAt,
    }));
  }

  /** Serves an existing version: a rollback, or a roll forward again. */
  async activate(tenantId: string, name: string, version: number): Promise<WorkflowView> {
    const repository = new WorkflowsRepository(this.deps.db, tenantId);
    if (!(await repository.get(name))) throw notFound(name);
    if (!(await repository.activate(name, version, this.now()))) {
      throw new HubError('INVALID_REQUEST', `Invalid version: workflow \`${name}\` has no version ${version}.`, { param: 'version' });
    }
    return this.get(tenantId, name);
  }

  async delete(tenantId: string, name: string): Promise<void> {
    if (!(await new WorkflowsRepository(this.deps.db, tenantId).delete(name))) throw notFound(name);
  }

  private async update(repository: WorkflowsRepository, document: WorkflowDocument): Promise<AppliedWorkflow> {
    const name = document.metadata.name;
    const tenantId = repository.tenantId;
    const current = await this.resolve(tenantId, name);
    if (canonicalJson(current.document) === canonicalJson(document)) {
      return { result: 'unchanged', version: current.version, workflow: await this.get(tenantId, name) };
    }
    const added = await repository.addVersion(name, document as unknown as JsonRecord, this.now());
    if (!added) throw notFound(name);
    return { result: 'updated', version: added.version, workflow: await this.get(tenantId, name) };
  }

  private async validated(tenantId: string, source: unknown): Promise<WorkflowDocument> {
    const document = loadWorkflowDocument(source);
    if (RESERVED_NAMES.has(document.metadata.name)) {
      throw new HubError('INVALID_REQUEST', `Invalid metadata.name: \`${document.metadata.name}\` is reserved; choose another name.`, {
        param: 'metadata.name',
        code: 'invalid_workflow',
      });
    }
    await validateWorkflow(document, this.deps.catalogue(tenantId));
    return document;
  }

  private now(): Date {
    return new Date(this.clock.now());
  }
}
