// What travels through the team queue. A team job is one image of one gallery, planned by the sending
// station: everything a worker needs to render it without the sender's database. Parsed with zod when
// a worker fetches it: a job written by another version of the app is refused naming the field.
import { z } from 'zod';
import { ProductSchema, ShowcaseCopySchema, TemplateFamilySchema } from '../../../shared/index.ts';

export const TeamJobKindSchema = z.enum(['hero', 'lifestyle', 'variation']);

/**
 * An input image: already in the team bucket (a reference photo, a hero rendered before), or the image
 * another team job of the same product makes (a variation's hero), which the queue runs first.
 */
export const TeamInputSchema = z.union([
  z.object({ key: z.string().min(1).max(500), sha256: z.string().regex(/^[0-9a-f]{64}$/) }),
  z.object({ fromJob: z.uuid() }),
]);
export type TeamInput = z.infer<typeof TeamInputSchema>;

export const TeamRenderJobSchema = z.object({
  /** The job's id in the sender's journal; also the pg-boss job id, so sending twice creates nothing. */
  jobId: z.uuid(),
  /** The sending station's run (one catalog sent with --team). */
  runId: z.string().min(1).max(200),
  /** The station that sent it (its sync station id). */
  station: z.string().min(1).max(200),
  galleryId: z.string().min(1).max(200),
  productId: z.string().min(1).max(200),
  kind: TeamJobKindSchema,
  idx: z.number().int().min(0).max(64),
  family: TemplateFamilySchema,
  /** The model file the graph loads (placement and the worker's model check use it). */
  model: z.string().min(1).max(300),
  template: z.string().min(1).max(200),
  /** Template parameters (prompt, seed, size, sampler …), checked again against the template by the worker. */
  params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  /**
   * Input images by template parameter (`image` → the hero a variation starts from, or the reference
   * photo an edit restyles), as keys in the team bucket with their SHA-256.
   */
  inputs: z.record(z.string(), TeamInputSchema).default({}),
});

export type TeamRenderJob = z.infer<typeof TeamRenderJobSchema>;

/** What a worker reports when it finished a job (stored by pg-boss as the job's output). */
export const TeamRenderResultSchema = z.object({
  worker: z.string().min(1),
  backend: z.string().min(1),
  /** Where the image landed in the team's bucket (content-addressed, so an upload twice is harmless). */
  key: z.string().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  ms: z.number().nonnegative(),
  /** The worker's name and GPU, for the sender's log ("rendered on studio-b · RTX 4090"). */
  workerName: z.string().min(1),
  gpu: z.string(),
});

export type TeamRenderResult = z.infer<typeof TeamRenderResultSchema>;

/**
 * A product's copy written by a worker's Ollama (`worker --ollama`): sent when the sending station's
 * own Ollama does not answer. Everything the copywriter needs travels with it.
 */
export const TeamCopyJobSchema = z.object({
  jobId: z.uuid(),
  runId: z.string().min(1).max(200),
  station: z.string().min(1).max(200),
  galleryId: z.string().min(1).max(200),
  productId: z.string().min(1).max(200),
  product: ProductSchema,
  model: z.string().min(1).max(200),
  language: z.string().min(2).max(35),
  variations: z.number().int().min(1).max(8),
});
export type TeamCopyJob = z.infer<typeof TeamCopyJobSchema>;

export const TeamCopyResultSchema = z.object({
  worker: z.string().min(1),
  workerName: z.string().min(1),
  /** The Ollama server that wrote it. */
  backend: z.string().min(1),
  copy: ShowcaseCopySchema,
  attempts: z.array(
    z.object({
      ok: z.boolean(),
      ms: z.number().nonnegative(),
      error: z.string().nullable(),
      tokensIn: z.number().nullable(),
      tokensOut: z.number().nullable(),
    }),
  ),
});
export type TeamCopyResult = z.infer<typeof TeamCopyResultSchema>;
