// Settings as the engine holds them. Secrets come back as "********" and are only sent when edited.
import { create } from 'zustand';
import { SECRET_MASK, type Settings, type SettingsPatch } from '../../shared/index.ts';
import { bridge } from '../bridge/index.ts';
import { type ErrorInfo, errorFields, errorInfo } from './errors.ts';
import { notify, reportError } from './toasts.ts';

/** What `settings.get` shows instead of a stored secret. */
export const MASK = SECRET_MASK;

interface SettingsState {
  settings: Settings | null;
  loading: boolean;
  saving: boolean;
  error: ErrorInfo | null;
  fieldErrors: string[];
  load(): Promise<void>;
  /** Sends the patch; resolves true when saved. */
  save(patch: SettingsPatch, what?: string): Promise<boolean>;
}

export const useSettings = create<SettingsState>()((set, get) => ({
  settings: null,
  loading: false,
  saving: false,
  error: null,
  fieldErrors: [],
  async load() {
    set({ loading: get().settings === null });
    try {
      set({ settings: await bridge().call('settings.get', {}), loading: false, error: null });
    } catch (err) {
      set({ loading: false, error: errorInfo(err) });
    }
  },
  async save(patch, what = 'Settings') {
    if (Object.keys(patch).length === 0) return true;
    set({ saving: true, fieldErrors: [] });
    try {
      const settings = await bridge().call('settings.update', patch);
      set({ settings, saving: false });
      notify('success', `${what} saved`);
      return true;
    } catch (err) {
      set({ saving: false, fieldErrors: errorFields(err).map((f) => f.replace(/^settings\.update\./, '')) });
      reportError(`Saving ${what.toLowerCase()}`, err);
      return false;
    }
  },
}));
