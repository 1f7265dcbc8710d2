import { z } from 'zod';
import { type ChatMessage, type ContentPart, HubError, newId } from '../../core/index.js';
import { functionCallItemId, messageItemId, reasoningItemId, type StoredInputItem } from './items.js';
import type { UnsupportedFeature } from './unsupported.js';

/**
 * Responses input items → canonical chat messages, and the normalised form in which input items are
 * stored. The same conversion reads a client's `input` and a stored conversation (whose output items
 * — assistant messages, function calls — are valid input items by the API's own design).
 */

const inputText = z.looseObject({ type: z.literal('input_text'), text: z.string() });
const inputImage = z.looseObject({
  type: z.literal('input_image'),
  image_url: z.string().min(1).nullish(),
  file_id: z.string().nullish(),
  detail: z.enum(['auto', 'low', 'high', 'original']).nullish(),
});
const inputFile = z.looseObject({ type: z.literal('input_file') });
const outputTextPart = z.looseObject({ type: z.literal('output_text'), text: z.string() });
const refusalPart = z.looseObject({ type: z.literal('refusal'), refusal: z.string() });
const contentPart = z.discriminatedUnion('type', [inputText, inputImage, inputFile, outputTextPart, refusalPart]);
type ContentPartInput = z.infer<typeof contentPart>;

const messageItem = z.looseObject({
  type: z.literal('message').optional(),
  role: z.enum(['user', 'assistant', 'system', 'developer']),
  content: z.union([z.string(), z.array(contentPart)]),
});
const functionCallItem = z.looseObject({
  type: z.literal('function_call'),
  call_id: z.string().min(1),
  name: z.string().min(1),
  arguments: z.string(),
});
const functionCallOutputItem = z.looseObject({
  type: z.literal('function_call_output'),
  call_id: z.string().min(1),
  output: z.union([z.string(), z.array(contentPart)]),
});
const itemReference = z.looseObject({ type: z.literal('item_reference'), id: z.string().min(1) });

/** Looks up an item by id in the stored conversation, for `item_reference` inputs. */
export type ItemResolver = (id: string) => Record<string, unknown> | undefined;

interface Conversion {
  messages: ChatMessage[];
  unsupported: UnsupportedFeature[];
}

/** Converts items in order; `path` names the field for error messages (`input`). */
export function inputItemsToMessages(items: readonly unknown[], path: string, resolve?: ItemResolver): Conversion {
  const out: Conversion = { messages: [], unsupported: [] };
  items.forEach((raw, index) => {
    appendItem(out, raw, `${path}[${index}]`, resolve, 0);
  });
  return out;
}

function appendItem(out: Conversion, raw: unknown, path: string, resolve: ItemResolver | undefined, depth: number): void {
  const type = itemType(raw);
  switch (type) {
    case 'message': {
      const item = parse(messageItem, raw, path);
      appendMessage(out, item.role, item.content, path);
      return;
    }
    case 'function_call': {
      const item = parse(functionCallItem, raw, path);
      const call = { id: item.call_id, name: item.name, arguments: item.arguments };
      // Parallel calls arrive as consecutive items; in chat form they belong to one assistant turn,
      // together with any text the assistant said just before them.
      const last = out.messages.at(-1);
      if (last?.role === 'assistant') last.toolCalls = [...(last.toolCalls ?? []), call];
      else out.messages.push({ role: 'assistant', content: null, toolCalls: [call] });
      return;
    }
    case 'function_call_output': {
      const item = parse(functionCallOutputItem, raw, path);
      const content = typeof item.output === 'string' ? item.output : partsToCanonical(item.output, `${path}.output`, out);
      out.messages.push({ role: 'tool', content, toolCallId: item.call_id });
      return;
    }
    case 'reasoning':
      // Reasoning items are a model's private state (often encrypted): no other provider can read
      // them, and a native upstream receives the raw items anyway. The conversation stays intact.
      return;
    case 'item_reference': {
      const item = parse(itemReference, raw, path);
      const found = depth === 0 ? resolve?.(item.id) : undefined;
      if (found) appendItem(out, found, path, resolve, depth + 1);
      else out.unsupported.push({ feature: `item_reference '${item.id}' (not an item of the stored conversation)`, param: 'input' });
      return;
    }
    default:
      out.unsupported.push({ feature: `input item type '${type}'`, param: 'input' });
  }
}

