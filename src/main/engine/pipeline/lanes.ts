// Which lane a planned job runs on, the model it needs (for affinity) and the template it renders
// (a server that lacks the template's model files cannot take it).
import type { TemplateFamily } from '../../../shared/index.ts';
import { graphModel } from '../comfy/index.ts';
import type { LaneKind } from '../jobs/index.ts';
import type { PlannedJob } from '../showcase/index.ts';
import type { TemplateLibrary } from '../templates/index.ts';

export type SchedulableJob = PlannedJob & { lane: LaneKind; model: string | null; template: string | null };

export function schedulable(
  templates: TemplateLibrary,
  job: PlannedJob,
  family: TemplateFamily,
): SchedulableJob {
  const payload = job.payload;
  const lane: LaneKind =
    payload.type === 'copy'
      ? payload.target === 'team'
        ? 'team'
        : 'llm'
      : payload.type === 'thumbnail' && payload.mode === 'sharp'
        ? 'cpu'
        : payload.type === 'image' && payload.target === 'team'
          ? 'team'
          : 'comfy';
  let model: string | null = null;
  if (payload.type === 'image') {
    const template = templates.has(payload.templateId) ? templates.get(payload.templateId) : null;
    model = template ? graphModel(template.graph) : family;
  }
  const template = payload.type === 'copy' ? null : payload.templateId;
  return { ...job, lane, model, template };
}
