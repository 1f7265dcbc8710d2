import { RunStream } from './run-stream.js';
import { type RequestOptions, requestOptions, type Transport } from './transport.js';
import type { Agent, AgentDefinition, AgentVersion, JsonObject, List, QueuedRun, Run, RunInput } from './types.js';

export interface RunOptions extends RequestOptions {
  /** Run on a thread: its earlier messages are the conversation, and the reply is added to it. */
  threadId?: string;
  metadata?: JsonObject;
}

const segment = encodeURIComponent;
const runBody = (input: RunInput, options: RunOptions, mode: { stream?: true; background?: true }) => ({
  input,
  ...(options.threadId ? { thread_id: options.threadId } : {}),
  ...(options.metadata ? { metadata: options.metadata } : {}),
  ...mode,
});
/** `/v1/agents`: a tenant's agents, and running them (keys need `agents:run`; changes `agents:write`). */
export class Agents {
  private readonly transport: Transport;

  constructor(transport: Transport) {
    this.transport = transport;
  }

  list(options: RequestOptions = {}): Promise<List<Agent>> {
    return this.transport.json({ ...options, method: 'GET', path: '/v1/agents' });
  }

  get(name: string, options: RequestOptions = {}): Promise<Agent> {
    return this.transport.json({ ...options, method: 'GET', path: `/v1/agents/${segment(name)}` });
  }

  create(definition: AgentDefinition, options: RequestOptions = {}): Promise<Agent> {
    return this.transport.json({ ...options, method: 'POST', path: '/v1/agents', body: definition });
  }

  /** A new version of the agent, made active. */
  update(name: string, definition: AgentDefinition, options: RequestOptions = {}): Promise<Agent> {
    return this.transport.json({ ...options, method: 'PUT', path: `/v1/agents/${segment(name)}`, body: definition });
  }

  async delete(name: string, options: RequestOptions = {}): Promise<void> {
    await this.transport.json({ ...options, method: 'DELETE', path: `/v1/agents/${segment(name)}` });
  }

  versions(name: string, options: RequestOptions = {}): Promise<List<AgentVersion>> {
    return this.transport.json({ ...options, method: 'GET', path: `/v1/agents/${segment(name)}/versions` });
  }

  /** Serves an earlier (or later) version. */
  activate(name: string, version: number, options: RequestOptions = {}): Promise<Agent> {
    return this.transport.json({
      ...options,
      method: 'POST',
      path: `/v1/agents/${segment(name)}/activate`,
      body: { version },
      idempotent: true,
    });
  }

  /**
   * Runs the agent and answers the run once it finished or paused (`waiting_approval`, `handed_off`…); its
   * reply is `run.output.text`. Not retried on a 5xx or a broken connection: the run may have started.
   */
  run(name: string, input: RunInput, options: RunOptions = {}): Promise<Run> {
    return this.transport.json({
      ...requestOptions(options),
      method: 'POST',
      path: `/v1/agents/${segment(name)}/runs`,
      body: runBody(input, options, {}),
    });
  }

  /** Starts the run in the background and answers at once; follow it with `runs.events(id)` or `runs.get(id)`. */
  start(name: string, input: RunInput, options: RunOptions = {}): Promise<QueuedRun> {
    return this.transport.json({
      ...requestOptions(options),
      method: 'POST',
      path: `/v1/agents/${segment(name)}/runs`,
      body: runBody(input, options, { background: true }),
    });
  }

  /**
   * Runs the agent, yielding its events as they happen; the run starts when the iteration does.
   * `await stream.final()` answers the run at the end.
   */
  stream(name: string, input: RunInput, options: RunOptions = {}): RunStream<Run> {
    const base = requestOptions(options);
    return new RunStream<Run>({
      transport: this.transport,
      runPath: (id) => `/v1/runs/${segment(id)}`,
      options: base,
      open: () =>
        this.transport.stream({
          ...base,
          method: 'POST',
          path: `/v1/agents/${segment(name)}/runs`,
          body: runBody(input, options, { stream: true }),
        }),
    });
  }
}
