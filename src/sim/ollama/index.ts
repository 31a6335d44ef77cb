// Public surface of the Ollama simulator (see server.ts for the behaviour, faults.ts for the knobs).
export type { OllamaFaultName, OllamaFaultRecord } from './faults.ts';
export { OllamaFaults } from './faults.ts';
export { startOllamaSim } from './server.ts';
export type { OllamaSim, OllamaSimOptions, OllamaSimRequestRecord, OllamaSimStats } from './types.ts';
