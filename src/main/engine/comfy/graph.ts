// The API-format graph ComfyUI runs (`{ "3": { class_type, inputs } }`), as templates produce it and the
// client sends it, and what can be read off it without a server: the model files it loads.
import type { JsonValue } from '../../../shared/index.ts';
import { isModelFileName, modelFolderOf } from './models.ts';
import type { ComfyImageRef, ComfyOutputs } from './types.ts';

/** One node of an API-format graph. Node ids are strings ("3"); a link is `[source_node_id, output_index]`. */
export interface ComfyGraphNode {
  class_type: string;
  inputs: Record<string, JsonValue>;
  _meta?: { title?: string };
}

export type ComfyGraph = Record<string, ComfyGraphNode>;

/** One model file a graph loads, and the `models/` folder ComfyUI reads it from ('' when unknown). */
export interface ComfyModelFile {
  nodeId: string;
  classType: string;
  input: string;
  file: string;
  folder: string;
}

/** Every model file the graph's loader nodes name (literal values only; links and placeholders are not files). */
export function graphModelFiles(graph: ComfyGraph): ComfyModelFile[] {
  const files: ComfyModelFile[] = [];
  for (const [nodeId, node] of Object.entries(graph)) {
    for (const [input, value] of Object.entries(node.inputs)) {
      if (typeof value !== 'string') continue;
      const folder = modelFolderOf(node.class_type, input);
      if (folder === null && !isModelFileName(value)) continue;
      files.push({ nodeId, classType: node.class_type, input, file: value, folder: folder ?? '' });
    }
  }
  return files;
}

/**
 * The model a graph renders with: the diffusion model or checkpoint (the file whose load dominates a
 * switch), used for backend affinity and the model-usage log; 'unknown' when it names neither.
 */
export function graphModel(graph: ComfyGraph): string {
  for (const node of Object.values(graph)) {
    const name = node.inputs.unet_name ?? node.inputs.ckpt_name;
    if (typeof name === 'string') return name;
  }
  return 'unknown';
}

/**
 * The image a finished prompt made: the first of the template's output nodes that saved one, else the
 * first image any node saved (a graph edited in ComfyUI may name its output node differently).
 */
export function outputImage(
  outputs: ComfyOutputs,
  outputNodeIds: readonly string[],
): ComfyImageRef | undefined {
  return (
    outputNodeIds.map((id) => outputs[id]?.images[0]).find((i) => i !== undefined) ??
    Object.values(outputs).flatMap((o) => o.images)[0]
  );
}
