// BackendService: the Queue view's figures (fresh VRAM / loaded model / queue per backend, the
// journal's counts, what runs now) and settings that reach a running engine — new ComfyUI/Ollama
// URLs rebuild the backend pool, new timeouts apply to the next calls, template overrides are
// checked against the ranges their templates declare.
import {
  type QueueStatus,
  redactSettings,
  restoreMaskedPatch,
  type Settings,
  type SettingsPatch,
} from '../../../shared/index.ts';
import type { JobResult, Lane, Scheduler } from '../jobs/index.ts';
import { BackendPool, type BackendPoolOptions } from '../pipeline/backends.ts';
import { previewsOffNotice } from '../pipeline/notices.ts';
import { clientOptionsFrom } from '../pipeline/timeouts.ts';
import { checkFamilyParams } from '../templates/index.ts';
import type { EngineContext } from './context.ts';

/** The ComfyUI lanes, the Ollama lane and the CPU lane, configured from the settings. */
export function createBackendPool(
  ctx: EngineContext,
  backendOptions?: Pick<BackendPoolOptions, 'comfy' | 'ollama' | 'pipelineDepth' | 'cpuConcurrency'>,
): BackendPool {
  const settings = ctx.settings();
  const clients = clientOptionsFrom(settings.timeouts, backendOptions);
  const pool: BackendPool = new BackendPool({
    comfyUrls: settings.comfyUrls,
    ollamaUrl: settings.ollamaUrl,
    ollamaModel: settings.ollamaModel,
    ...backendOptions,
    ...clients,
    comfy: {
      // Read per prompt, so a change in Settings applies to the next prompt.
      previewMethod: () => ctx.settings().comfyPreviewMethod,
      onPreviewsMissing: (missing) => {
        const backend = pool.comfy.find((b) => b.url === missing.url);
        if (backend) ctx.emit('backend.notice', previewsOffNotice(backend, missing));
      },
      ...clients.comfy,
    },
    onStatus: (status) => ctx.emit('backend.status', status),
  });
  return pool;
}

/** A ComfyUI server that answers now (for work outside the job queue), or why there is none. */
export async function reachableComfy(pool: BackendPool) {
  await pool.probe().catch(() => undefined);
  const backend = pool.comfy.find((b) => b.lane.online);
  if (backend) return { client: backend.client, url: backend.url };
  const why = pool.comfy[0]?.status.error;
  return {
    unavailable: `no ComfyUI server is reachable (${pool.comfy.map((b) => b.url).join(', ')})${why ? `: ${why}` : ''}`,
  };
}

export interface BackendDeps {
  pool: BackendPool;
  scheduler: Scheduler<JobResult>;
  /** A fixed back-end wait from the engine's options (tests), else the `timeouts` setting. */
  downLimitMs: number | undefined;
  /** Settings changed: sync may have a new URL. */
  settingsChanged: () => void;
  /** Lanes that are not the pool's (the team lane): kept when the pool's lanes are replaced. */
  extraLanes: readonly Lane[];
}

export class BackendService {
  private readonly ctx: EngineContext;
  private readonly deps: BackendDeps;
  private lastProbe = 0;

  constructor(ctx: EngineContext, deps: BackendDeps) {
    this.ctx = ctx;
    this.deps = deps;
  }

  /** Fresh VRAM / loaded-model / queue figures for the Queue view, at most one probe per 2 s. */
  async refresh(): Promise<void> {
    if (Date.now() - this.lastProbe < 2_000) return;
    this.lastProbe = Date.now();
    await this.deps.pool.probe(AbortSignal.timeout(3_000)).catch(() => undefined);
  }

  queueStatus(): QueueStatus {
    const { scheduler, pool } = this.deps;
    return {
      paused: scheduler.isPaused,
      counts: this.ctx.store.jobs.counts(),
      backends: pool.statuses(),
      running: scheduler
        .runningJobs()
        .map(
          ({
            seq: _s,
            remainingDeps: _r,
            dependents: _d,
            lane: _l,
            model: _m,
            notBefore: _n,
            payload: _p,
            ...job
          }) => job,
        ),
      recent: this.ctx.store.jobs.recentFinished(50),
    };
  }

  settings(): Settings {
    return redactSettings({ ...this.ctx.settings(), outputDir: this.ctx.outputRoot });
  }

  updateSettings(input: SettingsPatch): Settings {
    // The renderer echoes the mask for secrets it never saw: keep the values in use.
    const patch = restoreMaskedPatch(input, this.ctx.settings());
    if (patch.templateParams) {
      for (const [family, params] of Object.entries(patch.templateParams))
        checkFamilyParams(this.ctx.templates, family, params);
    }
    this.ctx.store.settings.update(patch);
    this.deps.settingsChanged();
    this.applyBackendSettings();
    return redactSettings(this.ctx.settings());
  }

  /**
   * Settings reach a running engine: new ComfyUI/Ollama URLs rebuild the backend pool (servers that
   * stay keep their clients and the prompts they follow) and new timeouts apply to the next calls.
   */
  private applyBackendSettings(): void {
    const settings = this.ctx.settings();
    const { pool, scheduler } = this.deps;
    if (pool.reconfigure({ comfyUrls: settings.comfyUrls, ollamaUrl: settings.ollamaUrl })) {
      scheduler.replaceLanes([...pool.lanes(), ...this.deps.extraLanes]);
      this.ctx.log(`backends now: ComfyUI ${settings.comfyUrls.join(', ')}; Ollama ${settings.ollamaUrl}`);
    }
    scheduler.setBackendWatch({
      downLimitMs: this.deps.downLimitMs ?? settings.timeouts.backendDownSec * 1000,
    });
  }
}