function appendMessage(
  out: Conversion,
  role: z.infer<typeof messageItem>['role'],
  content: string | ContentPartInput[],
  path: string,
): void {
  if (role !== 'assistant') {
    out.messages.push({ role, content: typeof content === 'string' ? content : partsToCanonical(content, `${path}.content`, out) });
    return;
  }
  const text =
    typeof content === 'string'
      ? content
      : content.map((part) => (part.type === 'refusal' ? (part as { refusal: string }).refusal : textOf(part))).join('');
  out.messages.push({ role: 'assistant', content: text });
}

function textOf(part: ContentPartInput): string {
  return 'text' in part && typeof part.text === 'string' ? part.text : '';
}

function partsToCanonical(parts: ContentPartInput[], path: string, out: Conversion): ContentPart[] {
  const canonical: ContentPart[] = [];
  parts.forEach((part, index) => {
    switch (part.type) {
      case 'input_text':
      case 'output_text':
        canonical.push({ type: 'text', text: textOf(part) });
        break;
      case 'refusal':
        canonical.push({ type: 'text', text: (part as { refusal: string }).refusal });
        break;
      case 'input_image': {
        const image = part as z.infer<typeof inputImage>;
        if (image.image_url) {
          canonical.push(
            image.detail && image.detail !== 'original'
              ? { type: 'image', url: image.image_url, detail: image.detail }
              : { type: 'image', url: image.image_url },
          );
        } else {
          out.unsupported.push({ feature: `input_image by file_id (${path}[${index}])`, param: 'input' });
        }
        break;
      }
      case 'input_file':
        out.unsupported.push({ feature: `input_file content (${path}[${index}])`, param: 'input' });
        break;
    }
  });
  return canonical;
}

/** The item's type: explicit, or `message` for the short `{ role, content }` form. */
function itemType(raw: unknown): string {
  if (raw === null || typeof raw !== 'object') return 'invalid';
  const record = raw as Record<string, unknown>;
  if (typeof record.type === 'string') return record.type;
  return typeof record.role === 'string' ? 'message' : 'invalid';
}

function parse<Schema extends z.ZodType>(schema: Schema, raw: unknown, path: string): z.infer<Schema> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = [path, ...(issue?.path.map(String) ?? [])].join('.');
  throw new HubError('INVALID_REQUEST', `Invalid value for '${field}': ${issue?.message ?? 'invalid item'}`, { param: field });
}

const ID_PREFIX: Record<string, () => string> = {
  message: messageItemId,
  function_call: functionCallItemId,
  function_call_output: () => newId('fco', 32),
  reasoning: reasoningItemId,
};

/**
 * The client's input as stored: a string becomes one user message item, short-form messages get
 * `type: 'message'` and list-form content, and every item gets an id (as `input_items` lists them).
 * `item_reference`s are replaced by the items they point at so a stored conversation is self-contained.
 */
export function normaliseInput(input: string | readonly Record<string, unknown>[], resolve?: ItemResolver): StoredInputItem[] {
  if (typeof input === 'string') {
    return [{ type: 'message', id: messageItemId(), role: 'user', status: 'completed', content: [{ type: 'input_text', text: input }] }];
  }
  return input.map((raw) => {
    let item: Record<string, unknown> = raw;
    if (item.type === 'item_reference' && typeof item.id === 'string') item = resolve?.(item.id) ?? item;
    const type = itemType(item);
    const normalised: Record<string, unknown> = { ...item, type };
    if (type === 'message' && typeof item.content === 'string') {
      normalised.content = [{ type: item.role === 'assistant' ? 'output_text' : 'input_text', text: item.content }];
    }
    if (typeof normalised.id !== 'string' || normalised.id.length === 0) {
      normalised.id = (ID_PREFIX[type] ?? (() => newId('item', 32)))();
    }
    return normalised as StoredInputItem;
  });
}
