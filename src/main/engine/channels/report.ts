// Summaries of compliance reports: the pass rate per channel (`amazon: 9/11 products pass`) and the
// badges the internal gallery page and the UI show.
import type { ChannelName, ChannelPassRate, CheckId, ComplianceReport } from '../../../shared/index.ts';
import type { ChannelBadge } from '../showcase/index.ts';
import { CHANNEL_RULES } from './rules.ts';

export function passRates(
  reports: readonly ComplianceReport[],
  channels: readonly ChannelName[],
): ChannelPassRate[] {
  return channels.map((channel) => {
    let passed = 0;
    let total = 0;
    let fixed = 0;
    const failures = new Map<CheckId, number>();
    for (const report of reports) {
      const result = report.channels.find((c) => c.channel === channel);
      if (!result) continue;
      total++;
      if (result.passed) passed++;
      for (const image of result.images) {
        if (image.checks.some((c) => c.status === 'fixed')) fixed++;
        for (const c of image.checks) {
          if (c.status === 'fail') failures.set(c.check, (failures.get(c.check) ?? 0) + 1);
        }
      }
    }
    const top = [...failures].sort((a, b) => b[1] - a[1])[0];
    return { channel, passed, total, fixed, topFailure: top ? { check: top[0], count: top[1] } : null };
  });
}

/** `amazon: 9/11 products pass (14 images auto-fixed; most failures: fill × 2)` */
export function formatPassRate(rate: ChannelPassRate): string {
  const extra = [
    rate.fixed > 0 ? `${rate.fixed} image${rate.fixed === 1 ? '' : 's'} auto-fixed` : null,
    rate.topFailure ? `most failures: ${rate.topFailure.check} × ${rate.topFailure.count}` : null,
  ].filter((s): s is string => s !== null);
  return `${rate.channel}: ${rate.passed}/${rate.total} product${rate.total === 1 ? '' : 's'} pass${extra.length > 0 ? ` (${extra.join('; ')})` : ''}`;
}

/** The badges of one gallery's report; `stale` when the hero changed since the export. */
export function channelBadges(report: ComplianceReport, heroSha256: string | null): ChannelBadge[] {
  const stale = heroSha256 !== null && report.heroSha256 !== heroSha256;
  return report.channels.map((c) => ({
    channel: c.channel,
    label: CHANNEL_RULES[c.channel].label,
    passed: c.passed,
    stale,
    images: c.images.length,
    failing: c.images.flatMap((i) =>
      i.checks
        .filter((k) => k.status === 'fail')
        .map((k) => ({ kind: i.kind, check: k.check, detail: k.detail })),
    ),
    fixed: c.images.filter((i) => i.checks.some((k) => k.status === 'fixed')).length,
  }));
}
