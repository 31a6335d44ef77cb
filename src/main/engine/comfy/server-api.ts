// The ComfyUI server's HTTP endpoints that stand on their own (§3–§6): files, server info and
// queue control. ComfyClient adds the prompt API and the WebSocket session on top of these.
import { FormData } from 'undici';
import { ShowcaseError } from '../../../shared/errors.ts';
import { httpStatusError } from './errors.ts';
import { type ComfyHttp, replyText } from './http.ts';
import {
  FeaturesSchema,
  type HistoryEntry,
  HistoryReplySchema,
  ObjectInfoSchema,
  PromptInfoSchema,
  QueueReplySchema,
  SystemStatsSchema,
  UploadReplySchema,
} from './schemas.ts';
import type {
  ComfyFeatures,
  ComfyHistoryEntry,
  ComfyImageRef,
  ComfyObjectInfo,
  ComfyQueueSnapshot,
  ComfySystemStats,
  UploadedImage,
  UploadImageOptions,
} from './types.ts';

export interface CallOptions {
  signal?: AbortSignal;
}

export interface ComfyServerApiTimeouts {
  /** GET /history, /queue and /prompt. */
  pollTimeoutMs: number;
  /** GET /view. */
  downloadTimeoutMs: number;
}

export class ComfyServerApi {
  readonly url: string;
  protected readonly http: ComfyHttp;
  protected readonly pollTimeoutMs: number;
  protected readonly downloadTimeoutMs: number;

  constructor(url: string, http: ComfyHttp, timeouts: ComfyServerApiTimeouts) {
    this.url = url;
    this.http = http;
    this.pollTimeoutMs = timeouts.pollTimeoutMs;
    this.downloadTimeoutMs = timeouts.downloadTimeoutMs;
  }

  // ---------------------------------------------------------------------------------------------
  // Files

  /** `GET /view`: the bytes of an output/input/temp file (subfolder passed verbatim, §5.1). */
  async download(image: ComfyImageRef, options: CallOptions = {}): Promise<Uint8Array> {
    const route = '/view';
    const reply = await this.http.send('GET', route, {
      query: { filename: image.filename, type: image.type || 'output', subfolder: image.subfolder },
      signal: options.signal,
      timeoutMs: this.downloadTimeoutMs,
    });
    if (reply.status !== 200) {
      throw httpStatusError(reply.status, this.http.context('GET', route), replyText(reply));
    }
    return reply.body;
  }

  /** `POST /upload/image` (multipart). Identical bytes under the same name are reused by ComfyUI (§5.2). */
  async uploadImage(
    bytes: Uint8Array,
    filename: string,
    options: UploadImageOptions = {},
  ): Promise<UploadedImage> {
    if (filename.trim() === '' || /[/\\]/.test(filename)) {
      throw new ShowcaseError(
        'invalid_input',
        `Upload filename must be a plain file name, got "${filename}"`,
        {
          details: { fields: ['filename'] },
        },
      );
    }
    const form = new FormData();
    const blob = new Blob([new Uint8Array(bytes)], { type: options.mime ?? mimeFor(filename) });
    form.append('image', blob, filename);
    form.append('type', options.type ?? 'input');
    if (options.subfolder) form.append('subfolder', options.subfolder);
    if (options.overwrite) form.append('overwrite', 'true');
    const reply = await this.http.json('POST', '/upload/image', UploadReplySchema, {
      form,
      signal: options.signal,
    });
    return {
      name: reply.name,
      subfolder: reply.subfolder,
      type: reply.type,
      path: reply.subfolder ? `${reply.subfolder}/${reply.name}` : reply.name,
    };
  }

  // ---------------------------------------------------------------------------------------------
  // Server info and control

  /** `GET /object_info[/{class}]`; an unknown class gives `{}` (§6). */
  async objectInfo(classType?: string, options: CallOptions = {}): Promise<ComfyObjectInfo> {
    const route = classType === undefined ? '/object_info' : `/object_info/${encodeURIComponent(classType)}`;
    return (await this.http.json('GET', route, ObjectInfoSchema, options)) as ComfyObjectInfo;
  }

