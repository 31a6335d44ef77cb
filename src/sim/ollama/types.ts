// The Ollama simulator's options and what a started simulator offers its tests.
import type { SimGpu } from '../gpu.ts';
import type { OllamaFaults } from './faults.ts';

export interface OllamaSimOptions {
  /** Default 127.0.0.1 (Ollama binds IPv4 loopback). */
  host?: string;
  /** Default 0 (an ephemeral port, see `url`); pass 11434 to stand in for a real server. */
  port?: number;
  /** The GPU shared with the ComfyUI simulator; a private one is created when omitted. */
  gpu?: SimGpu;
  /** Time scale of the private GPU (ignored when `gpu` is given: the GPU's own scale applies). */
  timeScale?: number;
  /** Installed tags, default ['llama3.2:latest']; untagged names get `:latest`. */
  models?: string[];
  /** Reported by /api/version, default '0.33.0-sim'. */
  version?: string;
  /** Server default keep_alive (OLLAMA_KEEP_ALIVE), default '5m'. Scaled by the GPU time scale. */
  defaultKeepAlive?: string | number;
  /** Profile ms between the last request on a model finishing and its unload (keep_alive 0). Default 500. */
  unloadDelayMs?: number;
  /** num_ctx when a request does not send one (the profile's VRAM footprint is at this context). Default 4096. */
  defaultNumCtx?: number;
  /** KV-cache bytes per context token; size_vram grows by this per num_ctx token above the default. */
  kvBytesPerToken?: number;
  /** Requests that may wait for a busy model before the server answers 503 (OLLAMA_MAX_QUEUE). Default 512. */
  maxQueue?: number;
  /** Tags /api/pull can fetch; default: any name succeeds. */
  registry?: string[];
  /** Profile ms a whole /api/pull takes. Default 20000. */
  pullMs?: number;
  /** Receives the fake server's log lines (aborted loads, unloads). */
  log?: (line: string) => void;
}

export interface OllamaSimRequestRecord {
  method: string;
  path: string;
  /** The parsed JSON body, the raw text when it was not JSON, or undefined when empty. */
  body: unknown;
  /** Set when the response finished normally (absent for reset or abandoned connections). */
  status?: number;
  startedAt: number;
  durationMs?: number;
}

export interface OllamaSimStats {
  /** POST /api/chat requests (including load/unload forms). */
  chat: number;
  /** POST /api/generate requests (including load/unload forms). */
  generate: number;
  /** Connections that closed before their answer was complete (client aborts, cancelled loads, resets). */
  aborted: number;
  requests: OllamaSimRequestRecord[];
}

export interface OllamaSim {
  url: string;
  port: number;
  gpu: SimGpu;
  faults: OllamaFaults;
  stats: OllamaSimStats;
  /** Installed tags (normalised `name:tag`). */
  installedModels(): string[];
  /** Installs a tag as if it had been pulled. */
  installModel(tag: string): void;
  /** Uninstalls a tag and evicts it from the GPU. */
  removeModel(tag: string): void;
  /** Stops the server, drops open connections and frees this server's VRAM on the GPU. */
  close(): Promise<void>;
}
