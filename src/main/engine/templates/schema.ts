// The on-disk shape of a workflow template and of the ComfyUI API-format graph it carries.
// Template files cross a boundary (they are edited by people and exported from ComfyUI), so they are
// parsed strictly: an unknown key is far more often a typo ("defualt") than an intent.
import { z } from 'zod';
import { TemplateParamSpecSchema, TemplateSummarySchema } from '../../../shared/index.ts';

/** One node of an API-format graph: `{class_type, inputs, _meta?}` (what "Export (API)" writes). */
export const ComfyNodeSchema = z.strictObject({
  class_type: z.string().min(1, 'is required'),
  inputs: z.record(z.string(), z.json()),
  _meta: z.looseObject({ title: z.string().optional() }).optional(),
});

/** `{node_id: node}`; node ids are strings ("3") and links are `[source_node_id, output_index]`. */
export const ComfyGraphSchema = z
  .record(z.string().min(1), ComfyNodeSchema)
  .refine((g) => Object.keys(g).length > 0, 'has no nodes');

/** `family.name`, lowercase words joined by "-": `qwen-image.hero`, `edit.restyle`. */
export const TemplateIdSchema = z
  .string()
  .regex(
    /^[a-z0-9]+(?:-[a-z0-9]+)*\.[a-z0-9]+(?:-[a-z0-9]+)*$/,
    'must look like "<family>.<name>" (lowercase letters, digits and "-")',
  );

export const ParamNameSchema = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an identifier (letters, digits, "_")');

export const TemplateFileSchema = z.strictObject({
  ...TemplateSummarySchema.shape,
  id: TemplateIdSchema,
  description: z.string().min(1, 'is required'),
  params: z.record(ParamNameSchema, z.strictObject(TemplateParamSpecSchema.shape)),
  graph: ComfyGraphSchema,
});

/** A whole-string placeholder: the entire JSON string value is `{{name}}`. */
export const PLACEHOLDER_RE = /^\{\{([A-Za-z_][A-Za-z0-9_]*)\}\}$/;
/** Anything that looks like a placeholder somewhere inside a string (spaces tolerated), to reject partial use. */
export const PLACEHOLDER_LIKE_RE = /\{\{\s*[A-Za-z_][A-Za-z0-9_]*\s*\}\}/;

/** The parameter name when `value` is exactly `"{{name}}"`, else null. */
export function placeholderName(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const m = PLACEHOLDER_RE.exec(value);
  return m?.[1] ?? null;
}

/** A `[source_node_id, output_index]` pair as ComfyUI reads it (any 2-element list is treated as a link). */
export function isLinkValue(value: unknown): value is [unknown, unknown] {
  return Array.isArray(value) && value.length === 2;
}
