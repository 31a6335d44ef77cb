// The edit loop's part of the method table (issue #19): brand presets and each showcase's prompts
// with history, diffs and rollback; stale derived images; settings a process holds fixed. Spread into
// `methods` in api.ts, so every transport and the CLI get them like any other method.
import { z } from 'zod';
import { PromptPresetSchema, RecordIdSchema } from './domain.ts';
import {
  AuthorSchema,
  DerivedStateSchema,
  EditVersionSchema,
  PresetDraftSchema,
  PresetPatchSchema,
  PromptPatchSchema,
  PromptSetSchema,
  RerenderReportSchema,
  VersionDiffSchema,
} from './edits.ts';

const method = <I extends z.ZodType, O extends z.ZodType>(input: I, output: O) => ({ input, output });

export const editLoopMethods = {
  'presets.get': method(z.object({ id: z.string().min(1).max(200) }), PromptPresetSchema),
  'presets.create': method(PresetDraftSchema, PromptPresetSchema),
  'presets.update': method(
    PresetPatchSchema,
    z.object({ preset: PromptPresetSchema, rerender: RerenderReportSchema }),
  ),
  'presets.duplicate': method(
    z.object({
      id: z.string().min(1).max(200),
      name: z.string().trim().min(1, 'a preset needs a name').max(200).optional(),
      author: AuthorSchema.optional(),
    }),
    PromptPresetSchema,
  ),
  'presets.delete': method(
    z.object({ id: z.string().min(1).max(200), author: AuthorSchema.optional() }),
    z.object({ id: z.string(), deleted: z.boolean() }),
  ),
  'presets.versions': method(z.object({ id: z.string().min(1).max(200) }), z.array(EditVersionSchema)),
  'presets.diff': method(
    z.object({
      id: z.string().min(1).max(200),
      from: z.number().int().positive(),
      to: z.number().int().positive(),
    }),
    VersionDiffSchema,
  ),
  'presets.rollback': method(
    z.object({
      id: z.string().min(1).max(200),
      version: z.number().int().positive(),
      author: AuthorSchema.optional(),
      rerender: z.boolean().default(true),
    }),
    z.object({ preset: PromptPresetSchema, rerender: RerenderReportSchema }),
  ),
  'prompts.get': method(z.object({ galleryId: RecordIdSchema }), PromptSetSchema),
  'prompts.update': method(
    z.object({
      galleryId: RecordIdSchema,
      prompts: PromptPatchSchema,
      author: AuthorSchema.optional(),
      rerender: z.boolean().default(false),
    }),
    z.object({ prompts: PromptSetSchema, rerender: RerenderReportSchema }),
  ),
  'prompts.versions': method(z.object({ galleryId: RecordIdSchema }), z.array(EditVersionSchema)),
  'prompts.diff': method(
    z.object({
      galleryId: RecordIdSchema,
      from: z.number().int().positive(),
      to: z.number().int().positive(),
    }),
    VersionDiffSchema,
  ),
  'prompts.rollback': method(
    z.object({
      galleryId: RecordIdSchema,
      version: z.number().int().positive(),
      author: AuthorSchema.optional(),
      rerender: z.boolean().default(true),
    }),
    z.object({ prompts: PromptSetSchema, rerender: RerenderReportSchema }),
  ),
  /** Settings this process holds fixed (command-line flags, `serve --demo`), and why: Settings says so. */
  'settings.overrides': method(
    z.object({}),
    z.object({ fields: z.array(z.string()), reason: z.string().nullable() }),
  ),
  'showcase.derived': method(z.object({ galleryId: RecordIdSchema }), DerivedStateSchema),
  'showcase.resolveStale': method(
    z.object({ galleryId: RecordIdSchema, action: z.enum(['rerender', 'keep']) }),
    z.object({ derived: DerivedStateSchema, jobIds: z.array(z.string()) }),
  ),
} as const;
