// The values simulated nodes pass along (MODEL, LATENT, IMAGE …) and the runtime a node runs in.
import type { SimFiles } from './files.ts';

export interface ImageItem {
  png: Buffer;
  width: number;
  height: number;
}

export interface SampleInfo {
  seed: number;
  prompt: string;
  denoise: number;
}

export type SimValue =
  | { kind: 'MODEL'; file: string; patches: string[] }
  | { kind: 'CLIP'; file: string }
  | { kind: 'VAE'; file: string | null }
  | { kind: 'CONDITIONING'; text: string; images: ImageItem[] }
  | {
      kind: 'LATENT';
      width: number;
      height: number;
      batch: number;
      source?: ImageItem[];
      sample?: SampleInfo;
    }
  | { kind: 'IMAGE'; items: ImageItem[] }
  | { kind: 'MASK'; width: number; height: number };

export interface ImageRef {
  filename: string;
  subfolder: string;
  type: 'output' | 'temp';
}

export interface NodeResult {
  outputs: SimValue[];
  ui?: { images: ImageRef[] };
}

export interface NodeRuntime {
  files: SimFiles;
  now(): Date;
  /** Installed files of a model folder (re-read on every call, like the server's rescans). */
  modelFiles(folder: string): string[];
  /** The error loading an installed file raises (a `brokenModel` fault), or null when it loads. */
  modelLoadFailure(folder: string, file: string): { exceptionType: string; message: string } | null;
  /** Makes a model resident in simulated VRAM, paying its load time once. May raise OOM. */
  loadModel(file: string): Promise<void>;
  /** Spends `profileMs` of simulated work (scaled by the time scale). */
  work(profileMs: number): Promise<void>;
  /** A point where an injected OOM fires (sampling / VAE work). */
  oomPoint(): void;
  /** Blocks while a `hangNext` fault holds this run. */
  hangPoint(): Promise<void>;
  /** One sampler step: waits, honours interrupts, emits progress (+ a preview when enabled). */
  samplerStep(
    step: number,
    steps: number,
    stepProfileMs: number,
    preview: (() => Promise<Buffer>) | null,
  ): Promise<void>;
  /** Whether anyone will receive a sampler preview (skip the rendering otherwise). */
  previewsWanted(): boolean;
  nodeMs: number;
  stepMs: number;
}

export type Inputs = Record<string, unknown>;
export type NodeImpl = (inputs: Inputs, rt: NodeRuntime) => Promise<NodeResult>;
