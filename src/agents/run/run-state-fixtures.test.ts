/**
 * Runs outlive deploys: a run queued or paused by one version of the hub is resumed by the next. The
 * fixtures in `__fixtures__/state-v<N>/` are frozen copies of a run row's `input` and `state` as version N
 * wrote them; every one must keep loading with today's schemas, with its meaning intact. A version that
 * changes the shape adds a migration (in `loadRunState`, or for the input beside its schema) and a folder of
 * its own — it never edits these files.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { agentRunInputSchema, loadRunState } from './run-input.js';

interface Fixture {
  description: string;
  input: { v: number; key_id: string; messages: { role: string; content: string }[] };
  state: { decisions?: Record<string, unknown>; pending_approvals?: unknown[] };
}

const FOLDER = new URL('./__fixtures__/state-v1/', import.meta.url);
const fixtures = readdirSync(FOLDER)
  .filter((name) => name.endsWith('.json'))
  .sort()
  .map((name) => [name, JSON.parse(readFileSync(new URL(name, FOLDER), 'utf8')) as Fixture] as const);

describe('run state written by version 1', () => {
  it('has fixtures for fresh, paused and decided runs', () => {
    expect(fixtures.map(([name]) => name)).toEqual([
      'decided-and-resumed.json',
      'empty-state.json',
      'partly-decided.json',
      'queued-messages-input.json',
      'queued-string-input.json',
      'waiting-approval.json',
    ]);
  });

  it.each(fixtures)('%s keeps loading, meaning the same', (_name, fixture) => {
    const input = agentRunInputSchema.parse(fixture.input);
    // Whoever resumes the run acts for the same key, on the same conversation.
    expect(input.key_id).toBe(fixture.input.key_id);
    expect(input.messages).toEqual(fixture.input.messages);

    const state = loadRunState(fixture.state);
    // People's decisions and the calls still waiting for one are all a run's state records: none may be lost.
    expect(state.decisions).toEqual(fixture.state.decisions ?? {});
    expect(state.pending_approvals).toEqual(fixture.state.pending_approvals ?? []);
  });
});
