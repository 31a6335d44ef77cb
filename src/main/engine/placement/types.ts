// What placement needs to know about GPUs and image jobs. Placement is a pure decision: it never talks
// to a backend and never writes state; the scheduler (local lanes) and the team queue's workers ask it
// which job a GPU should take next, and feed it what they measured.

/** One GPU (a ComfyUI backend) as placement sees it. */
export interface PlacementGpu {
  id: string;
  /** Bytes of VRAM on the card (ComfyUI's /system_stats `vram_total`). */
  vramBytes: number;
  /** Model files installed on the backend (from /object_info); null when unknown: any model may run. */
  models: ReadonlySet<string> | null;
  /** The model the GPU holds now (or will hold once the work already given to it is done). */
  loadedModel: string | null;
  /** Estimated epoch ms at which the work already given to this GPU is finished (≤ now when idle). */
  freeAt: number;
}

/** An image job ready to run (its dependencies are done). */
export interface PlacementJob {
  id: string;
  /** The model file the job's graph loads (the one that decides VRAM and swap cost). */
  model: string;
  /** Smaller runs first (heroes unblock the rest of a product). */
  priority: number;
  /** FIFO order within a priority. */
  seq: number;
}

/**
 * Cost estimates, per GPU and model. In the engine they come from measured seconds per image per
 * backend and model (`model_usage_log`), falling back to a profile scaled by the GPU's speed; in the
 * benchmark from the simulated GPUs' speeds.
 */
export interface PlacementCosts {
  /** Milliseconds the GPU needs for one image of this model once the model is loaded. */
  runMs(gpuId: string, model: string): number;
  /** Milliseconds to load the model into this GPU (0 when it is the loaded one). */
  loadMs(gpuId: string, model: string): number;
  /** Bytes of VRAM the model needs while loaded. */
  vramBytes(model: string): number;
}
