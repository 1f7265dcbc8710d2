import { readFile } from 'node:fs/promises';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface SelfTime {
  name: string;
  selfMs: number;
  /** Share of the busy (non-idle) time. */
  selfPct: number;
}

export interface ProfileSummary {
  file: string;
  busyMs: number;
  idleMs: number;
  functions: SelfTime[];
  categories: SelfTime[];
}

/** Where a frame's code lives: a package, a TokenHub folder, a Node built-in, or a V8 pseudo-frame. */
export function categoryOf(frame: CallFrame): string {
  const url = frame.url;
  const inModules = url.lastIndexOf('/node_modules/');
  if (inModules >= 0) {
    const parts = url.slice(inModules + '/node_modules/'.length).split('/');
    return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1] ?? ''}` : (parts[0] ?? 'node_modules');
  }
  const inDist = url.lastIndexOf('/dist/');
  if (inDist >= 0) {
    const parts = url.slice(inDist + '/dist/'.length).split('/');
    return `tokenhub ${parts.length > 1 ? `${parts[0]}/` : parts[0]}`;
  }
  if (url.startsWith('node:')) return url.split('/').slice(0, 2).join('/');
  if (url.startsWith('wasm://')) return 'WASM (PGlite)';
  if (url === '') return frame.functionName.startsWith('(') ? frame.functionName : 'V8/native builtins';
  return url;
}

function location(frame: CallFrame): string {
  const url = frame.url.replace(/^file:\/\//, '');
  const short = url.includes('/node_modules/')
    ? url.slice(url.lastIndexOf('/node_modules/') + 14)
    : url.includes('/dist/')
      ? url.slice(url.lastIndexOf('/dist/') + 1)
      : url;
  return short ? `${short}:${frame.lineNumber + 1}` : 'native';
}

function top(totals: Map<string, number>, busyUs: number, limit: number): SelfTime[] {
  return [...totals.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([name, micros]) => ({ name, selfMs: Math.round(micros / 100) / 10, selfPct: Math.round((micros / busyUs) * 1000) / 10 }));
}

/**
 * Self time per function and per category from a `--cpu-prof` file; with `lastMs`, only the samples of
 * that final window (the load), leaving out start-up (module compilation, database open).
 */
export async function summariseCpuProfile(file: string, limit = 15, lastMs?: number): Promise<ProfileSummary> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  const selfByNode = new Map<number, number>();
  const from = lastMs === undefined ? Number.NEGATIVE_INFINITY : profile.endTime - lastMs * 1000;
  let at = profile.startTime;
  for (let index = 0; index < samples.length; index++) {
    at += deltas[index] ?? 0;
    if (at < from) continue;
    const id = samples[index] ?? 0;
    selfByNode.set(id, (selfByNode.get(id) ?? 0) + Math.max(0, deltas[index] ?? 0));
  }
  const functions = new Map<string, number>();
  const categories = new Map<string, number>();
  let idleUs = 0;
  let busyUs = 0;
  for (const [id, micros] of selfByNode) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    if (frame.functionName === '(idle)') {
      idleUs += micros;
      continue;
    }
    busyUs += micros;
    const name = `${frame.functionName || '(anonymous)'} ${location(frame)}`;
    functions.set(name, (functions.get(name) ?? 0) + micros);
    const category = categoryOf(frame);
    categories.set(category, (categories.get(category) ?? 0) + micros);
  }
  return {
    file,
    busyMs: Math.round(busyUs / 1000),
    idleMs: Math.round(idleUs / 1000),
    functions: top(functions, busyUs || 1, limit),
    categories: top(categories, busyUs || 1, limit),
  };
}
