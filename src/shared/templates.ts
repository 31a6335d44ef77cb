// Workflow templates as the contract shows them: kinds, parameter specs, summaries and lint issues.
import { z } from 'zod';
import { ParamValueSchema, TemplateFamilySchema } from './domain.ts';

export const templateParamTypes = ['string', 'int', 'float', 'seed', 'image', 'combo', 'boolean'] as const;
export const TemplateParamSpecSchema = z.object({
  type: z.enum(templateParamTypes),
  default: ParamValueSchema.optional(),
  min: z.number().optional(),
  max: z.number().optional(),
  /** Allowed values for `combo` parameters (sampler, scheduler …). */
  options: z.array(z.string()).optional(),
  description: z.string().optional(),
});
export type TemplateParamSpec = z.infer<typeof TemplateParamSpecSchema>;

export const templateKinds = ['hero', 'lifestyle', 'variation', 'thumbnail', 'edit'] as const;
export const TemplateKindSchema = z.enum(templateKinds);
export type TemplateKind = z.infer<typeof TemplateKindSchema>;

export const TemplateSummarySchema = z.object({
  id: z.string(),
  kind: TemplateKindSchema,
  family: TemplateFamilySchema,
  description: z.string(),
  params: z.record(z.string(), TemplateParamSpecSchema),
});
export type TemplateSummary = z.infer<typeof TemplateSummarySchema>;

export const LintIssueSchema = z.object({
  templateId: z.string(),
  severity: z.enum(['error', 'warning']),
  nodeId: z.string().nullable(),
  input: z.string().nullable(),
  message: z.string(),
});
export type LintIssue = z.infer<typeof LintIssueSchema>;
