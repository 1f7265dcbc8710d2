import { HubError, isStorableText } from '../core/index.js';

export const MAX_PATH_LENGTH = 512;
const MAX_SEGMENT_LENGTH = 255;
const MAX_DEPTH = 32;

/**
 * Why a file path cannot name a file inside a sandbox, or undefined when it can. Paths are relative, `/`
 * separated, with no empty, `.` or `..` segment, no backslash, NUL or control character: confined by
 * construction, since there is no directory of the host they could be resolved against.
 */
export function sandboxPathProblem(path: string): string | undefined {
  if (path.length === 0) return 'is empty';
  if (path.length > MAX_PATH_LENGTH) return `is longer than ${MAX_PATH_LENGTH} characters`;
  if (path.startsWith('/')) return 'must be relative to the sandbox (no leading /)';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (/[\u0000-\u001f\u007f\\]/.test(path)) return 'may not contain backslashes or control characters';
  if (!isStorableText(path)) return 'is not well-formed Unicode';
  const segments = path.split('/');
  if (segments.length > MAX_DEPTH) return `is deeper than ${MAX_DEPTH} folders`;
  for (const segment of segments) {
    if (segment === '' || segment === '.' || segment === '..') return 'may not contain empty, "." or ".." segments';
    if (segment.length > MAX_SEGMENT_LENGTH) return `has a segment longer than ${MAX_SEGMENT_LENGTH} characters`;
  }
  return undefined;
}

/** The path, or a 400 naming what is wrong with it. */
export function sandboxPath(path: string): string {
  const problem = sandboxPathProblem(path);
  if (problem)
    throw new HubError('INVALID_REQUEST', `Invalid file path ${JSON.stringify(path.slice(0, 100))}: it ${problem}.`, {
      param: 'path',
      code: 'invalid_path',
    });
  return path;
}
