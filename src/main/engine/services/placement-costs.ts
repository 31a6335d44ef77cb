// The costs placement uses to spread image jobs over several ComfyUI servers: milliseconds per image
// per backend and model, learnt from this station's own usage log (rows pulled from colleagues by
// sync name their backends, not ours) and then from every render of the session (job-hooks.ts);
// VRAM from each server's /system_stats and the family's estimate for the model a template loads.
// Backends are named by position (`comfy-1`, `comfy-2`): when the servers change, the running mean
// forgets the old figures within a few renders.
import type { TemplateFamily } from '../../../shared/index.ts';
import { graphModel } from '../comfy/index.ts';
import { LaneCosts } from '../jobs/index.ts';
import { type BackendPool, IMAGE_FAMILY_VRAM } from '../pipeline/backends.ts';
import type { EngineContext } from './context.ts';

/** Usage rows read at start-up: enough for a mean per backend and model, cheap to read. */
const SEED_ROWS = 500;

export function laneCosts(ctx: EngineContext, pool: BackendPool): LaneCosts {
  const familyOf = new Map<string, TemplateFamily>();
  for (const t of ctx.templates.all()) familyOf.set(graphModel(t.graph), t.family);
  const costs = new LaneCosts({
    gpuVram: (laneId) => pool.byLane(laneId)?.status.vramTotal ?? null,
    modelVram: (model) => {
      const family = familyOf.get(model);
      return family ? IMAGE_FAMILY_VRAM[family] : null;
    },
  });
  const rows = ctx.store.modelUsage.list({
    phase: 'image',
    localOnly: true,
    order: 'desc',
    limit: SEED_ROWS,
  });
  for (const row of rows.reverse()) costs.observe(row);
  return costs;
}
