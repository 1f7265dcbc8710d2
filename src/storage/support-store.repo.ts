import type { Database, Queryable } from './database.js';
import { asJson, asNumber } from './values.js';

/** The three document tables of the support store. */
export type SupportStoreTable = 'users' | 'orders' | 'products';

export const SUPPORT_STORE_TABLES: readonly SupportStoreTable[] = ['products', 'users', 'orders'];

/** One stored document: a τ²-bench user, order or product, exactly as the source shapes it. */
export type SupportDocument = Record<string, unknown>;

/** The shape of τ²-bench's `db.json`: three maps from id to document. */
export interface SupportStoreData {
  products: Record<string, SupportDocument>;
  users: Record<string, SupportDocument>;
  orders: Record<string, SupportDocument>;
}

export interface SupportStoreCounts {
  products: number;
  users: number;
  orders: number;
}

/** Name, email and zip of a user, in store order: what the identification lookups compare. */
export interface SupportUserIdentity {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  zip: string;
}

/** Reads and writes inside one database transaction (see `SupportStoreRepository.transaction`). */
export interface SupportStoreTransaction {
  /** The document, or undefined; `forUpdate` locks its row until the transaction ends. */
  get(table: SupportStoreTable, id: string, options?: { forUpdate?: boolean }): Promise<SupportDocument | undefined>;
  /** Replaces an existing document; throws when there is none. */
  put(table: SupportStoreTable, id: string, doc: SupportDocument): Promise<void>;
}

// Large enough to amortise a statement's round trip, small enough to keep one parameter well under 1 MB.
const SEED_BATCH = 250;

/**
 * The support store of one installation of the support app in one tenant: users, orders and products
 * as documents. Every query carries both the tenant and the installation, so two installations (or
 * tenants) never see each other's rows. Seeding keeps the source's order (and, from JSON text, the key
 * order of every map) so `exportText` gives back the source.
 */
export class SupportStoreRepository {
  private readonly db: Database;
  readonly tenantId: string;
  readonly installationId: string;

  constructor(db: Database, tenantId: string, installationId: string) {
    this.db = db;
    this.tenantId = tenantId;
    this.installationId = installationId;
  }

  /**
   * Fills an empty store from the `db.json` object, or from its text: the text keeps the exact key order
   * of every map (a JS object lists integer-like keys, such as most product ids, first and sorted).
   */
  async seed(source: SupportStoreData | string): Promise<SupportStoreCounts> {
    return this.db.transaction((tx) => this.seedWith(tx, source));
  }

  /** Deletes this installation's store and seeds it again, in one transaction. */
  async reset(source: SupportStoreData | string): Promise<SupportStoreCounts> {
    return this.db.transaction(async (tx) => {
      await this.clearWith(tx);
      return this.seedWith(tx, source);
    });
  }

  /** Deletes this installation's store. */
  async clear(): Promise<void> {
    await this.db.transaction((tx) => this.clearWith(tx));
  }

  async counts(): Promise<SupportStoreCounts> {
    const counts: SupportStoreCounts = { products: 0, users: 0, orders: 0 };
    for (const table of SUPPORT_STORE_TABLES) {
      const rows = await this.db.query<{ count: unknown }>(
        `select count(*) as count from support_store_${table} where tenant_id = $1 and installation_id = $2`,
        [this.tenantId, this.installationId],
      );
      counts[table] = asNumber(rows[0]?.count);
    }
    return counts;
  }

  /** The store in the `db.json` shape, each map in store order (as far as a JS object can hold it). */
  async export(): Promise<SupportStoreData> {
    const data: SupportStoreData = { products: {}, users: {}, orders: {} };
    for (const table of SUPPORT_STORE_TABLES) {
      const rows = await this.db.query<{ id: string; doc: unknown }>(
        `select id, doc from support_store_${table} where tenant_id = $1 and installation_id = $2 order by position`,
        [this.tenantId, this.installationId],
      );
      const map = data[table];
      for (const row of rows) map[row.id] = asJson(row.doc) as SupportDocument;
    }
    return data;
  }

  /** The store as `db.json` text (compact), every map in exactly the source's key order. */
  async exportText(): Promise<string> {
    const parts: string[] = [];
    for (const table of SUPPORT_STORE_TABLES) {
      const rows = await this.db.query<{ id: string; text: string }>(
        `select id, doc::text as text from support_store_${table} where tenant_id = $1 and installation_id = $2 order by position`,
        [this.tenantId, this.installationId],
      );
      parts.push(`${JSON.stringify(table)}:{${rows.map((row) => `${JSON.stringify(row.id)}:${row.text}`).join(',')}}`);
    }
    return `{${parts.join(',')}}`;
  }

