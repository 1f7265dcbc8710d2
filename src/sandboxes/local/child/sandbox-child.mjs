// The process one local sandbox's code runs in. It is plain JavaScript because it starts under Node's
// permission model (no reads outside the interpreters' packages, no writes, no child processes, no workers)
// with code generation from strings disabled, where no TypeScript loader could run. It speaks to the hub
// over the IPC channel only; the hub owns the sandbox's files and sends the ones the code needs.
//
// JavaScript runs in QuickJS compiled to WebAssembly: the guest reaches nothing of this process but the
// functions given to it below. Python runs in Pyodide, whose foreign-function interface can reach this
// process's JavaScript; that is why this process is the boundary, not Pyodide (docs/sandboxes.md).
import fs from 'node:fs';

const realBinding = process.binding;
// Pyodide's NODEFS reads file flags from process.binding('constants'), which the permission model forbids.
process.binding = (name) => {
  if (name === 'constants') return { fs: fs.constants };
  return realBinding.call(process, name);
};

// A hub killed with SIGKILL cannot stop its sandboxes, and code in a tight loop never lets this thread see the
// IPC channel close. Where the hub could not start this process under `setpriv --pdeathsig` (the kernel then
// kills it with its parent), a watchdog thread ends it as soon as it is orphaned.
if (process.env.ORPHAN_WATCHDOG === '1') {
  const { Worker } = await import('node:worker_threads');
  new Worker(
    `const parent = process.ppid;
     setInterval(() => { if (process.ppid !== parent) process.kill(process.pid, 'SIGKILL'); }, 200);`,
    { eval: true },
  ).unref();
}

// No sockets: Node 20's permission model does not cover the network, and Pyodide's socket layer (and anything
// that escaped into this process's JavaScript) would reach it through Node's net, dgram and dns. Every
// connection, listener, datagram and lookup in this process goes through these prototypes and functions.
{
  const refuse = (what) =>
    function refused() {
      throw Object.assign(new Error(`${what}: this sandbox has no network (the hub makes granted requests for it)`), { code: 'EACCES' });
    };
  const net = await import('node:net');
  const dgram = await import('node:dgram');
  const dns = await import('node:dns');
  net.Socket.prototype.connect = refuse('connect');
  net.Server.prototype.listen = refuse('listen');
  for (const method of ['bind', 'connect', 'send']) dgram.Socket.prototype[method] = refuse(`udp ${method}`);
  for (const target of [dns.default, dns.default.promises, dns.Resolver.prototype, dns.promises.Resolver.prototype]) {
    for (const name of Object.getOwnPropertyNames(target)) {
      if (name !== 'constructor' && typeof target[name] === 'function') target[name] = refuse(`dns ${name}`);
    }
  }
}

const { QUICKJS_URL, PYODIDE_URL } = process.env;
const { newQuickJSWASMModule, shouldInterruptAfterDeadline } = await import(QUICKJS_URL);
const quickjs = await newQuickJSWASMModule();

for (const name of ['fetch', 'WebSocket', 'EventSource', 'XMLHttpRequest']) delete globalThis[name];

/** `fetch` for Python's `pyodide.http` while the sandbox has the network: the hub makes the request, under its address policy. */
async function hubFetch(input, init = {}) {
  const request = input instanceof Request ? input : undefined;
  const url = request ? request.url : String(input);
  const method = init.method ?? request?.method;
  let body = init.body ?? (request && method !== 'GET' && method !== 'HEAD' ? await request.text() : undefined);
  if (body !== undefined && body !== null && typeof body !== 'string') body = decoder.decode(body);
  const headerSource = init.headers ?? request?.headers;
  const headers = headerSource ? Object.fromEntries(new Headers(headerSource)) : undefined;
  const answer = await ask({ ask: 'fetch', url, method, headers, body: body ?? undefined });
  return new Response(answer.body, { status: answer.status, headers: answer.contentType ? { 'content-type': answer.contentType } : {} });
}

const FILES_ROOT = '/sandbox';
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: false });

/** The sandbox's files as this process holds them: path → { version, data }. The hub is the authority. */
const files = new Map();
/** Paths the current call wrote or removed (JavaScript's files API, or Python's file system after the call). */
let dirty = new Set();

