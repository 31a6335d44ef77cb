// Brand presets: the list, the one being edited, and create/save/duplicate/delete.
import { create } from 'zustand';
import type { ParamValue, PromptPreset } from '../../shared/index.ts';
import { bridge } from '../bridge/index.ts';
import { type ErrorInfo, errorFields, errorInfo } from './errors.ts';
import { useHistory } from './history.ts';
import { notify, reportError } from './toasts.ts';

export interface PresetForm {
  name: string;
  prefix: string;
  negative: string;
  style: string;
  lighting: string;
  /** `name=value` lines. */
  params: string;
}

export const emptyForm: PresetForm = {
  name: '',
  prefix: '',
  negative: '',
  style: '',
  lighting: '',
  params: '',
};

export function formOf(p: PromptPreset): PresetForm {
  return {
    name: p.name,
    prefix: p.prefix,
    negative: p.negative,
    style: p.style,
    lighting: p.lighting,
    params: Object.entries(p.params)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n'),
  };
}

/** `cfg=3.5` lines → values (numbers and booleans typed); a bad line names itself. */
export function parseParams(text: string): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (!line) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) throw new Error(`Line ${i + 1} of the parameters: write name=value (e.g. cfg=3.5)`);
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    out[key] =
      value === 'true' || value === 'false'
        ? value === 'true'
        : value !== '' && Number.isFinite(Number(value))
          ? Number(value)
          : value;
  }
  return out;
}

interface PresetsState {
  presets: PromptPreset[];
  loaded: boolean;
  error: ErrorInfo | null;
  /** The preset open in the editor; `new` for an unsaved one. */
  selected: string | 'new' | null;
  form: PresetForm;
  dirty: boolean;
  saving: boolean;
  fieldErrors: string[];
  load(): Promise<void>;
  select(id: string | 'new'): void;
  edit(patch: Partial<PresetForm>): void;
  save(rerender: boolean): Promise<void>;
  duplicate(): Promise<void>;
  remove(): Promise<void>;
}

export const usePresets = create<PresetsState>()((set, get) => ({
  presets: [],
  loaded: false,
  error: null,
  selected: null,
  form: emptyForm,
  dirty: false,
  saving: false,
  fieldErrors: [],
  async load() {
    try {
      const presets = await bridge().call('presets.list', {});
      set({ presets, loaded: true, error: null });
      const selected = get().selected;
      if (selected === null && presets[0]) get().select(presets[0].id);
      else if (selected && selected !== 'new') {
        const current = presets.find((p) => p.id === selected);
        if (!current) {
          if (presets[0]) get().select(presets[0].id);
        } else if (!get().dirty) set({ form: formOf(current) });
      }
    } catch (err) {
      set({ loaded: true, error: errorInfo(err) });
    }
  },
  select(id) {
    const preset = get().presets.find((p) => p.id === id);
    set({ selected: id, form: preset ? formOf(preset) : emptyForm, dirty: false, fieldErrors: [] });
    if (id !== 'new') void useHistory.getState().load({ kind: 'preset', id });
  },
  edit(patch) {
    set({ form: { ...get().form, ...patch }, dirty: true });
  },
  async save(rerender) {
    const { form, selected } = get();
    if (!selected) return;
    let params: Record<string, ParamValue>;
    try {
      params = parseParams(form.params);
    } catch (err) {
      set({ fieldErrors: ['params'] });
      reportError('Saving the preset', err);
      return;
    }
    set({ saving: true, fieldErrors: [] });
    const fields = { ...form, params };
    try {
      if (selected === 'new') {
        const created = await bridge().call('presets.create', fields);
        notify('success', `Created “${created.name}”`);
        set({ selected: created.id, dirty: false });
      } else {
        const r = await bridge().call('presets.update', { id: selected, ...fields, rerender });
        const n = r.rerender.assets.length;
        notify(
          'success',
          `Saved “${r.preset.name}”`,
          rerender ? (n > 0 ? `Re-rendering ${n} image(s)` : (r.rerender.note ?? undefined)) : undefined,
        );
        set({ dirty: false });
      }
      await get().load();
      const id = get().selected;
      if (id && id !== 'new') await useHistory.getState().load({ kind: 'preset', id });
    } catch (err) {
      set({ fieldErrors: errorFields(err).map((f) => f.replace(/^presets\.(create|update)\./, '')) });
      reportError('Saving the preset', err);
    } finally {
      set({ saving: false });
    }
  },
  async duplicate() {
    const selected = get().selected;
    if (!selected || selected === 'new') return;
    try {
      const copy = await bridge().call('presets.duplicate', { id: selected });
      notify('success', `Duplicated as “${copy.name}”`);
      await get().load();
      get().select(copy.id);
    } catch (err) {
      reportError('Duplicating the preset', err);
    }
  },
  async remove() {
    const selected = get().selected;
    if (!selected || selected === 'new') return;
    try {
      await bridge().call('presets.delete', { id: selected });
      notify('success', 'Preset deleted', 'Its history is kept; roll back to bring it back.');
      set({ selected: null });
      await get().load();
    } catch (err) {
      reportError('Deleting the preset', err);
    }
  },
}));
