// zod schemas for everything ComfyUI sends back (HTTP replies and WS frames). They are lenient on
// purpose: unknown keys pass through (newer servers add fields), but the shapes the client relies on
// are checked so a protocol drift fails loudly at the boundary instead of deep inside the engine.
import { z } from 'zod';

// ---------------------------------------------------------------------------------------------
// Graph (what we send)

export const ComfyGraphNodeSchema = z.looseObject({
  class_type: z.string().min(1),
  inputs: z.record(z.string(), z.unknown()),
  _meta: z.looseObject({ title: z.string().optional() }).optional(),
});

export const ComfyGraphSchema = z
  .record(z.string().min(1), ComfyGraphNodeSchema)
  .refine((graph) => Object.keys(graph).length > 0, 'the graph has no nodes');

// ---------------------------------------------------------------------------------------------
// POST /prompt

export const NodeErrorItemSchema = z.looseObject({
  type: z.string(),
  message: z.string().default(''),
  details: z.string().default(''),
  extra_info: z
    .looseObject({
      input_name: z.string().optional(),
      received_value: z.unknown().optional(),
    })
    .nullish(),
});

export const NodeErrorEntrySchema = z.looseObject({
  errors: z.array(NodeErrorItemSchema).default([]),
  dependent_outputs: z.array(z.unknown()).default([]),
  class_type: z.string().default(''),
});

export const NodeErrorsSchema = z.record(z.string(), NodeErrorEntrySchema);

export const PromptAcceptedSchema = z.looseObject({
  prompt_id: z.string().min(1),
  // float for explicit numbers, negative for `front` (§12.20)
  number: z.number().nullish(),
  node_errors: NodeErrorsSchema.nullish(),
});

export const PromptRejectedSchema = z.looseObject({
  error: z.union([
    z.looseObject({
      type: z.string().default('unknown'),
      message: z.string().default(''),
      details: z.string().default(''),
      extra_info: z.record(z.string(), z.unknown()).nullish(),
    }),
    // some custom-node servers reply with a bare string
    z.string(),
  ]),
  node_errors: NodeErrorsSchema.nullish(),
});

export const PromptInfoSchema = z.looseObject({
  exec_info: z.looseObject({ queue_remaining: z.number().int().nonnegative() }),
});

// ---------------------------------------------------------------------------------------------
// History

export const ImageRefSchema = z.looseObject({
  filename: z.string().min(1),
  subfolder: z.string().default(''),
  type: z.string().default('output'),
});

/** A node's UI dict. Image entries are checked one by one (see `imageRefsOf`): one odd entry from a
 * custom node must not make the whole history reply unreadable. */
export const NodeOutputSchema = z.looseObject({ images: z.array(z.unknown()).optional() }).nullable();

export const HistoryStatusSchema = z.looseObject({
  status_str: z.string().nullish(),
  completed: z.boolean().nullish(),
  messages: z.array(z.tuple([z.string(), z.unknown()])).default([]),
});

export const HistoryEntrySchema = z.looseObject({
  prompt: z.array(z.unknown()).optional(),
  outputs: z.record(z.string(), NodeOutputSchema).default({}),
  status: HistoryStatusSchema.nullish(),
});

export const HistoryReplySchema = z.record(z.string(), HistoryEntrySchema);

// ---------------------------------------------------------------------------------------------
// Queue

/** `[number, prompt_id, graph, extra_data, outputs_to_execute]`; only the first two matter here. */
export const QueueItemSchema = z
  .array(z.unknown())
  .refine(
    (item) => typeof item[0] === 'number' && typeof item[1] === 'string',
    'queue item must start with [number, prompt_id]',
  );

export const QueueReplySchema = z.looseObject({
  queue_running: z.array(QueueItemSchema).default([]),
  queue_pending: z.array(QueueItemSchema).default([]),
});

// ---------------------------------------------------------------------------------------------
// Server info

export const SystemStatsSchema = z.looseObject({
  system: z
    .looseObject({
      os: z.string().optional(),
      ram_total: z.number().optional(),
      ram_free: z.number().optional(),
      comfyui_version: z.string().optional(),
      python_version: z.string().optional(),
      pytorch_version: z.string().optional(),
    })
    .default({}),
  devices: z
    .array(
      z.looseObject({
        name: z.string().default(''),
        type: z.string().default('unknown'),
        index: z.number().nullish(),
        vram_total: z.number().nonnegative(),
        vram_free: z.number().nonnegative(),
        torch_vram_total: z.number().nullish(),
        torch_vram_free: z.number().nullish(),
      }),
    )
    .default([]),
});

