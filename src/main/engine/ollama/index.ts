// Public surface of the Ollama capability.
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
} from './client.ts';
export {
  DEFAULT_OLLAMA_URL,
  formatForWire,
  normalizeModelName,
  OllamaClient,
  validateJsonOutput,
} from './client.ts';
export { UNREACHABLE_HINT } from './transport.ts';
