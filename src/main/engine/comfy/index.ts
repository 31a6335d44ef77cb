// Public surface of the ComfyUI capability: the client, its types and its error helpers.
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
  modelFolderFor,
  validationError,
} from './errors.ts';
export { type BinaryFrame, decodeBinaryFrame } from './frames.ts';
export { comfyPreviewMethods, previewsOffHint } from './previews.ts';
export type * from './types.ts';
