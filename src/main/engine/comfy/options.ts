// The ComfyClient's options: defaults, and the schema they are checked with (a bad URL or a negative
// timeout fails at construction, naming the field).
import { z } from 'zod';
import { comfyPreviewMethods } from './previews.ts';

export const comfyClientDefaults = {
  requestTimeoutMs: 30_000,
  jobTimeoutMs: 30 * 60_000,
  stallTimeoutMs: 60_000,
  pollIntervalMs: 1_000,
  connectTimeoutMs: 10_000,
  unreachableGraceMs: 30_000,
  lostAfterPolls: 3,
  /** GET /history, /queue and /prompt: cheap reads (a healthy server answers at once). */
  pollTimeoutMs: 10_000,
  /** GET /view: one output image. */
  downloadTimeoutMs: 120_000,
  /** A running prompt silent this long is interrupted and failed retryably. */
  stallInterruptMs: 300_000,
  reconnect: { initialDelayMs: 250, maxDelayMs: 10_000, factor: 2, jitter: 0.2 },
} as const;

export const ClientOptionsSchema = z.object({
  url: z.string().url(),
  clientId: z.string().min(1).max(200).optional(),
  requestTimeoutMs: z.number().int().positive().optional(),
  jobTimeoutMs: z.number().int().positive().optional(),
  stallTimeoutMs: z.number().int().positive().optional(),
  pollIntervalMs: z.number().int().positive().optional(),
  connectTimeoutMs: z.number().int().positive().optional(),
  unreachableGraceMs: z.number().int().nonnegative().optional(),
  lostAfterPolls: z.number().int().positive().optional(),
  previewMethod: z.union([z.enum(comfyPreviewMethods), z.function()]).optional(),
  pollTimeoutMs: z.number().int().positive().optional(),
  downloadTimeoutMs: z.number().int().positive().optional(),
  stallInterruptMs: z.number().int().positive().optional(),
  reconnect: z
    .object({
      initialDelayMs: z.number().int().nonnegative().optional(),
      maxDelayMs: z.number().int().positive().optional(),
      factor: z.number().min(1).optional(),
      jitter: z.number().min(0).max(1).optional(),
    })
    .optional(),
});
