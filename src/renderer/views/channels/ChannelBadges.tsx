// Pass/fail chips per channel: after an export in the Publish list, and from the compliance report in
// the Showcase view (with the failing checks and their numbers).
import type { ChannelName, ComplianceReport } from '../../../shared/index.ts';
import './channels.css';

const SHORT: Record<ChannelName, string> = {
  amazon: 'Amazon',
  shopify: 'Shopify',
  instagram: 'Instagram',
  etsy: 'Etsy',
  mercadolivre: 'Mercado Livre',
};

export function ChannelChips({
  badges,
}: {
  badges: ReadonlyArray<{ channel: ChannelName; passed: boolean }>;
}) {
  if (badges.length === 0) return null;
  return (
    <span className="channel-chips" data-testid="channel-chips">
      {badges.map((b) => (
        <span
          key={b.channel}
          className={`channel-chip ${b.passed ? 'is-pass' : 'is-fail'}`}
          data-channel={b.channel}
          data-passed={b.passed}
          title={`${SHORT[b.channel]}: ${b.passed ? 'every image passes' : 'an image fails a check'}`}
        >
          {b.passed ? '✓' : '✗'} {SHORT[b.channel]}
        </span>
      ))}
    </span>
  );
}

/** The report of one gallery: a chip per channel and the checks that failed, with their numbers. */
export function ChannelReport({
  report,
  heroSha256,
}: {
  report: ComplianceReport;
  heroSha256: string | null;
}) {
  const stale = heroSha256 !== null && report.heroSha256 !== heroSha256;
  const failing = report.channels.flatMap((c) =>
    c.images.flatMap((i) =>
      i.checks
        .filter((k) => k.status === 'fail')
        .map((k) => ({
          key: `${c.channel}-${i.kind}-${k.check}`,
          channel: c.channel,
          kind: i.kind,
          detail: k.detail,
          check: k.check,
        })),
    ),
  );
  return (
    <section className="channel-report" aria-label="Channel compliance" data-testid="channel-report">
      <div className="channel-report-head">
        <h3>Channels</h3>
        <ChannelChips badges={report.channels.map((c) => ({ channel: c.channel, passed: c.passed }))} />
      </div>
      {stale && <p className="faint">The hero changed since this export: export again.</p>}
      {report.whiteBackground && report.whiteBackground.status !== 'not-needed' && (
        <p className="faint">
          White background: {report.whiteBackground.status}
          {report.whiteBackground.error ? ` — ${report.whiteBackground.error}` : ''}
        </p>
      )}
      {failing.length > 0 && (
        <ul className="channel-failures">
          {failing.slice(0, 8).map((f) => (
            <li key={f.key}>
              <b>{SHORT[f.channel]}</b> {f.kind.replace('_', ' ')} · {f.check}: {f.detail}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