export const NodeInfoSchema = z.looseObject({
  input: z
    .looseObject({
      required: z.record(z.string(), z.unknown()).optional(),
      optional: z.record(z.string(), z.unknown()).optional(),
      hidden: z.record(z.string(), z.unknown()).optional(),
    })
    .default({}),
  output: z.array(z.unknown()).default([]),
  output_name: z.array(z.unknown()).optional(),
  name: z.string().optional(),
  display_name: z.string().nullish(),
  category: z.string().nullish(),
  output_node: z.boolean().default(false),
});

export const ObjectInfoSchema = z.record(z.string(), NodeInfoSchema);

export const FeaturesSchema = z.looseObject({
  supports_preview_metadata: z.boolean().optional(),
  max_upload_size: z.number().optional(),
});

export const UploadReplySchema = z.looseObject({
  name: z.string().min(1),
  subfolder: z.string().default(''),
  type: z.string().default('input'),
});

// ---------------------------------------------------------------------------------------------
// WebSocket text frames

export const WsStatusSchema = z.looseObject({
  status: z
    .looseObject({
      exec_info: z.looseObject({ queue_remaining: z.number().optional() }).optional(),
    })
    .nullish(),
  sid: z.string().optional(),
});

const PromptIdField = { prompt_id: z.string() };

export const WsExecutionStartSchema = z.looseObject({ ...PromptIdField, timestamp: z.number().optional() });
export const WsExecutionCachedSchema = z.looseObject({
  ...PromptIdField,
  nodes: z.array(z.union([z.string(), z.number()]).transform(String)).default([]),
  timestamp: z.number().optional(),
});
/** `prompt_id` is optional: the reconnect frame carries only `node` (§8.1). */
export const WsExecutingSchema = z.looseObject({
  node: z.union([z.string(), z.number()]).transform(String).nullable(),
  display_node: z.union([z.string(), z.number()]).transform(String).nullish(),
  prompt_id: z.string().nullish(),
});
export const WsProgressSchema = z.looseObject({
  value: z.number(),
  max: z.number(),
  prompt_id: z.string().nullish(),
  node: z.union([z.string(), z.number()]).transform(String).nullish(),
});
export const ProgressNodeStateSchema = z.looseObject({
  value: z.number(),
  max: z.number(),
  state: z.string(),
  node_id: z.string().optional(),
  display_node_id: z.string().nullish(),
  real_node_id: z.string().nullish(),
});
export const WsProgressStateSchema = z.looseObject({
  prompt_id: z.string().nullish(),
  nodes: z.record(z.string(), ProgressNodeStateSchema).default({}),
});
export const WsExecutedSchema = z.looseObject({
  ...PromptIdField,
  node: z.union([z.string(), z.number()]).transform(String),
  display_node: z.union([z.string(), z.number()]).transform(String).nullish(),
  output: NodeOutputSchema.optional(),
});
export const WsExecutionSuccessSchema = z.looseObject({ ...PromptIdField, timestamp: z.number().optional() });
export const WsExecutionErrorSchema = z.looseObject({
  ...PromptIdField,
  node_id: z.union([z.string(), z.number()]).transform(String).nullish(),
  node_type: z.string().nullish(),
  exception_type: z.string().default(''),
  exception_message: z.string().default(''),
  traceback: z.union([z.array(z.string()), z.string()]).nullish(),
  timestamp: z.number().optional(),
});
export const WsExecutionInterruptedSchema = z.looseObject({
  ...PromptIdField,
  node_id: z.union([z.string(), z.number()]).transform(String).nullish(),
  node_type: z.string().nullish(),
  timestamp: z.number().optional(),
});

export const PreviewMetadataSchema = z.looseObject({
  prompt_id: z.string().nullish(),
  node_id: z.string().nullish(),
  display_node_id: z.string().nullish(),
  image_type: z.string().default('image/jpeg'),
});

export type HistoryEntry = z.infer<typeof HistoryEntrySchema>;
export type NodeErrorsReply = z.infer<typeof NodeErrorsSchema>;
export type WsExecutionError = z.infer<typeof WsExecutionErrorSchema>;
export type WsExecutionInterrupted = z.infer<typeof WsExecutionInterruptedSchema>;
