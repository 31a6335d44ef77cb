// One GPU of a team worker: its ComfyUI server, what it is (GPU name and VRAM from /system_stats),
// which families it can render (every template of the family finds its model files in /object_info),
// and how it renders a team job: input images from the team bucket uploaded once, the template
// instantiated with the sender's values, the prompt run and its image downloaded without metadata.
import { randomUUID } from 'node:crypto';
import { familyNames, ShowcaseError, type TemplateFamily, toShowcaseError } from '../../../shared/index.ts';
import {
  ComfyClient,
  type ComfyClientOptions,
  ComfyUploads,
  graphModel,
  outputImage,
} from '../comfy/index.ts';
import { stripPngMetadata } from '../pipeline/index.ts';
import { instantiate, lintLibrary, parseObjectInfo, type TemplateLibrary } from '../templates/index.ts';
import type { TeamBucket } from './bucket.ts';
import type { TeamInput, TeamRenderJob } from './payload.ts';
import type { WorkerBackend } from './registry.ts';

export type GpuClientOptions = Omit<ComfyClientOptions, 'url'>;

export interface GpuRender {
  bytes: Buffer;
  /** GPU time (ComfyUI's execution start → end), the wait in its queue left out. */
  runMs: number;
}

export class WorkerGpu {
  readonly url: string;
  readonly client: ComfyClient;
  private readonly uploads: ComfyUploads;
  private readonly templates: TemplateLibrary;
  info: WorkerBackend;

  constructor(url: string, templates: TemplateLibrary, options: GpuClientOptions = {}) {
    this.url = url;
    this.templates = templates;
    this.client = new ComfyClient({ ...options, url });
    this.uploads = new ComfyUploads(this.client);
    this.info = {
      url,
      gpu: 'unknown',
      vramBytes: 0,
      models: [],
      families: [],
      msPerImage: {},
      loadedModel: null,
    };
  }

  /** Asks the server what it is and what it can render. Throws when it does not answer. */
  async probe(): Promise<WorkerBackend> {
    const stats = await this.client.systemStats();
    const device = stats.devices[0];
    const objectInfo = parseObjectInfo(await this.client.objectInfo());
    const missing = new Set(
      lintLibrary(this.templates.all(), objectInfo)
        .filter((i) => i.severity === 'error' && i.message.includes('is not installed'))
        .map((i) => i.templateId),
    );
    const families: TemplateFamily[] = [];
    const models = new Set<string>();
    for (const family of familyNames) {
      const used = this.templates.all(family).filter((t) => t.kind !== 'thumbnail');
      if (used.length === 0 || used.some((t) => missing.has(t.id))) continue;
      families.push(family);
      for (const t of used) models.add(graphModel(t.graph));
    }
    this.info = {
      ...this.info,
      gpu: device?.name ?? 'cpu',
      vramBytes: device?.vramTotal ?? 0,
      models: [...models],
      families,
    };
    return this.info;
  }

  /** Renders one team job; `onProgress` gets the sampler's steps. */
  async render(
    job: TeamRenderJob,
    bucket: TeamBucket,
    signal: AbortSignal,
    onProgress: (value: number, max: number) => void,
    /** Where an input made by another team job is (its output), once that job finished. */
    resolveInput: (input: TeamInput) => Promise<{ key: string; sha256: string }>,
  ): Promise<GpuRender> {
    if (!this.templates.has(job.template)) {
      throw new ShowcaseError('invalid_input', `This worker has no template "${job.template}"`, {
        hint: 'Run the same version of the app on every workstation',
        details: { field: 'template' },
      });
    }
    const template = this.templates.get(job.template);
    const values: Record<string, string | number | boolean> = {
      ...job.params,
      filename_prefix: `team/${job.productId}_${job.kind}_${job.idx}_${job.jobId.slice(0, 8)}`,
    };
    for (const [name, input] of Object.entries(job.inputs)) {
      const stored = await resolveInput(input);
      const bytes = await bucket.get(stored.key, stored.sha256, signal);
      values[name] = await this.uploads.once(
        stored.sha256,
        `team_${stored.sha256.slice(0, 16)}.png`,
        async () => bytes,
        signal,
      );
    }
    const instance = instantiate(template, values, { unknownParams: 'ignore' });
    const result = await this.client.run(instance.graph, {
      promptId: randomUUID(),
      signal,
      onProgress: (p) => onProgress(p.value, p.max),
    });
    this.info = { ...this.info, loadedModel: graphModel(instance.graph) };
    const image = outputImage(result.outputs, instance.outputNodeIds);
    if (!image) {
      throw new ShowcaseError(
        'backend_error',
        `ComfyUI at ${this.url} finished the prompt but reported no image`,
        {
          retryable: true,
        },
      );
    }
    const bytes = stripPngMetadata(await this.client.download(image, { signal }));
    return { bytes, runMs: result.timings.runMs || result.durationMs };
  }

  /** Records a measured render time (a running mean, so one slow image does not swing placement). */
  measured(model: string, ms: number): void {
    const old = this.info.msPerImage[model];
    const next = old === undefined ? ms : old * 0.8 + ms * 0.2;
    this.info = {
      ...this.info,
      msPerImage: { ...this.info.msPerImage, [model]: Math.max(1, Math.round(next)) },
    };
  }

  async close(): Promise<void> {
    await this.client.close().catch((err: unknown) => toShowcaseError(err));
  }
}
