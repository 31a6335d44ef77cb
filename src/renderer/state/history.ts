// Versions of a preset or of a showcase's prompts: the list (who, when, what), a side-by-side diff of
// two of them, and rollback. One store per subject kind, keyed by the subject's id.
import { create } from 'zustand';
import type { EditVersion, RerenderReport, VersionDiff } from '../../shared/index.ts';
import { bridge } from '../bridge/index.ts';
import { notify, reportError } from './toasts.ts';

export type HistorySubject = { kind: 'preset'; id: string } | { kind: 'prompt'; galleryId: string };

const keyOf = (s: HistorySubject) => (s.kind === 'preset' ? `preset:${s.id}` : `prompt:${s.galleryId}`);

interface HistoryState {
  key: string | null;
  versions: EditVersion[];
  /** The two versions compared (older, newer). */
  pair: [number, number] | null;
  diff: VersionDiff | null;
  busy: boolean;
  load(subject: HistorySubject): Promise<void>;
  compare(subject: HistorySubject, from: number, to: number): Promise<void>;
  rollback(subject: HistorySubject, version: number): Promise<RerenderReport | null>;
}

export const useHistory = create<HistoryState>()((set, get) => ({
  key: null,
  versions: [],
  pair: null,
  diff: null,
  busy: false,
  async load(subject) {
    const key = keyOf(subject);
    if (get().key !== key) set({ key, versions: [], pair: null, diff: null });
    try {
      const versions =
        subject.kind === 'preset'
          ? await bridge().call('presets.versions', { id: subject.id })
          : await bridge().call('prompts.versions', { galleryId: subject.galleryId });
      if (get().key !== key) return;
      set({ versions });
      // The newest change against the one before it is what an operator looks at first.
      const last = versions.at(-1);
      const before = versions.at(-2);
      if (last && before && get().pair === null) await get().compare(subject, before.version, last.version);
    } catch (err) {
      reportError('Reading the history', err);
    }
  },
  async compare(subject, from, to) {
    const key = keyOf(subject);
    const [a, b] = from <= to ? [from, to] : [to, from];
    set({ pair: [a, b] });
    try {
      const diff =
        subject.kind === 'preset'
          ? await bridge().call('presets.diff', { id: subject.id, from: a, to: b })
          : await bridge().call('prompts.diff', { galleryId: subject.galleryId, from: a, to: b });
      if (get().key === key) set({ diff });
    } catch (err) {
      reportError('Comparing versions', err);
    }
  },
  async rollback(subject, version) {
    if (get().busy) return null;
    set({ busy: true });
    try {
      const r =
        subject.kind === 'preset'
          ? await bridge().call('presets.rollback', { id: subject.id, version })
          : await bridge().call('prompts.rollback', { galleryId: subject.galleryId, version });
      const n = r.rerender.assets.length;
      notify(
        'success',
        `Rolled back to version ${version}`,
        n > 0
          ? `Re-rendering ${n} image(s)${r.rerender.note ? `; ${r.rerender.note}` : ''}`
          : (r.rerender.note ?? undefined),
      );
      set({ pair: null });
      await get().load(subject);
      return r.rerender;
    } catch (err) {
      reportError('Rolling back', err);
      return null;
    } finally {
      set({ busy: false });
    }
  },
}));
