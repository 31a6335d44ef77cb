// The engine's time budgets for its backends, one setting with a default per kind of call.
import { z } from 'zod';

/**
 * How long the engine waits for its backends, per kind of call (seconds). A model load is slow, a
 * `/history` read is not; a prompt that stops reporting progress is interrupted and retried; a
 * backend that went away is waited for `backendDownSec` before the work that needs it fails.
 * Missing keys take their defaults, so a patch may name only the ones it changes.
 */
export const BackendTimeoutsSchema = z.object({
  /** POST /prompt, /upload/image, /object_info, /system_stats, /free, /interrupt. */
  comfyRequestSec: z.number().positive().max(3_600),
  /** GET /history, /queue, /prompt: cheap reads, answered at once by a healthy server. */
  comfyPollSec: z.number().positive().max(600),
  /** GET /view: one output image. */
  comfyDownloadSec: z.number().positive().max(3_600),
  /** A running prompt that sends no progress for this long is interrupted and queued again. */
  comfyStallSec: z.number().positive().max(86_400),
  /** One prompt from queueing to its last image, whatever it does meanwhile. */
  comfyJobSec: z.number().positive().max(86_400),
  /** Extra time the first copy call of a model may take while Ollama loads it. */
  ollamaLoadSec: z.number().positive().max(3_600),
  /** One copy call once the model is loaded (the whole JSON answer). */
  ollamaCopySec: z.number().positive().max(3_600),
  /** /api/ps, /api/tags, /api/version, unloads. */
  ollamaRequestSec: z.number().positive().max(600),
  /** How long a backend that went away is waited for before the jobs that need it fail. */
  backendDownSec: z.number().positive().max(86_400),
});
export type BackendTimeouts = z.infer<typeof BackendTimeoutsSchema>;
export const DEFAULT_BACKEND_TIMEOUTS = {
  comfyRequestSec: 30,
  comfyPollSec: 10,
  comfyDownloadSec: 120,
  comfyStallSec: 300,
  comfyJobSec: 1_800,
  ollamaLoadSec: 300,
  ollamaCopySec: 120,
  ollamaRequestSec: 15,
  backendDownSec: 300,
} as const;