let limits = { memoryBytes: 64 * 1024 * 1024, outputBytes: 64 * 1024, cpuMs: 10_000 };
let network = false;

const pending = new Map();
let nextRequest = 0;
function ask(message) {
  const id = ++nextRequest;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    process.send({ ...message, type: 'ask', id });
  });
}

class Output {
  constructor(cap) {
    this.cap = cap;
    this.bytes = 0;
    this.parts = [];
    this.truncated = false;
  }
  write(text) {
    if (this.truncated) return;
    const size = Buffer.byteLength(text);
    if (this.bytes + size > this.cap) {
      const room = this.cap - this.bytes;
      // Cut at a character boundary: a partial character would decode to U+FFFD and pass the cap.
      this.parts.push(new TextDecoder('utf-8').decode(Buffer.from(text).subarray(0, room), { stream: true }));
      this.bytes = this.cap;
      this.truncated = true;
      return;
    }
    this.bytes += size;
    this.parts.push(text);
  }
  text() {
    return this.parts.join('');
  }
}

function cpuMsSince(start) {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

function validPath(path) {
  if (typeof path !== 'string' || path.length === 0 || path.length > 512) return false;
  if (path.startsWith('/') || path.includes('\\') || path.includes('\0')) return false;
  return path.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..');
}

/** A JSON value of the result, or its text when it is not one. */
function jsonResult(value, cap) {
  if (value === undefined) return null;
  try {
    const text = JSON.stringify(value);
    if (text === undefined) return String(value);
    if (Buffer.byteLength(text) > cap) return { truncated: true, preview: text.slice(0, Math.min(1024, cap)) };
    return JSON.parse(text);
  } catch {
    return String(value);
  }
}

// ---------------------------------------------------------------- JavaScript (QuickJS)
let jsRuntime;
let jsContext;

function javascriptContext() {
  if (jsContext) return jsContext;
  jsRuntime = quickjs.newRuntime();
  jsRuntime.setMemoryLimit(limits.memoryBytes);
  jsRuntime.setMaxStackSize(1024 * 1024);
  const vm = jsRuntime.newContext();
  jsContext = vm;
  return vm;
}

function defineGuestApi(vm, stdout, stderr) {
  const define = (target, name, fn) => {
    const handle = vm.newFunction(name, fn);
    vm.setProp(target, name, handle);
    handle.dispose();
  };
  const consoleObject = vm.newObject();
  const print =
    (output) =>
    (...args) => {
      const text = args.map((arg) => {
        const value = vm.dump(arg);
        return typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
      });
      output.write(`${text.join(' ')}\n`);
    };
  define(consoleObject, 'log', print(stdout));
  define(consoleObject, 'info', print(stdout));
  define(consoleObject, 'error', print(stderr));
  define(consoleObject, 'warn', print(stderr));
  vm.setProp(vm.global, 'console', consoleObject);
  consoleObject.dispose();

  const filesObject = vm.newObject();
  const guard = (path) => {
    const name = vm.dump(path);
    // QuickJS hands strings over as C strings: a NUL would silently cut the name short.
    const length = vm.getProp(path, 'length').consume((handle) => vm.dump(handle));
    if (typeof name !== 'string' || name.length !== length || !validPath(name))
      throw new Error(`invalid path: ${JSON.stringify(name)} (relative, no "..", at most 512 characters)`);
    return name;
  };
  define(filesObject, 'read', (pathHandle) => {
    try {
      const path = guard(pathHandle);
      const file = files.get(path);
      if (!file) return { error: vm.newError(`no such file: ${path}`) };
      return vm.newString(decoder.decode(file.data));
    } catch (error) {
      return { error: vm.newError(error.message) };
    }
  });
  define(filesObject, 'write', (pathHandle, contentHandle) => {
    try {
      const path = guard(pathHandle);
      const content = vm.dump(contentHandle);
      const data = encoder.encode(typeof content === 'string' ? content : JSON.stringify(content));
      files.set(path, { version: null, data });
      dirty.add(path);
      return vm.undefined;
    } catch (error) {
      return { error: vm.newError(error.message) };
    }
  });
  define(filesObject, 'remove', (pathHandle) => {
    try {
      const path = guard(pathHandle);
      files.delete(path);
      dirty.add(path);
      return vm.undefined;
    } catch (error) {
      return { error: vm.newError(error.message) };
    }
  });
  define(filesObject, 'list', () => {
    const list = vm.newArray();
    [...files.keys()].sort().forEach((path, index) => {
      const item = vm.newString(path);
      vm.setProp(list, index, item);
      item.dispose();
    });
    return list;
  });
  vm.setProp(vm.global, 'files', filesObject);
  filesObject.dispose();

  if (network) {
    define(vm.global, 'fetch', (urlHandle, initHandle) => {
      const url = vm.dump(urlHandle);
      const init = initHandle ? vm.dump(initHandle) : {};
      const deferred = vm.newPromise();
      ask({ ask: 'fetch', url: String(url), method: init?.method, headers: init?.headers, body: init?.body }).then(
        (answer) => {
          const response = vm.newObject();
          for (const [key, value] of Object.entries(answer)) {
            const handle = typeof value === 'number' ? vm.newNumber(value) : vm.newString(String(value));
            vm.setProp(response, key, handle);
            handle.dispose();
          }
          deferred.resolve(response);
          response.dispose();
          jsRuntime.executePendingJobs();
        },
        (error) => {
          const handle = vm.newError(error.message);
          deferred.reject(handle);
          handle.dispose();
          jsRuntime.executePendingJobs();
        },
      );
      return deferred.handle;
    });
  } else if (vm.getProp(vm.global, 'fetch').consume((handle) => vm.typeof(handle)) === 'function') {
    vm.setProp(vm.global, 'fetch', vm.undefined);
  }
}

function describeGuestError(vm, handle) {
  const error = vm.dump(handle);
  if (error && typeof error === 'object') {
    const message = String(error.message ?? error);
    const name = String(error.name ?? 'Error');
    const stack = typeof error.stack === 'string' ? error.stack : undefined;
    return { name, message, ...(stack ? { traceback: stack } : {}) };
  }
  return { name: 'Error', message: String(error) };
}

async function runJavaScript(code, stdout, stderr, started) {
  const vm = javascriptContext();
  jsRuntime.setMemoryLimit(limits.memoryBytes);
  // A backstop only: the hub's watch holds the wall-clock limit (it knows how many calls share the cores), and
  // under contention CPU time, not the clock, is what stops the code.
  const deadline = Date.now() + limits.cpuMs * 30 + 60_000;
  let cpuExceeded = false;
  const pastDeadline = shouldInterruptAfterDeadline(deadline);
  jsRuntime.setInterruptHandler(() => {
    if (cpuMsSince(started) > limits.cpuMs) {
      cpuExceeded = true;
      return true;
    }
    return pastDeadline();
  });
  defineGuestApi(vm, stdout, stderr);
  const evaluated = vm.evalCode(code, 'main.js');
  let value;
  let error;
  if (evaluated.error) {
    error = describeGuestError(vm, evaluated.error);
    evaluated.error.dispose();
  } else {
    const handle = evaluated.value;
    if (vm.typeof(handle) === 'object' && vm.getProp(handle, 'then').consume((then) => vm.typeof(then)) === 'function') {
      const settled = vm.resolvePromise(handle);
      handle.dispose();
      jsRuntime.executePendingJobs();
      const outcome = await settled;
      if (outcome.error) {
        error = describeGuestError(vm, outcome.error);
        outcome.error.dispose();
      } else {
        value = vm.dump(outcome.value);
        outcome.value.dispose();
      }
    } else {
      value = vm.dump(handle);
      handle.dispose();
    }
  }
  jsRuntime.executePendingJobs();
  if (cpuExceeded)
    error = { name: 'CpuLimitExceeded', message: `stopped at the CPU-time limit of ${limits.cpuMs} ms`, code: 'cpu_limit_exceeded' };
  else if (error?.message === 'out of memory' || /out of memory/i.test(error?.message ?? '')) {
    error = { ...error, code: 'memory_limit_exceeded', message: `stopped at the memory limit of ${limits.memoryBytes} bytes` };
  } else if (error && error.message === 'interrupted') {
    error = { ...error, code: 'time_limit_exceeded', message: 'stopped at the time limit' };
  }
  return { value, error };
}

// ---------------------------------------------------------------- Python (Pyodide)
let pyodide;
/** What Python's file system held after the last sync: path → { size, mtime }. */
const pythonView = new Map();

async function python(stdoutRef, stderrRef) {
  if (!pyodide) {
    process.send({ type: 'loading' });
    const { loadPyodide } = await import(PYODIDE_URL);
    // `import js` sees only this object: nothing without the network; with it, what `pyodide.http` needs, its
    // fetch being the hub's (the process has no sockets of its own).
    const jsglobals = Object.create(null);
    if (network) Object.assign(jsglobals, { fetch: hubFetch, AbortController, AbortSignal, Headers, Request, Response, Object, Promise });
    pyodide = await loadPyodide({ jsglobals, env: { HOME: FILES_ROOT } });
    pyodide.FS.mkdirTree(FILES_ROOT);
    process.send({ type: 'baseline', rssBytes: process.memoryUsage.rss() });
    pyodide.runPython(`
import os, sys
os.chdir(${JSON.stringify(FILES_ROOT)})
${network ? 'for name in ():' : "for name in ('js', 'pyodide_js'):"}
    sys.modules[name] = None
`);
  }
  pyodide.setStdout({
    write: (bytes) => {
      stdoutRef.current.write(decoder.decode(bytes));
      return bytes.length;
    },
  });
  pyodide.setStderr({
    write: (bytes) => {
      stderrRef.current.write(decoder.decode(bytes));
      return bytes.length;
    },
  });
  return pyodide;
}

function pythonWalk(py, dir, prefix, out) {
  for (const name of py.FS.readdir(dir)) {
    if (name === '.' || name === '..') continue;
    const full = `${dir}/${name}`;
    const path = prefix ? `${prefix}/${name}` : name;
    const stat = py.FS.lstat(full);
    if (py.FS.isLink(stat.mode)) out.set(path, { link: true });
    else if (py.FS.isDir(stat.mode)) pythonWalk(py, full, path, out);
    else if (py.FS.isFile(stat.mode)) out.set(path, { size: stat.size, mtime: Number(stat.mtime) });
  }
}

function pythonWriteIn(py, path, data) {
  const full = `${FILES_ROOT}/${path}`;
  const parent = full.slice(0, full.lastIndexOf('/'));
  py.FS.mkdirTree(parent);
  py.FS.writeFile(full, data);
  const stat = py.FS.stat(full);
  pythonView.set(path, { size: stat.size, mtime: Number(stat.mtime) });
}

/** Brings Python's file system in line with the sandbox's files before a call. */
function syncIntoPython(py) {
  const present = new Map();
  pythonWalk(py, FILES_ROOT, '', present);
  for (const [path, entry] of present) {
    if (!files.has(path)) {
      py.FS.unlink(`${FILES_ROOT}/${path}`);
      pythonView.delete(path);
    } else if (entry.link) {
      py.FS.unlink(`${FILES_ROOT}/${path}`);
    }
  }
  for (const [path, file] of files) {
    const seen = pythonView.get(path);
    const now = present.get(path);
    if (!seen || !now || now.link || seen.synced !== file) {
      pythonWriteIn(py, path, file.data);
      pythonView.get(path).synced = file;
    }
  }
}

/** Takes what the call changed in Python's file system into the sandbox's files; symbolic links are not files. */
function syncOutOfPython(py, skipped) {
  const present = new Map();
  pythonWalk(py, FILES_ROOT, '', present);
  for (const [path, entry] of present) {
    if (entry.link) {
      skipped.push({ path, reason: 'symbolic links are not kept' });
      continue;
    }
    if (!validPath(path)) {
      skipped.push({ path, reason: 'not a valid sandbox path' });
      continue;
    }
    const seen = pythonView.get(path);
    if (seen && seen.size === entry.size && seen.mtime === entry.mtime && files.has(path)) continue;
    const data = py.FS.readFile(`${FILES_ROOT}/${path}`);
    const file = { version: null, data };
    files.set(path, file);
    pythonView.set(path, { ...entry, synced: file });
    dirty.add(path);
  }
  for (const path of [...files.keys()]) {
    if (!present.has(path) || present.get(path).link) {
      files.delete(path);
      pythonView.delete(path);
      dirty.add(path);
    }
  }
}

function pythonValue(value) {
  if (value === undefined || value === null) return value ?? null;
  if (typeof value === 'object' && typeof value.toJs === 'function') {
    try {
      const converted = value.toJs({ dict_converter: Object.fromEntries, create_pyproxies: false });
      return converted;
    } catch {
      return String(value);
    } finally {
      value.destroy?.();
    }
  }
  return value;
}

async function runPython(code, stdout, stderr) {
  const ref = { stdout: { current: stdout }, stderr: { current: stderr } };
  const py = await python(ref.stdout, ref.stderr);
  syncIntoPython(py);
  const skipped = [];
  let value;
  let error;
  try {
    value = pythonValue(await py.runPythonAsync(code, { filename: 'main.py' }));
  } catch (thrown) {
    const message = String(thrown?.message ?? thrown);
    const lines = message.trim().split('\n');
    const last = lines.at(-1) ?? message;
    const match = /^(\w+(?:\.\w+)*):\s?(.*)$/.exec(last);
    const name = match ? match[1] : 'Error';
    error = {
      name,
      message: match ? match[2] : last,
      traceback: lines.filter((line) => !line.includes('/_pyodide/')).join('\n'),
      ...(name === 'MemoryError' ? { code: 'memory_limit_exceeded' } : {}),
    };
  }
  syncOutOfPython(py, skipped);
  return { value, error, skipped };
}

// ---------------------------------------------------------------- the hub's messages
function applyFiles(message) {
  for (const [path, version] of files) {
    if (!(path in message.manifest)) files.delete(path);
    else if (message.manifest[path] !== version.version && !message.files?.[path]) files.delete(path);
  }
  for (const [path, data] of Object.entries(message.files ?? {})) {
    files.set(path, { version: message.manifest[path], data: new Uint8Array(data) });
  }
}

async function run(message) {
  limits = message.limits;
  network = message.network === true;
  dirty = new Set();
  applyFiles(message);
  const stdout = new Output(limits.outputBytes);
  const stderr = new Output(limits.outputBytes);
  // Loading Pyodide is the hub's work, not the call's: it is neither timed nor billed.
  if (message.language === 'python') await python({ current: stdout }, { current: stderr });
  const started = process.cpuUsage();
  const wallStarted = performance.now();
  const outcome =
    message.language === 'python'
      ? await runPython(message.code, stdout, stderr)
      : await runJavaScript(message.code, stdout, stderr, started);
  const cpuMs = cpuMsSince(started);
  const changed = {};
  const removed = [];
  for (const path of dirty) {
    const file = files.get(path);
    if (file) changed[path] = file.data;
    else removed.push(path);
  }
  return {
    stdout: stdout.text(),
    stderr: stderr.text(),
    outputTruncated: stdout.truncated || stderr.truncated,
    result: outcome.error ? null : jsonResult(outcome.value, limits.outputBytes),
    error: outcome.error ?? null,
    cpuMs,
    durationMs: performance.now() - wallStarted,
    changed,
    removed,
    skipped: outcome.skipped ?? [],
    rssBytes: process.memoryUsage.rss(),
  };
}

/** Versions the hub assigned to the files this call wrote, so that the next call does not send them back. */
function acknowledge(message) {
  for (const [path, version] of Object.entries(message.versions)) {
    const file = files.get(path);
    if (file) file.version = version;
  }
}

let queue = Promise.resolve();
process.on('message', (message) => {
  if (message.type === 'answer') {
    const waiter = pending.get(message.id);
    pending.delete(message.id);
    if (message.error) waiter?.reject(new Error(message.error));
    else waiter?.resolve(message.value);
    return;
  }
  if (message.type === 'ack') {
    acknowledge(message);
    return;
  }
  if (message.type !== 'run') return;
  queue = queue.then(async () => {
    try {
      process.send({ type: 'result', id: message.id, ...(await run(message)) });
    } catch (error) {
      process.send({ type: 'result', id: message.id, failure: String(error?.stack ?? error) });
    }
  });
});
process.on('disconnect', () => process.exit(0));
process.send({ type: 'ready', rssBytes: process.memoryUsage.rss() });
