/**
 * The SDK as a package: `examples/sdk/` typechecks against it, and `import { TokenHub } from 'tokenhub/sdk'`
 * resolves through package.json's `exports` to what the SDK's build emits — JavaScript that loads in plain
 * Node and types that check without the server's or Node's own.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'tokenhub-sdk-package-'));
});

afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** Runs tsc; answers its output, failing the test with it when tsc reports errors. */
async function typecheck(...args: string[]): Promise<void> {
  const outcome = await run(process.execPath, [tsc, ...args], { cwd: root }).catch((error: { stdout?: string; stderr?: string }) => error);
  expect(`${outcome.stdout ?? ''}${outcome.stderr ?? ''}`).toBe('');
}

describe('the SDK package', () => {
  it('typechecks every example', { timeout: 60_000 }, async () => {
    await typecheck('-p', join(root, 'examples', 'sdk', 'tsconfig.json'));
  });

  it("resolves 'tokenhub/sdk' through the package's exports to the build's JavaScript and types", { timeout: 60_000 }, async () => {
    const installed = join(scratch, 'node_modules', 'tokenhub');
    await mkdir(installed, { recursive: true });
    await cp(join(root, 'package.json'), join(installed, 'package.json'));
    // The SDK's own build, as `npm run build` runs it, into the installed package's dist/.
    await typecheck('-p', join(root, 'src', 'sdk', 'tsconfig.build.json'), '--outDir', join(installed, 'dist', 'sdk'));

    await writeFile(join(scratch, 'package.json'), JSON.stringify({ type: 'module' }));
    await writeFile(
      join(scratch, 'consumer.ts'),
      [
        "import { NotFoundError, type Run, TokenHub } from 'tokenhub/sdk';",
        "const hub = new TokenHub({ url: 'http://127.0.0.1:1', apiKey: 'thk_x' });",
        "const run: Promise<Run> = hub.agents.run('support', 'Hi');",
        'void run.catch((error: unknown) => error instanceof NotFoundError);',
        "// @ts-expect-error: the SDK's types are checked, not any",
        "hub.agents.run('support', 42);",
        'console.log(hub.url);',
      ].join('\n'),
    );
    await writeFile(
      join(scratch, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          target: 'ES2023',
          lib: ['ES2023', 'DOM'],
          types: [],
          strict: true,
          noEmit: true,
        },
        files: ['consumer.ts'],
      }),
    );
    await typecheck('-p', join(scratch, 'tsconfig.json'));

    await writeFile(
      join(scratch, 'consumer.mjs'),
      [
        "import { TokenHub, NotFoundError, TokenHubError } from 'tokenhub/sdk';",
        "const hub = new TokenHub({ url: 'http://127.0.0.1:1/', apiKey: 'thk_x' });",
        'console.log(JSON.stringify({ url: hub.url, subclass: new NotFoundError("x") instanceof TokenHubError }));',
      ].join('\n'),
    );
    const { stdout } = await run(process.execPath, [join(scratch, 'consumer.mjs')], { cwd: scratch });
    expect(JSON.parse(stdout)).toEqual({ url: 'http://127.0.0.1:1', subclass: true });
  });
});
