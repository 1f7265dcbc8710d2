/**
 * A fake E2B, as small as the `e2b` SDK's use by the E2B sandbox provider needs: the control plane's REST API
 * (create, connect, timeout, kill) and each sandbox's envd (Connect RPC in JSON for processes and the file
 * system, HTTP `/files` for contents), on two real servers on 127.0.0.1. Point the SDK at it with `apiUrl` and
 * `sandboxUrl`: like E2B's `sandbox.<domain>` proxy, the envd server tells sandboxes apart by the
 * `E2b-Sandbox-Id` header. Commands run for real (`/bin/bash` with this machine's `node` and `python3`) in a
 * temporary folder per sandbox that stands for its `/`; so they must name their files relative to their `cwd`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';

const ENVD_VERSION = '0.6.4';
/** The control plane's default sandbox lifetime, in seconds (E2B's API: `timeout` defaults to 15). */
const DEFAULT_TIMEOUT_S = 15;

export interface FakeE2BRequest {
  server: 'api' | 'envd';
  method: string;
  /** The path without its query. */
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** The JSON body (a Connect stream's one request message), or the byte count of a file upload. */
  body: unknown;
}

export interface FakeE2BSandbox {
  id: string;
  templateId: string;
  allowInternetAccess: boolean | undefined;
  metadata: Record<string, string>;
  accessToken: string;
  /** The folder that stands for the sandbox's `/`. */
  root: string;
  endAt: number;
  killed: boolean;
  processes: Map<number, ChildProcess>;
  /** Pids that got a signal through `SendSignal`. */
  signalled: number[];
}

export interface FakeE2B {
  apiUrl: string;
  sandboxUrl: string;
  apiKey: string;
  requests: FakeE2BRequest[];
  sandboxes: Map<string, FakeE2BSandbox>;
  /** This machine's path of a sandbox's absolute path. */
  hostPath(sandboxId: string, remotePath: string): string;
  /** Ends a sandbox as its timeout would: its processes and files are gone, the API answers 404 for it. */
  expire(sandboxId: string): Promise<void>;
  close(): Promise<void>;
}

class RpcFailure extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

const RPC_STATUS: Record<string, number> = {
  invalid_argument: 400,
  unauthenticated: 401,
  not_found: 404,
  already_exists: 409,
  internal: 500,
};

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
}

/** One Connect envelope: a flags byte, the length as a big-endian uint32, the JSON message. */
function envelope(flags: number, message: unknown): Buffer {
  const data = Buffer.from(JSON.stringify(message));
  const head = Buffer.alloc(5);
  head.writeUInt8(flags, 0);
  head.writeUInt32BE(data.length, 1);
  return Buffer.concat([head, data]);
}

function unenvelope(body: Buffer): unknown {
  const length = body.readUInt32BE(1);
  return JSON.parse(body.subarray(5, 5 + length).toString('utf8'));
}

/** A Connect timestamp: RFC 3339 with nanoseconds. */
function timestamp(ns: bigint): string {
  const seconds = ns / 1_000_000_000n;
  const nanos = (ns % 1_000_000_000n).toString().padStart(9, '0');
  return `${new Date(Number(seconds) * 1000).toISOString().slice(0, 19)}.${nanos}Z`;
}

