import { pyFloatRepr } from './numbers.js';

/**
 * Python's `json.dumps` as τ² calls it (default separators `", "` and `": "`, `ensure_ascii`), so tool
 * results read byte for byte like τ²'s. Every JS number is written as a Python float: all numbers of the
 * retail model are floats. A `PyDict` keeps its members in the order given, whatever the keys look like.
 */
export class PyDict {
  readonly entries: readonly (readonly [string, PyValue])[];
  constructor(entries: readonly (readonly [string, PyValue])[]) {
    this.entries = entries;
  }
}

export type PyValue = null | boolean | number | string | readonly PyValue[] | PyDict | { readonly [key: string]: PyValue | undefined };

export function pyDumps(value: PyValue, options: { sortKeys?: boolean } = {}): string {
  const sortKeys = options.sortKeys ?? false;
  const write = (item: PyValue): string => {
    if (item === null) return 'null';
    if (item === true) return 'true';
    if (item === false) return 'false';
    if (typeof item === 'number') return floatJson(item);
    if (typeof item === 'string') return pyJsonString(item);
    if (Array.isArray(item)) return `[${item.map(write).join(', ')}]`;
    const entries: (readonly [string, PyValue])[] =
      item instanceof PyDict
        ? [...item.entries]
        : Object.entries(item as Record<string, PyValue | undefined>).filter((entry): entry is [string, PyValue] => entry[1] !== undefined);
    if (sortKeys) entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, member]) => `${pyJsonString(key)}: ${write(member)}`).join(', ')}}`;
  };
  return write(value);
}

function floatJson(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
  return pyFloatRepr(value);
}

const SHORT_ESCAPES: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f' };

/** A JSON string with `ensure_ascii`: everything outside printable ASCII as `\uXXXX` (UTF-16 units). */
export function pyJsonString(text: string): string {
  let out = '"';
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index] as string;
    const code = text.charCodeAt(index);
    const short = SHORT_ESCAPES[char];
    if (short !== undefined) out += short;
    else if (code < 0x20 || code > 0x7e) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += char;
  }
  return `${out}"`;
}
