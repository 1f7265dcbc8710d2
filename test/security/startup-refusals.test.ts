/**
 * Settings that would weaken a defence stop the real CLI at start, with a message that says what to fix,
 * before any database is opened.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, startHubProcess } from '../support/hub-process.js';

const dirs: string[] = [];

afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function startFails(config: Record<string, unknown>, env: Record<string, string> = {}): Promise<string> {
  const dataDir = await mkdtemp(join(tmpdir(), 'tokenhub-refusal-'));
  dirs.push(dataDir);
  const started = startHubProcess({
    dataDir,
    config,
    port: await freePort(),
    env: { TOKENHUB_ADMIN_KEY: 'thadm_refusal_test_key', ...env },
  });
  const error = await started.then(
    async (hub) => {
      hub.child.kill('SIGKILL');
      return null;
    },
    (thrown: Error) => thrown,
  );
  expect(error, 'the hub started').not.toBeNull();
  return error?.message ?? '';
}

describe('start-up refusals', () => {
  it('a TOKENHUB_SECRET_KEY short enough to guess', { timeout: 60_000 }, async () => {
    const message = await startFails({}, { TOKENHUB_SECRET_KEY: 'hunter2' });
    expect(message).toContain('TOKENHUB_SECRET_KEY must be at least 32 characters');
  });

  it('an upstream URL allow-list entry that is neither a host nor a CIDR', { timeout: 60_000 }, async () => {
    const message = await startFails({ security: { upstream_urls: { allow: ['300.1.1.1/8', 'api.example.com'] } } });
    expect(message).toMatch(/security\.upstream_urls\.allow.*300\.1\.1\.1\/8/);
    expect(message).not.toContain('api.example.com"');
  });

  it('an admin key with the virtual-key prefix (it could never be accepted)', { timeout: 60_000 }, async () => {
    const message = await startFails({}, { TOKENHUB_ADMIN_KEY: 'thk_looks_like_a_virtual_key' });
    expect(message).toContain('tokenhub: TOKENHUB_ADMIN_KEY starts with "thk_", the prefix of virtual keys');
    expect(message).not.toContain('thk_looks_like_a_virtual_key');
    expect(message).not.toMatch(/^\s+at /m);
  });

  it('a TOKENHUB_ACCESS_LOG that is neither true nor false', { timeout: 60_000 }, async () => {
    const message = await startFails({}, { TOKENHUB_ACCESS_LOG: 'maybe' });
    expect(message).toContain('TOKENHUB_ACCESS_LOG: expected true or false, got "maybe"');
  });
});
