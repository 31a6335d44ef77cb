// Public surface of the Ollama capability.

export { OllamaClient } from './client.ts';
export { OllamaModels } from './models.ts';
export { formatForWire, normalizeModelName, validateJsonOutput } from './output.ts';
export { UNREACHABLE_HINT } from './transport.ts';
export type {
  CallOptions,
  ChatRequest,
  ChatResult,
  GenerateRequest,
  GenerateResult,
  JsonSchemaObject,
  KeepAlive,
  OllamaClientOptions,
  OllamaFormat,
  OllamaInstalledModel,
  OllamaMessage,
  OllamaModelDetails,
  OllamaModelInfo,
  OllamaOptions,
  OllamaRunningModel,
  OllamaStats,
  PullProgress,
  ThinkSetting,
} from './types.ts';
export { DEFAULT_OLLAMA_URL } from './types.ts';
