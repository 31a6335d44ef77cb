// Phase batching on a GPU shared by the LLM and the image model (too small for both): the copy of
// a batch runs first, then the LLM is unloaded and the images run — one model swap per batch
// instead of one per product. An image batch that has started is finished before swapping back.
import type { ReadyQueue } from './ready-queue.ts';
import type { Lane } from './types.ts';

export type Phase = 'copy' | 'image' | 'idle';

export interface PhaseGateDeps {
  lanes: () => readonly Lane[];
  ready: ReadyQueue;
  /** Unload the other model before the phase starts (the scheduler's hooks). */
  enter: (phase: 'copy' | 'image', sharedLanes: Lane[]) => Promise<void>;
  /** The switch is done: work may start again. */
  switched: () => void;
}

export class PhaseGate {
  private readonly deps: PhaseGateDeps;
  private phase: Phase = 'idle';
  private switching = false;
  /** Model swaps on the shared GPU (copy → image and back), for the benchmark. */
  swaps = 0;

  constructor(deps: PhaseGateDeps) {
    this.deps = deps;
  }

  /** ComfyUI lanes on the GPU the LLM also uses, without room for both models. */
  gpuShared(): Lane[] {
    return this.deps.lanes().filter((l) => l.kind === 'comfy' && l.sharedWithLlm && l.online);
  }

  /** Starts a switch to the phase the waiting work wants, once both sides are idle. */
  switchIfWanted(): void {
    if (this.switching) return;
    const wanted = this.wanted();
    if (wanted === 'idle' || wanted === this.phase) return;
    const sharedBusy = this.gpuShared().some((l) => l.inFlight > 0);
    const llmBusy = this.deps.lanes().some((l) => l.kind === 'llm' && l.inFlight > 0);
    if (sharedBusy || llmBusy) return;
    const from = this.phase;
    this.switching = true;
    this.deps
      .enter(wanted, this.gpuShared())
      .catch(() => undefined)
      .finally(() => {
        if (from !== 'idle') this.swaps += 1;
        this.phase = wanted;
        this.switching = false;
        this.deps.switched();
      });
  }

  /** Whether a lane may take another job in the current phase (only asked while gating). */
  admits(lane: Lane): boolean {
    if (this.switching) return lane.kind !== 'llm' && !lane.sharedWithLlm;
    if (lane.kind === 'llm') return this.phase === 'copy';
    if (lane.kind === 'comfy' && lane.sharedWithLlm) return this.phase === 'image';
    return true;
  }

  /** Decides whether the shared GPU should be in the copy or the image phase right now. */
  private wanted(): Phase {
    const { ready } = this.deps;
    const copyWaiting =
      ready.count('llm') > 0 || this.deps.lanes().some((l) => l.kind === 'llm' && l.inFlight > 0);
    const imagesWaiting = ready.count('comfy') > 0 || this.gpuShared().some((l) => l.inFlight > 0);
    if (this.phase === 'copy') return copyWaiting ? 'copy' : imagesWaiting ? 'image' : 'idle';
    if (this.phase === 'image') {
      // Finish the image batch already started before swapping back to the LLM.
      return imagesWaiting ? 'image' : copyWaiting ? 'copy' : 'idle';
    }
    return copyWaiting ? 'copy' : imagesWaiting ? 'image' : 'idle';
  }
}
