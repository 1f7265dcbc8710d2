import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Builds dist/ when any source is newer than it. When the build fails but an older dist/ exists the
 * bench goes on with it (others may be mid-edit) and says so in the report; with no dist/ it stops.
 */
export function ensureBuilt(rootDir: string, log: (line: string) => void): string | null {
  const entry = join(rootDir, 'dist', 'cli', 'index.js');
  const built = existsSync(entry) ? statSync(entry).mtimeMs : 0;
  if (built >= newestSource(join(rootDir, 'src'))) return null;
  log('dist/ is stale: npm run build');
  const result = spawnSync('npm', ['run', 'build'], { cwd: rootDir, encoding: 'utf8' });
  if (result.status === 0) return null;
  const output = `${result.stdout}${result.stderr}`.trim().split('\n').slice(-8).join('\n');
  if (!existsSync(entry)) throw new Error(`npm run build failed and there is no dist/:\n${output}`);
  log(`npm run build failed; measuring the existing dist/:\n${output}`);
  return `npm run build failed, so the previous dist/ was measured:\n${output}`;
}
