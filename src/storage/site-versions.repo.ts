import { HubError } from '../core/index.js';
import type { Database, Queryable } from './database.js';
import type { JsonRecord } from './runs.repo.js';
import { asBigInt, asDate, asNumber, fromJsonb, toJsonb } from './values.js';

/** What one version may hold: a small static site, not a file store. */
export const SITE_LIMITS = { maxFiles: 200, maxFileBytes: 512 * 1024, maxSiteBytes: 4 * 1024 * 1024 } as const;

const SITE_PATH = /^(?:[A-Za-z0-9_-][A-Za-z0-9._-]*\/)*[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

export interface SiteVersionSummary {
  tenantId: string;
  slug: string;
  version: number;
  filesCount: number;
  filesBytes: number;
  runId: string | null;
  createdAt: Date;
  /** The version the site serves now. */
  current: boolean;
}

export interface SiteVersionRecord extends SiteVersionSummary {
  /** Path (relative, `/`-separated) → the file's text. */
  files: Record<string, string>;
  /** The solution document the version was built from, if any. */
  solution: JsonRecord | null;
}

/** What a build spent, from the ledger: a workflow run's own rows, its child runs' and its sandboxes'. */
export interface SiteBuildCost {
  inputTokens: number;
  outputTokens: number;
  modelCalls: number;
  sandboxCpuMs: number;
  sandboxCalls: number;
  costPicos: bigint;
}

export interface NewSiteVersion {
  files: Record<string, string>;
  solution?: JsonRecord | null;
  runId?: string | null;
}

interface VersionRow {
  tenant_id: string;
  slug: string;
  version: unknown;
  files?: unknown;
  files_count: unknown;
  files_bytes: unknown;
  solution?: unknown;
  run_id: string | null;
  created_at: unknown;
  current_version: unknown;
}

const toSummary = (row: VersionRow): SiteVersionSummary => ({
  tenantId: row.tenant_id,
  slug: row.slug,
  version: asNumber(row.version),
  filesCount: asNumber(row.files_count),
  filesBytes: asNumber(row.files_bytes),
  runId: row.run_id,
  createdAt: asDate(row.created_at),
  current: row.current_version !== null && asNumber(row.current_version) === asNumber(row.version),
});

const toRecord = (row: VersionRow): SiteVersionRecord => ({
  ...toSummary(row),
  files: fromJsonb(row.files) as Record<string, string>,
  solution: row.solution === null || row.solution === undefined ? null : (fromJsonb(row.solution) as JsonRecord),
});

const tooLarge = (message: string): HubError => new HubError('INVALID_REQUEST', message, { code: 'site_too_large', param: 'files' });

/** Checks a version's files against the caps and the path rules; returns their total size in bytes. */
export function checkSiteFiles(files: Record<string, string>): number {
  const paths = Object.keys(files);
  if (paths.length === 0) throw new HubError('INVALID_REQUEST', 'A site needs at least one file.', { code: 'site_empty', param: 'files' });
  if (paths.length > SITE_LIMITS.maxFiles)
    throw tooLarge(`A site may hold at most ${SITE_LIMITS.maxFiles} files (this one: ${paths.length}).`);
  let total = 0;
  for (const path of paths) {
    if (!SITE_PATH.test(path) || path.split('/').some((segment) => segment === '.' || segment === '..')) {
      throw new HubError(
        'INVALID_REQUEST',
        `\`${path}\` is not a site path: relative, \`/\`-separated, letters, digits, \`.\`, \`_\`, \`-\`.`,
        {
          code: 'invalid_path',
          param: 'files',
        },
      );
    }
    const bytes = Buffer.byteLength(files[path] ?? '', 'utf8');
    if (bytes > SITE_LIMITS.maxFileBytes)
      throw tooLarge(`\`${path}\` is ${bytes} bytes; a file may be at most ${SITE_LIMITS.maxFileBytes}.`);
    total += bytes;
  }
  if (total > SITE_LIMITS.maxSiteBytes)
    throw tooLarge(`The site is ${total} bytes; at most ${SITE_LIMITS.maxSiteBytes} are kept per version.`);
  return total;
}

const SUMMARY_COLUMNS = 'v.tenant_id, v.slug, v.version, v.files_count, v.files_bytes, v.run_id, v.created_at, s.current_version';

/**
 * One tenant's published sites: every version kept, one of them current. Publishing adds a version and makes it
 * current; rolling back points at an older one (nothing is deleted). Every query carries the tenant.
 */
export class SiteVersionsRepository {
  private readonly db: Database;
  private readonly tenantId: string;

  constructor(db: Database, tenantId: string) {
    this.db = db;
    this.tenantId = tenantId;
  }

  /** Adds a version of `slug` with the next number and makes it the one served. */
  async publish(slug: string, version: NewSiteVersion, now: Date): Promise<SiteVersionRecord> {
    const bytes = checkSiteFiles(version.files);
    return this.db.transaction(async (tx) => {
      // The pointer row is the lock that serialises publishes of one site, so version numbers never collide.
      await tx.query('insert into sites (tenant_id, slug, current_version, updated_at) values ($1, $2, 0, $3) on conflict do nothing', [
        this.tenantId,
        slug,
        now,
      ]);
      await tx.query('select current_version from sites where tenant_id = $1 and slug = $2 for update', [this.tenantId, slug]);
      const [next] = await tx.query<{ version: unknown }>(
        'select coalesce(max(version), 0) + 1 as version from site_versions where tenant_id = $1 and slug = $2',
        [this.tenantId, slug],
      );
      const number = asNumber(next?.version);
      await tx.query(
        `insert into site_versions (tenant_id, slug, version, files, files_count, files_bytes, solution, run_id, created_at)
         values ($1, $2, $3, $4::jsonb, $5, $6, $7::jsonb, $8, $9)`,
        [
          this.tenantId,
          slug,
          number,
          toJsonb(version.files),
          Object.keys(version.files).length,
          bytes,
          version.solution ? toJsonb(version.solution) : null,
          version.runId ?? null,
          now,
        ],
      );
      await tx.query('update sites set current_version = $3, updated_at = $4 where tenant_id = $1 and slug = $2', [
        this.tenantId,
        slug,
        number,
        now,
      ]);
      const record = await this.read(tx, slug, number);
      if (!record) throw new Error(`site version ${slug}@${number} vanished`);
      return record;
    });
  }

  /** Serves `version`, or (absent) the newest version older than the current one. Undefined: no such version. */
  async rollback(slug: string, now: Date, version?: number): Promise<SiteVersionRecord | undefined> {
    return this.db.transaction(async (tx) => {
      const [site] = await tx.query<{ current_version: unknown }>(
        'select current_version from sites where tenant_id = $1 and slug = $2 for update',
        [this.tenantId, slug],
      );
      if (!site) return undefined;
      let target = version;
      if (target === undefined) {
        const [previous] = await tx.query<{ version: unknown }>(
          'select max(version) as version from site_versions where tenant_id = $1 and slug = $2 and version < $3',
          [this.tenantId, slug, asNumber(site.current_version)],
        );
        if (previous?.version === null || previous?.version === undefined) return undefined;
        target = asNumber(previous.version);
      }
      const exists = await tx.query('select 1 from site_versions where tenant_id = $1 and slug = $2 and version = $3', [
        this.tenantId,
        slug,
        target,
      ]);
      if (exists.length === 0) return undefined;
      await tx.query('update sites set current_version = $3, updated_at = $4 where tenant_id = $1 and slug = $2', [
        this.tenantId,
        slug,
        target,
        now,
      ]);
      return this.read(tx, slug, target);
    });
  }

  /** The version served now, with its files. */
  async current(slug: string): Promise<SiteVersionRecord | undefined> {
    const [site] = await this.db.query<{ current_version: unknown }>(
      'select current_version from sites where tenant_id = $1 and slug = $2',
      [this.tenantId, slug],
    );
    return site ? this.read(this.db, slug, asNumber(site.current_version)) : undefined;
  }

  get(slug: string, version: number): Promise<SiteVersionRecord | undefined> {
    return this.read(this.db, slug, version);
  }

  /** Every version of a site, newest first, without files. */
  async versions(slug: string): Promise<SiteVersionSummary[]> {
    const rows = await this.db.query<VersionRow>(
      `select ${SUMMARY_COLUMNS} from site_versions v join sites s on s.tenant_id = v.tenant_id and s.slug = v.slug
       where v.tenant_id = $1 and v.slug = $2 order by v.version desc`,
      [this.tenantId, slug],
    );
    return rows.map(toSummary);
  }

  /** What the workflow run `runId` (and the runs it started, and `sandboxIds`) spent, summed from the ledger. */
  async buildCost(runId: string, sandboxIds: string[]): Promise<SiteBuildCost> {
    const [row] = await this.db.query<Record<string, unknown>>(
      `select coalesce(sum(input_tokens) filter (where usage_kind <> 'sandbox'), 0) as input_tokens,
              coalesce(sum(output_tokens) filter (where usage_kind <> 'sandbox'), 0) as output_tokens,
              count(*) filter (where usage_kind <> 'sandbox') as model_calls,
              coalesce(sum(cpu_ms) filter (where usage_kind = 'sandbox'), 0) as cpu_ms,
              count(*) filter (where usage_kind = 'sandbox') as sandbox_calls,
              coalesce(sum(cost_picos), 0)::text as cost_picos
       from ledger
       where tenant_id = $1
         and (run_id = $2 or run_id in (select id from runs where tenant_id = $1 and parent_run_id = $2) or sandbox_id = any($3::text[]))`,
      [this.tenantId, runId, sandboxIds],
    );
    return {
      inputTokens: asNumber(row?.input_tokens),
      outputTokens: asNumber(row?.output_tokens),
      modelCalls: asNumber(row?.model_calls),
      sandboxCpuMs: asNumber(row?.cpu_ms),
      sandboxCalls: asNumber(row?.sandbox_calls),
      costPicos: asBigInt(row?.cost_picos),
    };
  }

  private async read(db: Queryable, slug: string, version: number): Promise<SiteVersionRecord | undefined> {
    const [row] = await db.query<VersionRow>(
      `select ${SUMMARY_COLUMNS}, v.files, v.solution from site_versions v join sites s on s.tenant_id = v.tenant_id and s.slug = v.slug
       where v.tenant_id = $1 and v.slug = $2 and v.version = $3`,
      [this.tenantId, slug, version],
    );
    return row ? toRecord(row) : undefined;
  }
}