export async function startFakeE2B(options: { apiKey?: string } = {}): Promise<FakeE2B> {
  const apiKey = options.apiKey ?? `e2b_${randomBytes(20).toString('hex')}`;
  const requests: FakeE2BRequest[] = [];
  const sandboxes = new Map<string, FakeE2BSandbox>();
  const base = await mkdtemp(join(tmpdir(), 'fake-e2b-'));

  const end = async (sandbox: FakeE2BSandbox): Promise<void> => {
    if (sandbox.killed) return;
    sandbox.killed = true;
    for (const pid of sandbox.processes.keys()) killGroup(pid);
    await rm(sandbox.root, { recursive: true, force: true });
  };
  const live = async (id: string): Promise<FakeE2BSandbox | undefined> => {
    const sandbox = sandboxes.get(id);
    if (sandbox && !sandbox.killed && Date.now() >= sandbox.endAt) await end(sandbox);
    return sandbox && !sandbox.killed ? sandbox : undefined;
  };
  const hostPath = (sandbox: FakeE2BSandbox, remotePath: string): string =>
    join(sandbox.root, posix.normalize(posix.isAbsolute(remotePath) ? remotePath : posix.join('/home/user', remotePath)));
  const describe = (sandbox: FakeE2BSandbox) => ({
    sandboxID: sandbox.id,
    templateID: sandbox.templateId,
    clientID: 'fake',
    envdVersion: ENVD_VERSION,
    envdAccessToken: sandbox.accessToken,
    domain: null,
    trafficAccessToken: null,
  });
  const record = (server: FakeE2BRequest['server'], request: IncomingMessage, url: URL, body: unknown) => {
    requests.push({
      server,
      method: request.method ?? '',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: request.headers,
      body,
    });
  };

  // ------------------------------------------------------------------ the control plane
  const api = createServer((request, response) => {
    void (async () => {
      const url = new URL(request.url ?? '/', 'http://fake');
      const raw = await readBody(request);
      const body: unknown = raw.length > 0 ? JSON.parse(raw.toString('utf8')) : undefined;
      record('api', request, url, body);
      if (request.headers['x-api-key'] !== apiKey) return sendJson(response, 401, { code: 401, message: 'Invalid API key' });
      const input = (body ?? {}) as {
        templateID?: string;
        timeout?: number;
        allow_internet_access?: boolean;
        metadata?: Record<string, string>;
      };
      if (request.method === 'POST' && url.pathname === '/v2/sandboxes') {
        const id = `i${randomBytes(9).toString('hex')}`;
        const root = join(base, id);
        await mkdir(join(root, 'home', 'user'), { recursive: true });
        await mkdir(join(root, 'tmp'), { recursive: true });
        const sandbox: FakeE2BSandbox = {
          id,
          templateId: input.templateID ?? 'base',
          allowInternetAccess: input.allow_internet_access,
          metadata: input.metadata ?? {},
          accessToken: randomBytes(16).toString('hex'),
          root,
          endAt: Date.now() + (input.timeout ?? DEFAULT_TIMEOUT_S) * 1000,
          killed: false,
          processes: new Map(),
          signalled: [],
        };
        sandboxes.set(id, sandbox);
        return sendJson(response, 201, describe(sandbox));
      }
      const match = /^(?:\/v2)?\/sandboxes\/([^/]+)(\/connect|\/timeout)?$/.exec(url.pathname);
      const sandbox = match ? await live(decodeURIComponent(match[1] ?? '')) : undefined;
      if (!match) return sendJson(response, 404, { code: 404, message: 'no such route' });
      if (!sandbox) return sendJson(response, 404, { code: 404, message: `sandbox "${match[1]}" not found` });
      const timeoutMs = (input.timeout ?? 0) * 1000;
      if (request.method === 'POST' && match[2] === '/connect') {
        // A running sandbox's timeout only grows on connect.
        sandbox.endAt = Math.max(sandbox.endAt, Date.now() + timeoutMs);
        return sendJson(response, 200, describe(sandbox));
      }
      if (request.method === 'POST' && match[2] === '/timeout') {
        sandbox.endAt = Date.now() + timeoutMs;
        return response.writeHead(204).end();
      }
      if (request.method === 'DELETE' && match[2] === undefined) {
        await end(sandbox);
        return response.writeHead(204).end();
      }
      return sendJson(response, 405, { code: 405, message: 'method not allowed' });
    })().catch((error: unknown) => {
      if (!response.headersSent) sendJson(response, 500, { code: 500, message: String(error) });
    });
  });

  // ------------------------------------------------------------------ envd
  const listDir = async (sandbox: FakeE2BSandbox, path: string, depth: number) => {
    const entries: unknown[] = [];
    const walk = async (remote: string, level: number): Promise<void> => {
      for (const name of (await readdir(hostPath(sandbox, remote))).sort()) {
        const child = posix.join(remote, name);
        const stat = await lstat(hostPath(sandbox, child), { bigint: true });
        const type = stat.isSymbolicLink()
          ? 'FILE_TYPE_SYMLINK'
          : stat.isDirectory()
            ? 'FILE_TYPE_DIRECTORY'
            : stat.isFile()
              ? 'FILE_TYPE_FILE'
              : 'FILE_TYPE_UNSPECIFIED';
        entries.push({
          name,
          type,
          path: child,
          size: stat.size.toString(),
          mode: Number(stat.mode & 0o777n),
          owner: 'user',
          group: 'user',
          modifiedTime: timestamp(stat.mtimeNs),
          ...(stat.isSymbolicLink() ? { symlinkTarget: await readlink(hostPath(sandbox, child)) } : {}),
        });
        if (stat.isDirectory() && level < depth) await walk(child, level + 1);
      }
    };
    try {
      if (!(await lstat(hostPath(sandbox, path))).isDirectory())
        throw new RpcFailure('invalid_argument', `path ${path} is not a directory`);
    } catch (error) {
      if (error instanceof RpcFailure) throw error;
      throw new RpcFailure('not_found', `directory ${path} not found`);
    }
    await walk(posix.normalize(path), 1);
    return { entries };
  };

  const unary = async (sandbox: FakeE2BSandbox, method: string, message: Record<string, unknown>): Promise<unknown> => {
    const path = typeof message.path === 'string' ? message.path : '';
    switch (method) {
      case '/filesystem.Filesystem/ListDir':
        return listDir(sandbox, path, typeof message.depth === 'number' ? message.depth : 1);
      case '/filesystem.Filesystem/MakeDir': {
        const made = await mkdir(hostPath(sandbox, path), { recursive: true });
        if (made === undefined) throw new RpcFailure('already_exists', `directory ${path} already exists`);
        return { entry: { name: posix.basename(path), type: 'FILE_TYPE_DIRECTORY', path } };
      }
      case '/filesystem.Filesystem/Remove':
        await rm(hostPath(sandbox, path), { recursive: true, force: true });
        return {};
      case '/process.Process/SendSignal': {
        const pid = (message.process as { pid?: number } | undefined)?.pid ?? -1;
        if (!sandbox.processes.has(pid)) throw new RpcFailure('not_found', `process with pid ${pid} not found`);
        sandbox.signalled.push(pid);
        killGroup(pid, message.signal === 'SIGNAL_SIGTERM' ? 'SIGTERM' : 'SIGKILL');
        return {};
      }
      default:
        throw new RpcFailure('unimplemented', `${method} is not part of the fake`);
    }
  };

  const start = (sandbox: FakeE2BSandbox, message: Record<string, unknown>, response: ServerResponse): void => {
    const config = (message.process ?? {}) as { cmd?: string; args?: string[]; envs?: Record<string, string>; cwd?: string };
    response.writeHead(200, { 'content-type': 'application/connect+json' });
    const child = spawn(config.cmd ?? '/bin/bash', config.args ?? [], {
      cwd: hostPath(sandbox, config.cwd ?? '/home/user'),
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: hostPath(sandbox, '/home/user'), ...config.envs },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, so that a signal reaches what the shell started.
      detached: true,
    });
    const send = (event: unknown) => {
      if (!response.destroyed && !response.writableEnded) response.write(envelope(0, { event }));
    };
    child.on('spawn', () => {
      if (child.pid === undefined) return;
      sandbox.processes.set(child.pid, child);
      send({ start: { pid: child.pid } });
    });
    child.stdout?.on('data', (chunk: Buffer) => send({ data: { stdout: chunk.toString('base64') } }));
    child.stderr?.on('data', (chunk: Buffer) => send({ data: { stderr: chunk.toString('base64') } }));
    child.on('error', (error) => {
      if (!response.writableEnded)
        response.end(envelope(2, { error: { code: 'invalid_argument', message: `error starting process: ${error.message}` } }));
    });
    child.on('close', (code, signal) => {
      if (child.pid !== undefined) sandbox.processes.delete(child.pid);
      // What envd reports from Go's ProcessState: -1 and "signal: killed" for a process a signal ended.
      const ended = signal
        ? { exitCode: -1, exited: false, status: `signal: ${signal === 'SIGKILL' ? 'killed' : signal}` }
        : { exitCode: code ?? 0, exited: true, status: `exit status ${code}` };
      send({ end: ended });
      if (!response.writableEnded) response.end(envelope(2, {}));
    });
  };

  const envd = createServer((request, response) => {
    void (async () => {
      const url = new URL(request.url ?? '/', 'http://fake');
      const raw = await readBody(request);
      const streaming = request.headers['content-type'] === 'application/connect+json';
      const isJson = request.headers['content-type'] === 'application/json';
      const body: unknown = streaming
        ? unenvelope(raw)
        : isJson && raw.length > 0
          ? JSON.parse(raw.toString('utf8'))
          : raw.length || undefined;
      record('envd', request, url, body);
      const sandbox = await live(String(request.headers['e2b-sandbox-id'] ?? ''));
      // E2B's proxy answers for a sandbox that is not running, before envd could.
      if (!sandbox)
        return sendJson(response, 502, { code: 502, message: 'The sandbox was not found', sandboxId: request.headers['e2b-sandbox-id'] });
      if (request.headers['x-access-token'] !== sandbox.accessToken) {
        return sendJson(
          response,
          401,
          streaming || isJson
            ? { code: 'unauthenticated', message: 'invalid access token' }
            : { code: 401, message: 'invalid access token' },
        );
      }
      if (url.pathname === '/health') return response.writeHead(204).end();
      if (url.pathname === '/files') {
        const path = url.searchParams.get('path') ?? '';
        const file = hostPath(sandbox, path);
        if (request.method === 'GET') {
          const data = await readFile(file).catch(() => undefined);
          if (!data) return sendJson(response, 404, { code: 404, message: `path '${path}' does not exist` });
          return response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': data.length }).end(data);
        }
        if (request.method === 'POST' && request.headers['content-type'] === 'application/octet-stream') {
          await mkdir(dirname(file), { recursive: true });
          await writeFile(file, raw);
          return sendJson(response, 200, [{ name: posix.basename(path), type: 'file', path }]);
        }
        return sendJson(response, 400, { code: 400, message: 'the fake takes application/octet-stream uploads only' });
      }
      if (streaming && url.pathname === '/process.Process/Start') return start(sandbox, body as Record<string, unknown>, response);
      try {
        return sendJson(response, 200, await unary(sandbox, url.pathname, (body ?? {}) as Record<string, unknown>));
      } catch (error) {
        const failure = error instanceof RpcFailure ? error : new RpcFailure('internal', String(error));
        return sendJson(response, RPC_STATUS[failure.code] ?? 501, { code: failure.code, message: failure.message });
      }
    })().catch((error: unknown) => {
      if (!response.headersSent) sendJson(response, 500, { code: 'internal', message: String(error) });
    });
  });

  const listen = async (server: Server): Promise<string> => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };
  const [apiUrl, sandboxUrl] = await Promise.all([listen(api), listen(envd)]);
  const known = (id: string): FakeE2BSandbox => {
    const sandbox = sandboxes.get(id);
    if (!sandbox) throw new Error(`the fake E2B has no sandbox ${id}`);
    return sandbox;
  };

  return {
    apiUrl,
    sandboxUrl,
    apiKey,
    requests,
    sandboxes,
    hostPath: (sandboxId, remotePath) => hostPath(known(sandboxId), remotePath),
    expire: (sandboxId) => end(known(sandboxId)),
    close: async () => {
      await Promise.all([...sandboxes.values()].map(end));
      for (const server of [api, envd]) server.closeAllConnections();
      await Promise.all([api, envd].map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
      await rm(base, { recursive: true, force: true });
    },
  };
}

function killGroup(pid: number, signal: NodeJS.Signals = 'SIGKILL'): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}
