// Builds the console (console/, React + Vite) into dist/console and writes a .br and a .gz next to every
// text asset, so the hub serves them precompressed and compresses nothing per request. Run by
// `npm run build` (and so by `npm ci`'s prepare); installs the console's own dependencies when they are
// missing or older than its lock file.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const root = fileURLToPath(new URL('..', import.meta.url));
const consoleDir = join(root, 'console');
const out = join(root, 'dist', 'console');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

const lock = join(consoleDir, 'package-lock.json');
const installed = join(consoleDir, 'node_modules', '.package-lock.json');
if (!existsSync(installed) || statSync(installed).mtimeMs < statSync(lock).mtimeMs) {
  execFileSync(npm, ['ci', '--no-audit', '--no-fund'], { cwd: consoleDir, stdio: 'inherit' });
}
execFileSync(npm, ['run', 'build'], { cwd: consoleDir, stdio: 'inherit' });

const COMPRESSIBLE = /\.(?:js|css|html|svg|json|txt|map)$/;
let files = 0;
for (const entry of readdirSync(out, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !COMPRESSIBLE.test(entry.name)) continue;
  const path = join(entry.parentPath, entry.name);
  const body = readFileSync(path);
  writeFileSync(`${path}.br`, brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
  writeFileSync(`${path}.gz`, gzipSync(body, { level: 9 }));
  files++;
}
console.log(`console: built into dist/console, ${files} files precompressed (br, gz)`);
