// The team part of the method table (issue #17): who is in the team (workers, their GPUs, what they
// hold) and how the team queue stands. Spread into `methods` in api.ts like api-sync.ts, so the UI's
// Team view, the HTTP API and the CLI read one shape.
import { z } from 'zod';
import { TemplateFamilySchema } from './domain.ts';

const method = <I extends z.ZodType, O extends z.ZodType>(input: I, output: O) => ({ input, output });

/** One GPU of a worker: what ComfyUI reports about it and what the team measured on it. */
export const TeamBackendSchema = z.object({
  url: z.string(),
  /** GPU name from ComfyUI's /system_stats ("NVIDIA GeForce RTX 4090"). */
  gpu: z.string(),
  vramBytes: z.number().nonnegative(),
  /** Families whose model files are installed there (the queues this GPU takes work from). */
  families: z.array(TemplateFamilySchema),
  loadedModel: z.string().nullable(),
  /** Measured milliseconds per image per model file (absent until measured). */
  msPerImage: z.record(z.string(), z.number().positive()),
  /** Its workstation also writes copy (`worker --ollama`). */
  writesCopy: z.boolean().optional(),
});
export type TeamBackend = z.infer<typeof TeamBackendSchema>;

/** A job a worker holds now, as the sender's progress view and the Team view show it. */
export const TeamJobInFlightSchema = z.object({
  jobId: z.string(),
  /** The sending station's gallery and product (for "rendering Aurora Lamp's hero on gpu-2"). */
  galleryId: z.string(),
  productId: z.string(),
  kind: z.string(),
  /** The ComfyUI server (worker's GPU) rendering it. */
  backend: z.string(),
  /** Sampler steps done / total (0/0 until the first step). */
  value: z.number().nonnegative(),
  max: z.number().nonnegative(),
});
export type TeamJobInFlight = z.infer<typeof TeamJobInFlightSchema>;

export const TeamWorkerViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  backends: z.array(TeamBackendSchema),
  jobsDone: z.number().int().nonnegative(),
  /** Jobs finished per minute over the worker's uptime. */
  jobsPerMinute: z.number().nonnegative(),
  inFlight: z.array(TeamJobInFlightSchema),
  startedAt: z.string(),
  /** By the team database's clock, so a workstation's drifting clock cannot fake liveness. */
  heartbeatAt: z.string(),
  secondsSinceHeartbeat: z.number().nonnegative(),
  /** Missed three heartbeats: its jobs go back to the queue when their lease ends. */
  lost: z.boolean(),
});
export type TeamWorkerView = z.infer<typeof TeamWorkerViewSchema>;

export const TeamStatusSchema = z.object({
  /** False when no team database is set (Settings → Sync: PostgreSQL URL). */
  configured: z.boolean(),
  /** Null when the team database answered; otherwise why not. */
  error: z.string().nullable(),
  workers: z.array(TeamWorkerViewSchema),
  /** The team queue per family: waiting (ready or behind their hero), ready now, being rendered. */
  queue: z.array(
    z.object({
      family: TemplateFamilySchema,
      queued: z.number().int().nonnegative(),
      ready: z.number().int().nonnegative(),
      active: z.number().int().nonnegative(),
    }),
  ),
  /** This station's jobs out with the team and not yet back. */
  sent: z.number().int().nonnegative(),
});
export type TeamStatus = z.infer<typeof TeamStatusSchema>;

export const teamMethods = {
  'team.status': method(z.object({}), TeamStatusSchema),
};
