// Channel exports from the UI: the export itself (through the contract's `channels.export`, like the
// CLI), the per-gallery pass/fail badges it leaves, the compliance report of one gallery, and the
// Shopify CSV download.
import { create } from 'zustand';
import {
  type ChannelName,
  type ComplianceReport,
  channelNames,
  type MethodOutput,
} from '../../shared/index.ts';
import { bridge } from '../bridge/index.ts';
import { type ErrorInfo, errorInfo } from './errors.ts';
import { notify } from './toasts.ts';

export type ChannelRules = MethodOutput<'channels.rules'>;
export type ChannelExport = MethodOutput<'channels.export'>;
export type ChannelBadge = { channel: ChannelName; passed: boolean };

interface ChannelsState {
  rules: ChannelRules | null;
  chosen: ReadonlySet<ChannelName>;
  render: boolean;
  exporting: boolean;
  last: ChannelExport | null;
  error: ErrorInfo | null;
  /** The latest export's verdicts, by gallery id. */
  badges: Readonly<Record<string, ChannelBadge[]>>;
  reports: Readonly<Record<string, ComplianceReport | null>>;
  loadRules(): Promise<void>;
  toggle(channel: ChannelName): void;
  setRender(render: boolean): void;
  exportGalleries(galleryIds: readonly string[]): Promise<void>;
  loadReport(galleryId: string): Promise<void>;
  downloadShopify(galleryIds: readonly string[]): Promise<void>;
}

export const useChannels = create<ChannelsState>()((set, get) => ({
  rules: null,
  chosen: new Set(channelNames),
  render: true,
  exporting: false,
  last: null,
  error: null,
  badges: {},
  reports: {},

  async loadRules() {
    if (get().rules) return;
    try {
      set({ rules: await bridge().call('channels.rules', {}) });
    } catch (err) {
      set({ error: errorInfo(err) });
    }
  },
  toggle(channel) {
    const chosen = new Set(get().chosen);
    if (chosen.has(channel)) chosen.delete(channel);
    else chosen.add(channel);
    set({ chosen });
  },
  setRender(render) {
    set({ render });
  },

  async exportGalleries(galleryIds) {
    const channels = channelNames.filter((c) => get().chosen.has(c));
    if (galleryIds.length === 0 || channels.length === 0) return;
    set({ exporting: true, error: null });
    try {
      const result = await bridge().call('channels.export', {
        galleryIds: [...galleryIds],
        channels,
        render: get().render,
      });
      const badges = { ...get().badges };
      for (const g of result.galleries) badges[g.galleryId] = g.channels;
      const reports = { ...get().reports };
      for (const g of result.galleries) delete reports[g.galleryId];
      set({ last: result, badges, reports });
      const failing = result.summary.filter((s) => s.passed < s.total);
      // A failed check is a result to read, not an error; a gallery that could not be exported is.
      notify(
        result.skipped.length > 0 ? 'error' : failing.length > 0 ? 'info' : 'success',
        `Exported ${result.galleries.length} galler${result.galleries.length === 1 ? 'y' : 'ies'} for ${channels.length} channel${channels.length === 1 ? '' : 's'}`,
        result.summary.map((s) => `${s.channel}: ${s.passed}/${s.total} pass`).join(' · '),
      );
    } catch (err) {
      set({ error: errorInfo(err) });
    } finally {
      set({ exporting: false });
    }
  },

  async loadReport(galleryId) {
    try {
      const report = await bridge().call('channels.report', { galleryId });
      set({ reports: { ...get().reports, [galleryId]: report } });
    } catch (err) {
      set({ error: errorInfo(err) });
    }
  },

  async downloadShopify(galleryIds) {
    if (galleryIds.length === 0) return;
    try {
      const result = await bridge().call('catalog.exportShopify', { galleryIds: [...galleryIds] });
      const url = URL.createObjectURL(new Blob([result.csv], { type: 'text/csv;charset=utf-8' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = result.filename;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      notify(
        result.warnings.length > 0 ? 'info' : 'success',
        `Shopify CSV: ${result.products} product${result.products === 1 ? '' : 's'}, ${result.rows} rows`,
        result.warnings.slice(0, 3).join(' · ') || undefined,
      );
    } catch (err) {
      set({ error: errorInfo(err) });
      notify('error', 'Shopify CSV export failed', errorInfo(err).message);
    }
  },
}));
