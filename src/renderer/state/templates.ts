import { create } from 'zustand';
import type { LintIssue, TemplateSummary } from '../../shared/index.ts';
import { bridge } from '../bridge/index.ts';
import { type ErrorInfo, errorInfo } from './errors.ts';
import { reportError } from './toasts.ts';

interface LintResult {
  issues: LintIssue[];
  source: string;
  live: boolean;
  at: number;
}

interface TemplatesState {
  templates: TemplateSummary[];
  loaded: boolean;
  error: ErrorInfo | null;
  lint: LintResult | null;
  linting: boolean;
  load(): Promise<void>;
  runLint(live: boolean): Promise<void>;
}

export const useTemplates = create<TemplatesState>()((set, get) => ({
  templates: [],
  loaded: false,
  error: null,
  lint: null,
  linting: false,
  async load() {
    try {
      set({ templates: await bridge().call('templates.list', {}), loaded: true, error: null });
    } catch (err) {
      set({ loaded: true, error: errorInfo(err) });
    }
  },
  async runLint(live) {
    if (get().linting) return;
    set({ linting: true });
    try {
      const r = await bridge().call('templates.lint', { live });
      set({ lint: { ...r, live, at: Date.now() }, linting: false });
    } catch (err) {
      set({ linting: false });
      reportError(live ? 'Linting against the live server' : 'Linting the templates', err);
    }
  },
}));
