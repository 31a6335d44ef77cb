// Public surface of the ComfyUI capability: the client, its types and its error helpers, the graph
// type and what a graph loads, where ComfyUI keeps model files, and the per-server upload cache.
export { ComfyClient, comfyClientDefaults } from './client.ts';
export {
  type ComfyExecutionDetails,
  type ComfyValidationDetails,
  describeNodeError,
  describeNodeErrors,
  executionError,
  findMissingModels,
  isComfyError,
  isConnectionError,
  isOutOfMemory,
  missingModelHint,
  validationError,
} from './errors.ts';
export { type BinaryFrame, decodeBinaryFrame } from './frames.ts';
export { graphModel, graphModelFiles, outputImage } from './graph.ts';
export { isModelFileName, modelFolderFor, modelFolderOf } from './models.ts';
export { comfyPreviewMethods, previewsOffHint } from './previews.ts';
export type * from './types.ts';
export { ComfyUploads, UPLOAD_SUBFOLDER } from './uploads.ts';