  async get(table: SupportStoreTable, id: string): Promise<SupportDocument | undefined> {
    const rows = await this.db.query<{ doc: unknown }>(
      `select doc from support_store_${table} where tenant_id = $1 and installation_id = $2 and id = $3`,
      [this.tenantId, this.installationId, id],
    );
    return rows[0] ? (asJson(rows[0].doc) as SupportDocument) : undefined;
  }

  /** The document's JSON text as stored: its key order is the source's. */
  async getText(table: SupportStoreTable, id: string): Promise<string | undefined> {
    const rows = await this.db.query<{ text: string }>(
      `select doc::text as text from support_store_${table} where tenant_id = $1 and installation_id = $2 and id = $3`,
      [this.tenantId, this.installationId, id],
    );
    return rows[0]?.text;
  }

  /** Every document's id and JSON text, in store order. */
  async listText(table: SupportStoreTable): Promise<{ id: string; text: string }[]> {
    return this.db.query<{ id: string; text: string }>(
      `select id, doc::text as text from support_store_${table} where tenant_id = $1 and installation_id = $2 order by position`,
      [this.tenantId, this.installationId],
    );
  }

  /** Every user's identifying fields, in store order. */
  async userIdentities(): Promise<SupportUserIdentity[]> {
    const rows = await this.db.query<{ id: string; email: string | null; first: string | null; last: string | null; zip: string | null }>(
      `select id, doc->>'email' as email, doc->'name'->>'first_name' as first, doc->'name'->>'last_name' as last,
              doc->'address'->>'zip' as zip
       from support_store_users where tenant_id = $1 and installation_id = $2 order by position`,
      [this.tenantId, this.installationId],
    );
    return rows.map((row) => ({
      id: row.id,
      email: row.email ?? '',
      firstName: row.first ?? '',
      lastName: row.last ?? '',
      zip: row.zip ?? '',
    }));
  }

  /** The id and JSON text of the first product (in store order) that has a variant `itemId`. */
  async findProductWithVariant(itemId: string): Promise<{ id: string; text: string } | undefined> {
    const rows = await this.db.query<{ id: string; text: string }>(
      `select id, doc::text as text from support_store_products
       where tenant_id = $1 and installation_id = $2 and (doc->'variants'->$3::text) is not null
       order by position limit 1`,
      [this.tenantId, this.installationId, itemId],
    );
    return rows[0];
  }

  /** Runs `work` in one database transaction: all its `put`s take effect together, or none does. */
  async transaction<T>(work: (tx: SupportStoreTransaction) => Promise<T>): Promise<T> {
    return this.db.transaction((queryable) => work(this.transactionOn(queryable)));
  }

  /** Read-modify-write of one document under a row lock; `change` returns the new document. */
  async update(
    table: SupportStoreTable,
    id: string,
    change: (doc: SupportDocument) => SupportDocument | Promise<SupportDocument>,
  ): Promise<SupportDocument | undefined> {
    return this.transaction(async (tx) => {
      const doc = await tx.get(table, id, { forUpdate: true });
      if (!doc) return undefined;
      const next = await change(doc);
      await tx.put(table, id, next);
      return next;
    });
  }

  private transactionOn(queryable: Queryable): SupportStoreTransaction {
    const scope = [this.tenantId, this.installationId];
    return {
      get: async (table, id, options = {}) => {
        const rows = await queryable.query<{ doc: unknown }>(
          `select doc from support_store_${table} where tenant_id = $1 and installation_id = $2 and id = $3${options.forUpdate ? ' for update' : ''}`,
          [...scope, id],
        );
        return rows[0] ? (asJson(rows[0].doc) as SupportDocument) : undefined;
      },
      put: async (table, id, doc) => {
        const rows = await queryable.query(
          `update support_store_${table} set doc = $4::json where tenant_id = $1 and installation_id = $2 and id = $3 returning id`,
          [...scope, id, JSON.stringify(doc)],
        );
        if (rows.length === 0) throw new Error(`support store: no ${table} document ${id} to replace`);
      },
    };
  }

  private async clearWith(tx: Queryable): Promise<void> {
    for (const table of SUPPORT_STORE_TABLES) {
      await tx.query(`delete from support_store_${table} where tenant_id = $1 and installation_id = $2`, [
        this.tenantId,
        this.installationId,
      ]);
    }
  }

