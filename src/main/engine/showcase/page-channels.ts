// The internal gallery page's channel section: one badge per exported channel (pass / fail / stale)
// and the failing checks with their measured numbers. Only the studio's own page shows it; the
// published page never does.

export interface ChannelBadge {
  channel: string;
  label: string;
  passed: boolean;
  /** The hero changed after the export: the badge describes older images. */
  stale: boolean;
  images: number;
  fixed: number;
  failing: Array<{ kind: string; check: string; detail: string }>;
}

const esc = (value: string | number): string =>
  String(value).replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

export const STYLE_CHANNELS = `
.channels h2 { font-family: var(--sans); font-size: .78rem; font-weight: 600; letter-spacing: .14em; text-transform: uppercase; color: var(--muted); margin-bottom: 1rem; }
.channel-list { list-style: none; margin: 0; padding: 0; display: grid; grid-template-columns: repeat(auto-fill, minmax(220px, 1fr)); gap: .8rem; }
.channel { background: var(--surface); border: 1px solid var(--line); border-radius: var(--radius-sm); padding: .8rem 1rem; font-size: .9rem; }
.channel-head { display: flex; justify-content: space-between; align-items: center; gap: .6rem; font-weight: 600; }
.channel-badge { padding: .15rem .6rem; border-radius: 999px; font-size: .72rem; letter-spacing: .04em; text-transform: uppercase; }
.channel-pass { color: var(--ok); background: var(--ok-bg); }
.channel-fail { color: var(--bad); background: var(--bad-bg); }
.channel-stale { color: var(--warn); background: var(--warn-bg); }
.channel ul { margin: .5rem 0 0; padding-left: 1.1rem; color: var(--muted); font-size: .82rem; }
.channel p { margin: .35rem 0 0; color: var(--faint); font-size: .8rem; }
`;

export function renderChannelSection(badges: readonly ChannelBadge[] | undefined): string {
  if (!badges || badges.length === 0) return '';
  const items = badges.map((b) => {
    const state = b.stale ? 'stale' : b.passed ? 'pass' : 'fail';
    const word = b.stale ? 'Stale' : b.passed ? 'Pass' : 'Fail';
    const failing =
      b.failing.length > 0
        ? `<ul>${b.failing
            .slice(0, 6)
            .map((f) => `<li><b>${esc(f.kind)}</b> ${esc(f.check)}: ${esc(f.detail)}</li>`)
            .join('')}</ul>`
        : '';
    const note = `${b.images} image${b.images === 1 ? '' : 's'}${b.fixed > 0 ? `, ${b.fixed} auto-fixed` : ''}${b.stale ? ' · the hero changed since this export' : ''}`;
    return `<li class="channel" data-channel="${esc(b.channel)}" data-state="${state}"><div class="channel-head"><span>${esc(b.label)}</span><span class="channel-badge channel-${state}">${word}</span></div><p>${esc(note)}</p>${failing}</li>`;
  });
  return `<section class="channels" aria-labelledby="channels-title"><h2 id="channels-title">Channel compliance</h2><ul class="channel-list">${items.join('')}</ul></section>`;
}
