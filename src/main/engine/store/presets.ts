import { type PromptPreset, PromptPresetSchema, parseOrThrow } from '../../../shared/index.ts';
import type { StoreCore } from './core.ts';
import { formatHlc } from './hlc.ts';
import { presetsSpec, rowToDomain } from './tables.ts';

/** A preset to store; `updatedAt` is stamped by the store. */
export type PresetUpsert = Omit<PromptPreset, 'updatedAt'> & { updatedAt?: string };

/**
 * Seeded rows carry the lowest possible HLC and are not queued for push: every node seeds the same
 * defaults, and a fresh install must never overwrite a team member's edit of "Studio white".
 */
export const SEED_HLC = formatHlc({ physical: 0, counter: 0, node: 'seed' });

export const defaultPresets: ReadonlyArray<Omit<PromptPreset, 'updatedAt'>> = [
  {
    id: 'studio-white',
    name: 'Studio white',
    prefix:
      'professional e-commerce product photograph, the product centred on a seamless pure white background, ' +
      'crisp focus across the whole product, true-to-life colours and materials',
    negative:
      'text, watermark, logo, props, clutter, people, hands, coloured background, harsh shadows, blurry, ' +
      'distorted, deformed, low quality',
    style: 'clean catalogue packshot',
    lighting: 'soft even three-point studio lighting with a gentle contact shadow',
    params: {},
  },
  {
    id: 'warm-lifestyle',
    name: 'Warm lifestyle',
    prefix:
      'authentic lifestyle photograph of the product in everyday use in a lived-in home, natural composition, ' +
      'shallow depth of field, the product clearly the subject',
    negative:
      'text, watermark, logo, oversaturated, plastic look, extra fingers, distorted hands, cluttered frame, ' +
      'blurry, low quality',
    style: 'editorial lifestyle, warm earthy palette, natural textures',
    lighting: 'golden-hour window light with warm soft shadows',
    params: {},
  },
  {
    id: 'nordic-minimal',
    name: 'Nordic minimal',
    prefix:
      'minimalist Scandinavian product photograph on light oak and linen, generous negative space, ' +
      'muted neutral palette, calm and uncluttered',
    negative:
      'text, watermark, clutter, busy background, saturated colours, glossy reflections, ornate decor, blurry, ' +
      'low quality',
    style: 'calm minimal interior, matte surfaces',
    lighting: 'diffuse overcast daylight, soft low-contrast shadows',
    params: {},
  },
  {
    id: 'dark-luxe',
    name: 'Dark luxe',
    prefix:
      'premium product photograph on dark slate and smoked glass, refined and dramatic, rich deep tones, ' +
      'the product sharply lit against the darkness',
    negative: 'text, watermark, logo, bright background, flat lighting, clutter, noise, blurry, low quality',
    style: 'luxury advertising, low-key',
    lighting: 'low-key rim lighting with a single soft key light and controlled reflections',
    params: {},
  },
];

export class PresetRepository {
  private readonly core: StoreCore;

  constructor(core: StoreCore) {
    this.core = core;
  }

  /** Inserts or updates a preset; an unchanged preset writes nothing. */
  upsert(preset: PresetUpsert): PromptPreset {
    return this.core.tx(`save preset ${preset.id}`, () => {
      const current = this.get(preset.id);
      if (current)
        return this.core.updateSynced(
          presetsSpec,
          current,
          { ...preset, updatedAt: current.updatedAt },
          'preset',
        );
      const created = parseOrThrow(
        PromptPresetSchema,
        { ...preset, updatedAt: this.core.nowIso() },
        'preset',
      );
      this.core.writeSynced(presetsSpec, created, 'insert');
      return created;
    });
  }

  get(id: string): PromptPreset | null {
    const row = this.core.prepare('SELECT * FROM prompt_presets WHERE id = ?').get(id);
    return row ? rowToDomain(presetsSpec, row) : null;
  }

  /** All presets by name. */
  list(): PromptPreset[] {
    return this.core
      .prepare('SELECT * FROM prompt_presets ORDER BY name COLLATE NOCASE, id')
      .all()
      .map((row) => rowToDomain(presetsSpec, row));
  }

  /** Adds the default presets that are missing (edited or synced ones are kept). Returns how many were added. */
  seedDefaults(): number {
    return this.core.tx('seed default presets', () => {
      const at = this.core.nowIso();
      let added = 0;
      for (const preset of defaultPresets) {
        if (this.get(preset.id)) continue;
        this.core.writeRow(
          presetsSpec,
          presetsSpec.toSyncRow({ ...preset, updatedAt: at }),
          SEED_HLC,
          'insert',
        );
        added += 1;
      }
      return added;
    });
  }
}
