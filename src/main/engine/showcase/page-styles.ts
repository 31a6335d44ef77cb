// The pages' inline CSS (no fonts, scripts or CDNs: a page works from a file:// folder, a bucket or
// an e-mail link): the base shared by both, the product page's and the catalog's.

export const STYLE_BASE = `
:root {
  color-scheme: light dark;
  --bg: #f7f5f1; --surface: #ffffff; --text: #1d1b18; --muted: #6d675e; --faint: #9a948a;
  --line: #e6e1d8; --accent: #9b5f2a; --accent-soft: #f3e8dc;
  --ph-a: #efebe4; --ph-b: #e7e2d9; --shadow: 0 28px 60px -32px rgba(40, 30, 20, .45);
  --ok: #2f7a4b; --ok-bg: #e3f2e8; --warn: #8a5a00; --warn-bg: #fbefd3; --bad: #a23a32; --bad-bg: #f8e1de;
  --radius: 18px; --radius-sm: 12px;
  --sans: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", "Noto Sans", "Liberation Sans", Arial, sans-serif;
  --serif: "Iowan Old Style", "Palatino Linotype", Palatino, "Book Antiqua", Georgia, "DejaVu Serif", serif;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #121110; --surface: #1b1a18; --text: #f1ede6; --muted: #aaa398; --faint: #7c766c;
    --line: #2e2b27; --accent: #e0a86f; --accent-soft: #2c2219;
    --ph-a: #22201d; --ph-b: #1c1a18; --shadow: 0 28px 60px -32px rgba(0, 0, 0, .9);
    --ok: #8fd3a6; --ok-bg: #183325; --warn: #f0c46b; --warn-bg: #3a2d10; --bad: #f0a098; --bad-bg: #3d1b18;
  }
}
*, *::before, *::after { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body {
  margin: 0; background: var(--bg); color: var(--text);
  font: 17px/1.65 var(--sans); -webkit-font-smoothing: antialiased; text-rendering: optimizeLegibility;
}
a { color: inherit; }
img { display: block; max-width: 100%; height: auto; }
.page { max-width: 1200px; margin: 0 auto; padding: clamp(20px, 4vw, 56px) clamp(18px, 4vw, 48px) 40px; }
.eyebrow {
  margin: 0; font-size: .78rem; font-weight: 600; letter-spacing: .14em; text-transform: uppercase; color: var(--accent);
}
h1, h2 { font-family: var(--serif); font-weight: 600; letter-spacing: -.015em; color: var(--text); overflow-wrap: anywhere; }
h2 { font-size: clamp(1.45rem, 2.4vw, 1.9rem); line-height: 1.2; margin: 0 0 .8rem; }
.placeholder {
  width: 100%; display: flex; flex-direction: column; align-items: center; justify-content: center; gap: .6rem;
  color: var(--faint); font-size: .85rem; letter-spacing: .02em; border-radius: var(--radius);
  background: repeating-linear-gradient(135deg, var(--ph-a) 0 14px, var(--ph-b) 14px 28px);
  border: 1px dashed var(--line);
}
`;

