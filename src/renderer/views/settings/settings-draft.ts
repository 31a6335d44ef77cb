// The settings form's draft: every field as the inputs hold it (numbers as text), made from the
// engine's settings and turned back into a patch of only the top-level keys that changed. Secrets
// come back as "********": their inputs start empty and the stored value is kept unless a new one is typed.
import type { Settings, SettingsPatch } from '../../../shared/index.ts';
import { MASK } from '../../state/settings.ts';

export const PREVIEW_LABELS: Record<Draft['comfyPreviewMethod'], string> = {
  auto: 'auto (default)',
  latent2rgb: 'latent2rgb — fast, coarse',
  taesd: 'taesd — sharper, needs the TAESD decoders',
  none: 'none — no previews, less traffic',
  default: "the server's --preview-method",
};

export const FAMILY_LABELS: Record<Draft['family'], string> = {
  'qwen-image': 'qwen-image (default)',
  sdxl: 'sdxl',
  edit: "edit — restyle each product's reference photo",
};

export interface Draft {
  comfyUrls: string[];
  ollamaUrl: string;
  ollamaModel: string;
  family: Settings['family'];
  copyLanguage: string;
  currency: string;
  variations: string;
  thumbnailMode: Settings['thumbnailMode'];
  thumbnailSize: string;
  comfyPreviewMethod: Settings['comfyPreviewMethod'];
  outputDir: string;
  postgresUrl: string;
  syncIntervalSec: string;
  s3Enabled: boolean;
  s3: {
    endpoint: string;
    bucket: string;
    accessKey: string;
    secretKey: string;
    region: string;
    publicBaseUrl: string;
    presignSeconds: string;
    access: NonNullable<NonNullable<Settings['s3']>['access']>;
  };
  smtpEnabled: boolean;
  smtp: { url: string; from: string };
}

export function toDraft(s: Settings): Draft {
  return {
    comfyUrls: [...s.comfyUrls],
    ollamaUrl: s.ollamaUrl,
    ollamaModel: s.ollamaModel,
    family: s.family,
    copyLanguage: s.copyLanguage,
    currency: s.currency,
    variations: String(s.variations),
    thumbnailMode: s.thumbnailMode,
    thumbnailSize: String(s.thumbnailSize),
    comfyPreviewMethod: s.comfyPreviewMethod,
    outputDir: s.outputDir,
    postgresUrl: s.postgresUrl ?? '',
    syncIntervalSec: String(s.syncIntervalSec),
    s3Enabled: s.s3 !== null,
    s3: {
      endpoint: s.s3?.endpoint ?? '',
      bucket: s.s3?.bucket ?? '',
      accessKey: s.s3?.accessKey ?? '',
      // A stored secret is never shown: empty means "keep it".
      secretKey: '',
      region: s.s3?.region ?? 'us-east-1',
      publicBaseUrl: s.s3?.publicBaseUrl ?? '',
      presignSeconds: String(s.s3?.presignSeconds ?? 604_800),
      access: s.s3?.access ?? 'auto',
    },
    smtpEnabled: s.smtp !== null,
    smtp: { url: s.smtp?.url ?? '', from: s.smtp?.from ?? '' },
  };
}

const num = (text: string): number => (text.trim() === '' ? Number.NaN : Number(text));

/** The patch: only top-level keys whose value differs from what the engine holds. */
export function toPatch(draft: Draft, saved: Settings): SettingsPatch {
  const next: Record<string, unknown> = {
    comfyUrls: draft.comfyUrls.map((u) => u.trim()).filter(Boolean),
    ollamaUrl: draft.ollamaUrl.trim(),
    ollamaModel: draft.ollamaModel.trim(),
    family: draft.family,
    copyLanguage: draft.copyLanguage.trim(),
    currency: draft.currency.trim().toUpperCase(),
    variations: num(draft.variations),
    thumbnailMode: draft.thumbnailMode,
    thumbnailSize: num(draft.thumbnailSize),
    comfyPreviewMethod: draft.comfyPreviewMethod,
    outputDir: draft.outputDir.trim(),
    postgresUrl: draft.postgresUrl.trim() === '' ? null : draft.postgresUrl.trim(),
    syncIntervalSec: num(draft.syncIntervalSec),
    s3: draft.s3Enabled
      ? {
          endpoint: draft.s3.endpoint.trim(),
          bucket: draft.s3.bucket.trim(),
          accessKey: draft.s3.accessKey.trim(),
          // Unchanged secret: send the mask back, which the engine reads as "keep the stored key".
          secretKey: draft.s3.secretKey === '' && saved.s3 ? MASK : draft.s3.secretKey,
          region: draft.s3.region.trim() || 'us-east-1',
          publicBaseUrl: draft.s3.publicBaseUrl.trim() === '' ? null : draft.s3.publicBaseUrl.trim(),
          presignSeconds: num(draft.s3.presignSeconds),
          // `auto` is what an absent value means: keep the stored settings as they were.
          ...(draft.s3.access === 'auto' && saved.s3?.access === undefined
            ? {}
            : { access: draft.s3.access }),
        }
      : null,
    smtp: draft.smtpEnabled ? { url: draft.smtp.url.trim(), from: draft.smtp.from.trim() } : null,
  };
  const patch: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(next)) {
    if (JSON.stringify(value) !== JSON.stringify(saved[key as keyof Settings])) patch[key] = value;
  }
  return patch as SettingsPatch;
}
