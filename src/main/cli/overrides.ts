// The backend flags every engine-opening command takes (`--comfy URL`…, `--ollama URL`): settings
// for this process only, on top of the stored ones.
import type { SettingsPatch } from '../../shared/index.ts';

export function backendOverrides(opts: { comfy?: string[]; ollama?: string }): SettingsPatch {
  return {
    ...(opts.comfy?.length ? { comfyUrls: opts.comfy } : {}),
    ...(opts.ollama ? { ollamaUrl: opts.ollama } : {}),
  };
}
