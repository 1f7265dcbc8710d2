/**
 * What sandbox code and its callers must not reach: a file outside the sandbox (named over HTTP or from code),
 * a symbolic link kept as a file, the host's files or environment, the network without a grant, and with a
 * grant an address the upstream URL policy refuses.
 */
import { readFileSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type SandboxHub, startSandboxHub } from './sandbox-hub.js';

interface CodeResult {
  stdout: string;
  result: unknown;
  error: { name: string; message: string; code?: string } | null;
  files: { changed: string[]; removed: string[]; skipped: { path: string; reason: string }[] };
}
interface ErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}
interface FileList {
  data: { path: string; size: number }[];
}

let box: SandboxHub;
/** A server on loopback that counts every TCP connection and HTTP request it is sent. */
let target: Server;
let targetPort: number;
const seen = { connections: 0, requests: [] as string[] };

beforeAll(async () => {
  target = createServer((request, response) => {
    seen.requests.push(request.url ?? '');
    response.writeHead(200, { 'content-type': 'text/plain' });
    response.end(`target saw ${request.url}`);
  });
  target.on('connection', () => {
    seen.connections++;
  });
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
  targetPort = (target.address() as AddressInfo).port;
  box = await startSandboxHub({ sandboxes: { allow_network: true } });
});
afterAll(async () => {
  await box?.close();
  target?.closeAllConnections();
  await new Promise<void>((resolve) => target?.close(() => resolve()));
});
beforeEach(() => {
  seen.connections = 0;
  seen.requests = [];
});

async function sandbox(body: Record<string, unknown> = {}): Promise<string> {
  const created = await box.call<{ id: string }>('POST', '/v1/sandboxes', body);
  expect(created.status).toBe(201);
  return created.body.id;
}

async function run(id: string, language: 'javascript' | 'python', code: string): Promise<CodeResult> {
  const answer = await box.call<CodeResult>('POST', `/v1/sandboxes/${id}/code`, { language, code });
  expect(answer.status).toBe(200);
  return answer.body;
}

