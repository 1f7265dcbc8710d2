/**
 * The console's initial JavaScript: a production build with Vite's manifest, then what a first visit to the
 * login page and then the overview downloads — the entry chunk and its static imports (the login page is part
 * of the entry), plus the overview route's lazy chunk and its static imports — each gzipped (level 9, as the
 * hub precompresses) and added up. CSS is reported apart.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

interface ManifestChunk {
  file: string;
  src?: string;
  isEntry?: boolean;
  imports?: string[];
  dynamicImports?: string[];
  css?: string[];
}

export interface BundleSize {
  /** Gzipped bytes of the JS a first visit to login → overview loads. */
  initialJsGzip: number;
  initialJsRaw: number;
  entryJsGzip: number;
  overviewJsGzip: number;
  cssGzip: number;
  files: { file: string; gzip: number }[];
  buildSeconds: number;
}

const OVERVIEW_SOURCE = 'src/pages/overview/OverviewPage.tsx';

export async function measureConsoleBundle(rootDir: string): Promise<BundleSize> {
  const consoleDir = join(rootDir, 'console');
  const outDir = await mkdtemp(join(tmpdir(), 'tokenhub-console-bench-'));
  try {
    const started = Date.now();
    execFileSync(
      process.execPath,
      [join(consoleDir, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--outDir', outDir, '--emptyOutDir', '--manifest'],
      {
        cwd: consoleDir,
        stdio: 'ignore',
      },
    );
    const buildSeconds = (Date.now() - started) / 1000;
    const manifest = JSON.parse(await readFile(join(outDir, '.vite', 'manifest.json'), 'utf8')) as Record<string, ManifestChunk>;
    const closure = (keys: string[], into: Set<string>): Set<string> => {
      for (const key of keys) {
        if (into.has(key) || !manifest[key]) continue;
        into.add(key);
        closure(manifest[key]?.imports ?? [], into);
      }
      return into;
    };
    const entryKeys = Object.entries(manifest)
      .filter(([, chunk]) => chunk.isEntry)
      .map(([key]) => key);
    const entry = closure(entryKeys, new Set());
    const overviewKey = Object.keys(manifest).find((key) => key.endsWith(OVERVIEW_SOURCE));
    if (!overviewKey) throw new Error(`no ${OVERVIEW_SOURCE} chunk in the console build`);
    const overview = closure([overviewKey], new Set());
    const gzipOf = async (file: string) => {
      const bytes = await readFile(join(outDir, file));
      return { raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
    };
    const sum = async (keys: Iterable<string>) => {
      let gzip = 0;
      let raw = 0;
      for (const key of keys) {
        const size = await gzipOf(manifest[key]?.file as string);
        gzip += size.gzip;
        raw += size.raw;
      }
      return { gzip, raw };
    };
    const initial = new Set([...entry, ...overview]);
    const files = await Promise.all(
      [...initial].map(async (key) => ({ file: manifest[key]?.file as string, gzip: (await gzipOf(manifest[key]?.file as string)).gzip })),
    );
    const cssFiles = new Set([...initial].flatMap((key) => manifest[key]?.css ?? []));
    let cssGzip = 0;
    for (const file of cssFiles) cssGzip += (await gzipOf(file)).gzip;
    const total = await sum(initial);
    return {
      initialJsGzip: total.gzip,
      initialJsRaw: total.raw,
      entryJsGzip: (await sum(entry)).gzip,
      overviewJsGzip: (await sum([...overview].filter((key) => !entry.has(key)))).gzip,
      cssGzip,
      files: files.sort((a, b) => b.gzip - a.gzip),
      buildSeconds,
    };
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}
