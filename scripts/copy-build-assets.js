// Copies the non-TypeScript files the server reads at run time next to their compiled modules:
// tsc emits only .js, so without this dist/ would lack them. Run by `npm run build` after tsc.
import { cpSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const ASSET_DIRS = ['apps/support/data', 'sandboxes/local/child'];
const ASSET_FILES = ['apps/supplier-match/workflow.yaml', 'apps/site-builder/workflow.yaml', 'storage/pglite-thread-worker.mjs'];

for (const path of [...ASSET_DIRS, ...ASSET_FILES]) {
  const from = join(root, 'src', path);
  if (!existsSync(from)) continue;
  cpSync(from, join(root, 'dist', path), { recursive: true });
}
