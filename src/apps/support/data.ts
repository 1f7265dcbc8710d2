import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const DB_FILE = 'tau-retail-db.json';
const POLICY_FILE = 'policy.md';

/**
 * Where the shipped τ² retail data lives: `data/` next to this module, in src (tsx, vitest) and in dist
 * (the build copies it there, see scripts/copy-build-assets.js); from dist without that copy, the
 * source tree's folder when it is present (a checkout built with plain tsc).
 */
export function supportDataDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, 'data'), join(here, '..', '..', '..', 'src', 'apps', 'support', 'data')];
  const found = candidates.find((dir) => existsSync(join(dir, DB_FILE)));
  if (!found) throw new Error(`support app: ${DB_FILE} not found in ${candidates.join(' or ')}`);
  return found;
}

let dbText: string | undefined;
let policyText: string | undefined;

/** The text of τ²'s retail `db.json` (500 users, 50 products, 1,000 orders), read once. */
export function retailDbText(): string {
  dbText ??= readFileSync(join(supportDataDir(), DB_FILE), 'utf8');
  return dbText;
}

/** τ²'s retail agent policy (markdown), the support agent's instructions. */
export function retailPolicy(): string {
  policyText ??= readFileSync(join(supportDataDir(), POLICY_FILE), 'utf8');
  return policyText;
}
