import { z } from 'zod';
import { isStorableText, UNSTORABLE_TEXT_MESSAGE } from '../../core/index.js';

/**
 * The `POST /v1/responses` body: the fields TokenHub reads or must range-check. Input items and tools
 * are kept loose here and parsed one by one in `input-items.ts` and `tools.ts`, so that an invalid
 * item is reported with its exact path (`input[3].call_id`) and a hosted tool is refused by name
 * instead of failing a union match with an unreadable message.
 */
const looseItem = z.looseObject({});

const jsonSchemaFormat = z.looseObject({
  type: z.literal('json_schema'),
  name: z.string().min(1).max(64),
  schema: z.record(z.string(), z.unknown()),
  description: z.string().nullish(),
  strict: z.boolean().nullish(),
});

export const responsesTextFormatSchema = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('text') }),
  z.looseObject({ type: z.literal('json_object') }),
  jsonSchemaFormat,
]);

const toolChoice = z.union([z.enum(['auto', 'none', 'required']), z.looseObject({ type: z.string().min(1), name: z.string().optional() })]);

const metadata = z
  .record(z.string().max(64), z.string().max(512))
  .refine((value) => Object.keys(value).length <= 16, 'metadata may hold at most 16 keys');

export const responsesRequestSchema = z.looseObject({
  model: z.string().min(1),
  input: z.union([z.string(), z.array(looseItem)]).optional(),
  instructions: z.string().nullish(),
  tools: z.array(z.looseObject({ type: z.string().min(1) })).nullish(),
  tool_choice: toolChoice.nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  text: z
    .looseObject({
      format: responsesTextFormatSchema.nullish(),
      verbosity: z.enum(['low', 'medium', 'high']).nullish(),
    })
    .nullish(),
  max_output_tokens: z.number().int().positive().nullish(),
  max_tool_calls: z.number().int().positive().nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  top_logprobs: z.number().int().min(0).max(20).nullish(),
  stream: z.boolean().nullish(),
  store: z.boolean().nullish(),
  // Compared with stored ids: a string the database cannot hold would fail the lookup, not miss it.
  previous_response_id: z.string().min(1).refine(isStorableText, UNSTORABLE_TEXT_MESSAGE).nullish(),
  metadata: metadata.nullish(),
  user: z.string().nullish(),
  safety_identifier: z.string().nullish(),
  reasoning: z
    .looseObject({
      effort: z.enum(['none', 'minimal', 'low', 'medium', 'high', 'xhigh']).nullish(),
      summary: z.enum(['auto', 'concise', 'detailed']).nullish(),
    })
    .nullish(),
  include: z.array(z.string()).nullish(),
  truncation: z.enum(['auto', 'disabled']).nullish(),
  background: z.boolean().nullish(),
  conversation: z.unknown().optional(),
  prompt: z.unknown().optional(),
});

export type ResponsesRequest = z.infer<typeof responsesRequestSchema>;
export type ResponsesTextFormat = z.infer<typeof responsesTextFormatSchema>;
export type ResponsesToolChoice = z.infer<typeof toolChoice>;