  private async seedWith(tx: Queryable, source: SupportStoreData | string): Promise<SupportStoreCounts> {
    const counts: SupportStoreCounts = { products: 0, users: 0, orders: 0 };
    const tables = typeof source === 'string' ? entriesFromText(source) : entriesFromData(source);
    for (const table of SUPPORT_STORE_TABLES) {
      const entries = tables[table];
      for (let start = 0; start < entries.length; start += SEED_BATCH) {
        const batch = entries.slice(start, start + SEED_BATCH);
        // One JSON array parameter per batch; `doc` is spliced in as text so its key order is kept as is.
        const rows = `[${batch.map(([id, text], index) => `{"id":${JSON.stringify(id)},"position":${start + index},"doc":${text}}`).join(',')}]`;
        await tx.query(
          `insert into support_store_${table} (tenant_id, installation_id, id, position, doc)
           select $1, $2, e.id, e.position, e.doc from json_to_recordset($3::json) as e(id text, position integer, doc json)`,
          [this.tenantId, this.installationId, rows],
        );
      }
      counts[table] = entries.length;
    }
    return counts;
  }
}

type TableEntries = Record<SupportStoreTable, [id: string, docText: string][]>;

function entriesFromData(data: SupportStoreData): TableEntries {
  const entries = (map: Record<string, SupportDocument>): [string, string][] =>
    Object.entries(map ?? {}).map(([id, doc]) => [id, JSON.stringify(doc)]);
  return { products: entries(data.products), users: entries(data.users), orders: entries(data.orders) };
}

function entriesFromText(text: string): TableEntries {
  const top = new Map(splitJsonObject(text));
  const entries = (key: SupportStoreTable): [string, string][] => {
    const map = top.get(key);
    return map === undefined ? [] : splitJsonObject(map).map(([id, doc]) => [id, compactJson(doc)]);
  };
  return { products: entries('products'), users: entries('users'), orders: entries('orders') };
}

/**
 * The members of a JSON object's text, in their order, each value as its own text. A small scanner
 * rather than JSON.parse, which cannot report key order for integer-like keys.
 */
export function splitJsonObject(text: string): [key: string, valueText: string][] {
  let at = skipSpace(text, 0);
  if (text[at] !== '{') throw new SyntaxError('support store: expected a JSON object');
  at = skipSpace(text, at + 1);
  const members: [string, string][] = [];
  if (text[at] === '}') return members;
  for (;;) {
    if (text[at] !== '"') throw new SyntaxError(`support store: expected a key at ${at}`);
    const keyEnd = endOfString(text, at);
    const key = JSON.parse(text.slice(at, keyEnd)) as string;
    at = skipSpace(text, keyEnd);
    if (text[at] !== ':') throw new SyntaxError(`support store: expected ':' at ${at}`);
    const valueStart = skipSpace(text, at + 1);
    const valueEnd = endOfValue(text, valueStart);
    members.push([key, text.slice(valueStart, valueEnd)]);
    at = skipSpace(text, valueEnd);
    if (text[at] === ',') {
      at = skipSpace(text, at + 1);
      continue;
    }
    if (text[at] === '}') return members;
    throw new SyntaxError(`support store: expected ',' or '}' at ${at}`);
  }
}

/** The JSON text without the whitespace between tokens. */
function compactJson(text: string): string {
  let out = '';
  let at = 0;
  while (at < text.length) {
    const char = text[at] as string;
    if (char === '"') {
      const end = endOfString(text, at);
      out += text.slice(at, end);
      at = end;
    } else {
      if (char !== ' ' && char !== '\n' && char !== '\r' && char !== '\t') out += char;
      at += 1;
    }
  }
  return out;
}

function skipSpace(text: string, from: number): number {
  let at = from;
  while (at < text.length && (text[at] === ' ' || text[at] === '\n' || text[at] === '\r' || text[at] === '\t')) at += 1;
  return at;
}

function endOfString(text: string, quote: number): number {
  let at = quote + 1;
  while (at < text.length) {
    const char = text[at];
    if (char === '\\') at += 2;
    else if (char === '"') return at + 1;
    else at += 1;
  }
  throw new SyntaxError('support store: unterminated JSON string');
}

function endOfValue(text: string, start: number): number {
  const first = text[start];
  if (first === '"') return endOfString(text, start);
  if (first !== '{' && first !== '[') {
    let at = start;
    while (at < text.length && !',}] \n\r\t'.includes(text[at] as string)) at += 1;
    return at;
  }
  let depth = 0;
  let at = start;
  while (at < text.length) {
    const char = text[at];
    if (char === '"') {
      at = endOfString(text, at);
      continue;
    }
    if (char === '{' || char === '[') depth += 1;
    else if (char === '}' || char === ']') {
      depth -= 1;
      if (depth === 0) return at + 1;
    }
    at += 1;
  }
  throw new SyntaxError('support store: unterminated JSON value');
}
