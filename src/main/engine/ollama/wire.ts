// Zod schemas for everything an Ollama server sends back. Objects are loose: newer servers add
// fields, and unknown ones must not break the app. Metric fields are omitempty (absent = 0).
import { z } from 'zod';

const nanoseconds = z.number().nonnegative().optional();
const count = z.number().int().nonnegative().optional();

const metrics = {
  done: z.boolean(),
  done_reason: z.string().optional(),
  total_duration: nanoseconds,
  load_duration: nanoseconds,
  prompt_eval_count: count,
  prompt_eval_duration: nanoseconds,
  eval_count: count,
  eval_duration: nanoseconds,
};

export const ChatMessageSchema = z.looseObject({
  role: z.string(),
  content: z.string().optional(),
  thinking: z.string().optional(),
  tool_calls: z.array(z.unknown()).nullish(),
});

export const ChatChunkSchema = z.looseObject({
  model: z.string(),
  created_at: z.string().optional(),
  message: ChatMessageSchema.optional(),
  ...metrics,
});
export type ChatChunk = z.infer<typeof ChatChunkSchema>;

export const GenerateChunkSchema = z.looseObject({
  model: z.string(),
  created_at: z.string().optional(),
  response: z.string().optional(),
  thinking: z.string().optional(),
  context: z.array(z.number()).nullish(),
  ...metrics,
});
export type GenerateChunk = z.infer<typeof GenerateChunkSchema>;

/** Both an HTTP error body and a mid-stream failure line. */
export const ErrorBodySchema = z.looseObject({ error: z.string() });

export const VersionSchema = z.looseObject({ version: z.string() });

export const ModelDetailsSchema = z.looseObject({
  parent_model: z.string().optional(),
  format: z.string().optional(),
  family: z.string().optional(),
  families: z.array(z.string()).nullish(),
  parameter_size: z.string().optional(),
  quantization_level: z.string().optional(),
});

export const TagsSchema = z.looseObject({
  models: z
    .array(
      z.looseObject({
        name: z.string(),
        model: z.string().optional(),
        modified_at: z.string().optional(),
        size: z.number().nonnegative(),
        digest: z.string().optional(),
        details: ModelDetailsSchema.optional(),
      }),
    )
    .nullish(),
});

export const PsSchema = z.looseObject({
  models: z
    .array(
      z.looseObject({
        name: z.string(),
        model: z.string().optional(),
        size: z.number().nonnegative(),
        digest: z.string().optional(),
        details: ModelDetailsSchema.optional(),
        expires_at: z.string().optional(),
        size_vram: z.number().nonnegative().optional(),
        context_length: z.number().int().nonnegative().optional(),
      }),
    )
    .nullish(),
});

export const ShowSchema = z.looseObject({
  modelfile: z.string().optional(),
  parameters: z.string().optional(),
  template: z.string().optional(),
  details: ModelDetailsSchema.optional(),
  model_info: z.record(z.string(), z.unknown()).nullish(),
  capabilities: z.array(z.string()).nullish(),
  modified_at: z.string().optional(),
});

export const PullLineSchema = z.looseObject({
  status: z.string(),
  digest: z.string().optional(),
  total: z.number().nonnegative().optional(),
  completed: z.number().nonnegative().optional(),
});