export const STYLE_PRODUCT = `
.topbar { display: flex; align-items: center; justify-content: space-between; gap: 1rem; margin-bottom: clamp(20px, 3vw, 36px); font-size: .9rem; color: var(--muted); }
.topbar a { text-decoration: none; padding: .35rem .8rem; border: 1px solid var(--line); border-radius: 999px; background: var(--surface); }
.topbar a:hover { border-color: var(--muted); }
.intro { display: grid; grid-template-columns: minmax(0, 1.3fr) minmax(0, 1fr); gap: clamp(28px, 5vw, 72px); align-items: center; }
.hero-media img, .hero-media .placeholder { border-radius: var(--radius); box-shadow: var(--shadow); }
.summary h1 { font-size: clamp(2.2rem, 4.2vw, 3.4rem); line-height: 1.04; margin: .35rem 0 .9rem; }
.tagline { margin: 0 0 1.4rem; font-size: clamp(1.1rem, 1.6vw, 1.3rem); line-height: 1.5; color: var(--muted); }
.price { margin: 0 0 1.6rem; font-size: 1.6rem; font-weight: 600; font-variant-numeric: tabular-nums; }
.bullets { list-style: none; margin: 0; padding: 1.4rem 0 0; border-top: 1px solid var(--line); display: grid; gap: .75rem; }
.bullets li { position: relative; padding-left: 2rem; }
.bullets li::before {
  content: ""; position: absolute; left: 0; top: .3em; width: 1.15rem; height: 1.15rem; border-radius: 50%;
  background: var(--accent-soft) url("data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E%3Cpath d='M4 8.5l2.6 2.5L12 5.5' fill='none' stroke='%239b5f2a' stroke-width='1.8' stroke-linecap='round' stroke-linejoin='round'/%3E%3C/svg%3E") center / 80% no-repeat;
}
section { margin-top: clamp(56px, 8vw, 104px); }
.story { display: grid; grid-template-columns: minmax(0, 1.6fr) minmax(0, 1fr); gap: clamp(28px, 5vw, 72px); align-items: start; }
.description p { margin: 0 0 1.1em; max-width: 62ch; }
.description p:first-of-type { font-size: 1.12rem; }
.facts { background: var(--surface); border: 1px solid var(--line); border-radius: var(--radius); padding: 1.5rem 1.6rem; }
.facts h2 { font-family: var(--sans); font-size: .78rem; font-weight: 600; letter-spacing: .14em; text-transform: uppercase; color: var(--muted); margin-bottom: 1rem; }
.facts dl { margin: 0; display: grid; grid-template-columns: auto 1fr; gap: .7rem 1.2rem; font-size: .95rem; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; font-weight: 500; }
.chips { display: flex; flex-wrap: wrap; gap: .4rem; }
.chip { display: inline-block; padding: .1rem .6rem; border-radius: 999px; background: var(--accent-soft); font-size: .85rem; font-weight: 500; }
.lifestyle figure { margin: 0; }
.lifestyle img, .lifestyle .placeholder { width: 100%; border-radius: var(--radius); box-shadow: var(--shadow); }
.lifestyle .placeholder { max-height: 320px; box-shadow: none; }
.variations-head { display: flex; align-items: baseline; justify-content: space-between; gap: 1rem; }
.grid { display: grid; grid-template-columns: repeat(4, minmax(0, 1fr)); gap: clamp(12px, 1.6vw, 20px); margin: 0; padding: 0; list-style: none; }
.grid img, .grid .placeholder { width: 100%; aspect-ratio: 1 / 1; object-fit: cover; border-radius: var(--radius-sm); }
.grid .placeholder span { display: none; }
.grid figure { margin: 0; }
.grid figcaption { margin-top: .5rem; font-size: .82rem; color: var(--muted); }
footer { margin-top: clamp(64px, 9vw, 112px); padding-top: 1.4rem; border-top: 1px solid var(--line); font-size: .82rem; color: var(--faint); }
footer summary { cursor: pointer; width: max-content; color: var(--muted); }
footer summary:hover { color: var(--text); }
.meta { margin: 1rem 0; display: flex; flex-wrap: wrap; gap: .4rem 1.6rem; }
.meta b { font-weight: 600; color: var(--muted); }
.table-wrap { overflow-x: auto; }
footer table { width: 100%; border-collapse: collapse; font-variant-numeric: tabular-nums; }
footer th, footer td { text-align: left; padding: .45rem .8rem .45rem 0; border-bottom: 1px solid var(--line); white-space: nowrap; }
footer th { font-weight: 600; color: var(--muted); }
footer code { font-family: ui-monospace, "SFMono-Regular", Menlo, "DejaVu Sans Mono", monospace; font-size: .95em; }
.prompt { white-space: normal; min-width: 18rem; max-width: 32rem; }
.colophon { margin-top: 1.2rem; }
@media (max-width: 880px) {
  .intro, .story { grid-template-columns: minmax(0, 1fr); }
  .grid { grid-template-columns: repeat(2, minmax(0, 1fr)); }
}
@media print { .topbar, footer details { display: none; } .hero-media img { box-shadow: none; } }
`;

export const STYLE_CATALOG = `
.catalog-head { display: flex; align-items: end; justify-content: space-between; gap: 1rem; flex-wrap: wrap; margin-bottom: clamp(28px, 4vw, 48px); padding-bottom: 1.4rem; border-bottom: 1px solid var(--line); }
.catalog-head h1 { font-size: clamp(2.2rem, 4.4vw, 3.4rem); line-height: 1.05; margin: .35rem 0 0; }
.count { margin: 0; color: var(--muted); font-size: .95rem; }
.cards { list-style: none; margin: 0; padding: 0; display: grid; grid-template-columns: repeat(auto-fill, minmax(250px, 1fr)); gap: clamp(18px, 2.4vw, 32px); }
.card { display: flex; flex-direction: column; height: 100%; text-decoration: none; background: var(--surface); border: 1px solid var(--line); border-radius: var(--radius); overflow: hidden; transition: transform .18s ease, box-shadow .18s ease; }
.card:hover, .card:focus-visible { transform: translateY(-3px); box-shadow: var(--shadow); }
.card-media { position: relative; }
.card-media img, .card-media .placeholder { width: 100%; aspect-ratio: 1 / 1; object-fit: cover; border-radius: 0; border: 0; }
.badge { position: absolute; top: .8rem; left: .8rem; padding: .2rem .65rem; border-radius: 999px; font-size: .72rem; font-weight: 600; letter-spacing: .04em; text-transform: uppercase; }
.badge-complete { color: var(--ok); background: var(--ok-bg); }
.badge-partial { color: var(--warn); background: var(--warn-bg); }
.stale, .stale-note { color: var(--warn); font-size: 0.85rem; margin: 0.25rem 0 0; }
.badge-failed { color: var(--bad); background: var(--bad-bg); }
.card-body { padding: 1.1rem 1.2rem 1.3rem; display: flex; flex-direction: column; gap: .35rem; flex: 1; }
.card-body h2 { font-size: 1.3rem; margin: 0; line-height: 1.25; }
.card-body p { margin: 0; color: var(--muted); font-size: .95rem; line-height: 1.5; }
.card-meta { margin-top: auto !important; padding-top: .6rem; font-size: .85rem !important; color: var(--faint) !important; display: flex; justify-content: space-between; gap: .8rem; }
.card-meta .card-price { color: var(--text); font-weight: 600; }
.empty { padding: 4rem 0; text-align: center; color: var(--muted); }
footer { margin-top: clamp(56px, 8vw, 96px); padding-top: 1.2rem; border-top: 1px solid var(--line); font-size: .82rem; color: var(--faint); }
`;