  async systemStats(options: CallOptions = {}): Promise<ComfySystemStats> {
    const stats = await this.http.json('GET', '/system_stats', SystemStatsSchema, options);
    return {
      os: stats.system.os ?? null,
      comfyuiVersion: stats.system.comfyui_version ?? null,
      pythonVersion: stats.system.python_version ?? null,
      pytorchVersion: stats.system.pytorch_version ?? null,
      ramTotal: stats.system.ram_total ?? null,
      ramFree: stats.system.ram_free ?? null,
      devices: stats.devices.map((d) => ({
        name: d.name,
        type: d.type,
        index: d.index ?? null,
        vramTotal: d.vram_total,
        vramFree: d.vram_free,
        torchVramTotal: d.torch_vram_total ?? null,
        torchVramFree: d.torch_vram_free ?? null,
      })),
    };
  }

  /** `GET /queue`: running ids, and pending ids in execution order (the server sends a heap, §3). */
  async queue(options: CallOptions = {}): Promise<ComfyQueueSnapshot> {
    const reply = await this.http.json('GET', '/queue', QueueReplySchema, {
      ...options,
      timeoutMs: this.pollTimeoutMs,
    });
    const pending = reply.queue_pending
      .map((item) => ({ number: item[0] as number, id: item[1] as string }))
      .sort((a, b) => a.number - b.number || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map((item) => item.id);
    return { running: reply.queue_running.map((item) => item[1] as string), pending };
  }

  /** `GET /prompt`: pending + running. */
  async queueRemaining(options: CallOptions = {}): Promise<number> {
    const reply = await this.http.json('GET', '/prompt', PromptInfoSchema, {
      ...options,
      timeoutMs: this.pollTimeoutMs,
    });
    return reply.exec_info.queue_remaining;
  }

  /** `POST /interrupt`: only that prompt when an id is given (no-op unless it is running), else global. */
  async interrupt(promptId?: string, options: CallOptions = {}): Promise<void> {
    await this.http.empty('POST', '/interrupt', {
      json: promptId === undefined ? {} : { prompt_id: promptId },
      signal: options.signal,
    });
  }

  /** `POST /queue {delete}`: removes pending prompts (running ones are untouched). */
  async deletePending(promptIds: readonly string[], options: CallOptions = {}): Promise<void> {
    if (promptIds.length === 0) return;
    await this.http.empty('POST', '/queue', { json: { delete: [...promptIds] }, signal: options.signal });
  }

  /** `POST /free`: applied after the running prompt (or at once when idle, §3). */
  async free(
    what: { unloadModels?: boolean; freeMemory?: boolean },
    options: CallOptions = {},
  ): Promise<void> {
    await this.http.empty('POST', '/free', {
      json: { unload_models: what.unloadModels ?? false, free_memory: what.freeMemory ?? false },
      signal: options.signal,
    });
  }

  /** `GET /history/{id}`: the entry, or null while pending/running/unknown (§4). */
  async history(promptId: string, options: CallOptions = {}): Promise<ComfyHistoryEntry | null> {
    return (await this.historyEntry(promptId, options.signal)) as ComfyHistoryEntry | null;
  }

  async features(options: CallOptions = {}): Promise<ComfyFeatures> {
    const flags = await this.http.json('GET', '/features', FeaturesSchema, options);
    return {
      supportsPreviewMetadata: flags.supports_preview_metadata ?? false,
      maxUploadSize: flags.max_upload_size ?? null,
      flags,
    };
  }

  /** A cheap round trip (`GET /prompt`); throws `backend_unreachable`/`timeout`/`backend_error`. */
  async ping(options: CallOptions = {}): Promise<{ latencyMs: number; queueRemaining: number }> {
    const started = performance.now();
    const queueRemaining = await this.queueRemaining(options);
    return { latencyMs: performance.now() - started, queueRemaining };
  }

  protected async historyEntry(promptId: string, signal?: AbortSignal): Promise<HistoryEntry | null> {
    const route = `/history/${encodeURIComponent(promptId)}`;
    const reply = await this.http.json('GET', route, HistoryReplySchema, {
      signal,
      timeoutMs: this.pollTimeoutMs,
    });
    return reply[promptId] ?? null;
  }
}

const mimeByExtension: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
};

function mimeFor(filename: string): string {
  const ext = filename.split('.').pop()?.toLowerCase() ?? '';
  return mimeByExtension[ext] ?? 'application/octet-stream';
}