/** A request whose path goes out byte for byte as written (fetch would resolve `..` and `%2e%2e` first). */
function rawRequest(method: string, path: string, body?: string): Promise<{ status: number; text: string }> {
  const { hostname, port } = new URL(box.hub.url);
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      {
        host: hostname,
        port,
        method,
        path,
        headers: { authorization: `Bearer ${box.key}`, ...(body === undefined ? {} : { 'content-type': 'text/plain' }) },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

const HOST_PASSWD = readFileSync('/etc/passwd', 'utf8');

describe('file paths that leave the sandbox', () => {
  const escapes = [
    '../escape.txt',
    'a/../../escape.txt',
    '%2e%2e/escape.txt',
    '%2E%2E%2Fescape.txt',
    '.%2e/escape.txt',
    '/etc/passwd',
    '%2Fetc%2Fpasswd',
    '..%5Cescape.txt',
    'dir%5Cescape.txt',
    'a%00b.txt',
    '%00',
    './escape.txt',
    'a//escape.txt',
  ];

  it.each(['GET', 'PUT', 'DELETE'])('%s on the files routes refuses each with a 400 invalid_path in the OpenAI shape', async (method) => {
    const id = await sandbox();
    for (const path of escapes) {
      const answer = await rawRequest(method, `/v1/sandboxes/${id}/files/${path}`, method === 'PUT' ? 'stolen' : undefined);
      expect({ path, status: answer.status }).toEqual({ path, status: 400 });
      const body = JSON.parse(answer.text) as ErrorBody;
      expect(body.error).toMatchObject({ type: 'invalid_request_error', param: 'path', code: 'invalid_path' });
      expect(body.error.message).toMatch(/path/i);
    }
    const listing = await box.call<FileList>('GET', `/v1/sandboxes/${id}/files`);
    expect(listing.body.data).toEqual([]);
    expect((await box.call<{ files: unknown }>('GET', `/v1/sandboxes/${id}`)).body.files).toEqual({ count: 0, bytes: 0 });
  });

  it("JavaScript's files API refuses the same paths", async () => {
    const id = await sandbox();
    const js = await run(
      id,
      'javascript',
      `const out = [];
       for (const path of ['../escape.txt', '/etc/passwd', 'a\\\\b.txt', 'a\\u0000b', 'a/../b', '']) {
         try { files.write(path, 'stolen'); out.push('written ' + path); } catch (error) { out.push('refused'); }
       }
       out`,
    );
    expect(js.result).toEqual(['refused', 'refused', 'refused', 'refused', 'refused', 'refused']);
    expect(js.files.changed).toEqual([]);
  });

  it('keeps nothing Python writes outside the sandbox or under a name the sandbox cannot hold', async () => {
    const id = await sandbox();
    const python = await run(
      id,
      'python',
      `import os
open('../escape.txt', 'w').write('outside')
open('/tmp/escape.txt', 'w').write('outside')
open('a\\\\b.txt', 'w').write('backslash')
open('bad\\x01name.txt', 'w').write('control')
open('inside.txt', 'w').write('inside')`,
    );
    expect(python.error).toBeNull();
    const listing = await box.call<FileList>('GET', `/v1/sandboxes/${id}/files`);
    expect(listing.body.data.map((file) => file.path)).toEqual(['inside.txt']);
    expect(python.files.skipped.map((entry) => entry.path).sort()).toEqual(['a\\b.txt', 'bad\u0001name.txt']);
    // What the result says was changed is what was kept: a skipped path is not also reported as changed.
    expect(python.files.changed).toEqual(['inside.txt']);
  }, 60_000);
});

describe('symbolic links', () => {
  it('are not kept: reported in files.skipped, never readable over HTTP, gone by the next call', async () => {
    const id = await sandbox();
    const made = await run(
      id,
      'python',
      `import os
open('real.txt', 'w').write('real')
os.symlink('/etc/passwd', 'passwd-link')
os.symlink('real.txt', 'inner-link')
os.makedirs('d')
os.symlink('/', 'd/root-link')
try:
    through = open('passwd-link').read()
except OSError as error:
    through = type(error).__name__
through`,
    );
    expect(made.error).toBeNull();
    expect(made.result).not.toBe(HOST_PASSWD);
    expect(made.files.changed).toEqual(['real.txt']);
    expect(made.files.skipped.map((entry) => entry.path).sort()).toEqual(['d/root-link', 'inner-link', 'passwd-link']);
    for (const entry of made.files.skipped) expect(entry.reason).toMatch(/symbolic link/);

    const listing = await box.call<FileList>('GET', `/v1/sandboxes/${id}/files`);
    expect(listing.body.data.map((file) => file.path)).toEqual(['real.txt']);
    for (const path of ['passwd-link', 'inner-link', 'd/root-link']) {
      const read = await box.call<ErrorBody>('GET', `/v1/sandboxes/${id}/files/${path}`);
      expect(read.status).toBe(404);
      expect(read.body.error.code).toBe('file_not_found');
    }
    const after = await run(
      id,
      'python',
      `import os\n[os.path.lexists(p) for p in ('passwd-link', 'inner-link', 'd/root-link', 'real.txt')]`,
    );
    expect(after.result).toEqual([false, false, false, true]);
  }, 60_000);
});

describe("the host's files and environment", () => {
  it('JavaScript sees no process, require, network or host file', async () => {
    const id = await sandbox();
    const probe = await run(
      id,
      'javascript',
      `let read;
       try { read = files.read('/etc/passwd'); } catch (error) { read = 'refused'; }
       [typeof process, typeof require, typeof globalThis.process, typeof fetch, typeof XMLHttpRequest, typeof WebSocket, read]`,
    );
    expect(probe.result).toEqual(['undefined', 'undefined', 'undefined', 'undefined', 'undefined', 'undefined', 'refused']);
  });

  it("Python cannot import js, reads no host file (not even by mounting the host's file system) and sees none of the hub's environment", async () => {
    const id = await sandbox();
    const probe = await run(
      id,
      'python',
      `import os, sys
out = {}
try:
    import js
    out['import js'] = 'imported'
except ImportError as error:
    out['import js'] = type(error).__name__
try:
    out['/etc/passwd'] = open('/etc/passwd').read()
except OSError as error:
    out['/etc/passwd'] = type(error).__name__
sys.modules.pop('pyodide_js', None)
import pyodide_js
for host in ('/etc', '/'):
    try:
        pyodide_js.mountNodeFS('/host' + host.replace('/', '-'), host)
        out['mount ' + host] = open('/host' + host.replace('/', '-') + ('/passwd' if host == '/etc' else '/etc/passwd')).read()
    except Exception as error:
        out['mount ' + host] = 'refused'
out['environ'] = dict(os.environ)
out`,
    );
    expect(probe.error).toBeNull();
    const result = probe.result as Record<string, unknown>;
    expect(result['import js']).toBe('ModuleNotFoundError');
    for (const key of ['/etc/passwd', 'mount /etc', 'mount /'])
      expect({ key, value: result[key] }).not.toEqual({ key, value: HOST_PASSWD });
    expect(result['mount /etc']).toBe('refused');
    expect(result['mount /']).toBe('refused');
    const environ = result.environ as Record<string, string>;
    expect(Object.keys(environ).filter((name) => /TOKENHUB|DATABASE|REDIS|SECRET|TOKEN|KEY/i.test(name))).toEqual([]);
    expect(Object.values(environ).filter((value) => value.includes(box.hub.adminKey) || value.includes('postgres://'))).toEqual([]);
  }, 60_000);
});

describe('the network without a grant', () => {
  it("Python's pyodide.http.pyfetch fails and reaches nothing", async () => {
    const id = await sandbox();
    const probe = await run(id, 'python', `import pyodide.http\nawait pyodide.http.pyfetch('http://127.0.0.1:${targetPort}/pyfetch')`);
    expect(probe.error).not.toBeNull();
    expect(seen).toEqual({ connections: 0, requests: [] });
  }, 60_000);

  it("Python's sockets (urllib, socket, asyncio) open no connection", async () => {
    const id = await sandbox();
    const probe = await run(
      id,
      'python',
      `import asyncio, socket, sys, urllib.request
out = []
try:
    urllib.request.urlopen('http://127.0.0.1:${targetPort}/urllib', timeout=2).read()
    out.append('urllib connected')
except Exception as error:
    out.append('urllib refused')
try:
    sock = socket.create_connection(('127.0.0.1', ${targetPort}), timeout=2)
    sock.sendall(b'GET /socket HTTP/1.0\\r\\n\\r\\n')
    out.append('socket connected')
except Exception as error:
    out.append('socket refused')
try:
    sys.modules.pop('pyodide_js', None)
    import pyodide_js
    await pyodide_js.useNodeSockFS()
    reader, writer = await asyncio.wait_for(asyncio.open_connection('127.0.0.1', ${targetPort}), 2)
    writer.write(b'GET /asyncio HTTP/1.0\\r\\n\\r\\n')
    await writer.drain()
    await asyncio.wait_for(reader.read(100), 2)
    out.append('asyncio connected')
except Exception as error:
    out.append('asyncio refused')
out`,
    );
    expect({ result: probe.result, seen }).toEqual({
      result: ['urllib refused', 'socket refused', 'asyncio refused'],
      seen: { connections: 0, requests: [] },
    });
  }, 60_000);
});

describe('the network with a grant', () => {
  it("JavaScript's fetch reaches a loopback server (the default policy allows loopback) and is refused a metadata address", async () => {
    const id = await sandbox({ network: true });
    const allowed = await run(id, 'javascript', `(async () => await fetch('http://127.0.0.1:${targetPort}/granted'))()`);
    expect(allowed.error).toBeNull();
    expect(allowed.result).toMatchObject({ status: 200, body: 'target saw /granted' });
    expect(seen.requests).toEqual(['/granted']);

    // The policy refuses before any connection is made: 169.254.169.254 is never dialled.
    const refused = await run(
      id,
      'javascript',
      `(async () => {
         try { await fetch('http://169.254.169.254/latest/meta-data/'); return 'connected'; }
         catch (error) { return 'refused: ' + error.message; }
       })()`,
    );
    expect(refused.result).toMatch(/^refused: .*metadata address.*upstream URL policy/);
  });

  it("Python's pyodide.http.pyfetch reaches a loopback server and is refused a metadata address", async () => {
    const id = await sandbox({ network: true });
    const probe = await run(
      id,
      'python',
      `import pyodide.http
allowed = await (await pyodide.http.pyfetch('http://127.0.0.1:${targetPort}/granted-python')).text()
try:
    await pyodide.http.pyfetch('http://169.254.169.254/latest/meta-data/')
    refused = 'connected'
except Exception as error:
    refused = 'refused: ' + str(error)
[allowed, refused]`,
    );
    expect(probe.error).toBeNull();
    const [allowed, refused] = probe.result as [string, string];
    expect(allowed).toBe('target saw /granted-python');
    expect(refused).toMatch(/^refused: .*upstream URL policy/);
    expect(seen.requests).toEqual(['/granted-python']);
  }, 60_000);
});
