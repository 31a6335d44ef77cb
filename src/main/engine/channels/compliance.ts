// The compliance checker: every rule of the channel measured on the file as written (decoded pixels,
// sharp's metadata, the byte count) — nothing is assumed from how the file was made. A check is `pass`
// when the source already met the rule, `fixed` when the source did not and the variant does, `fail`
// with the number that failed it, or `manual` for what only a person can judge (text, logos).
import sharp from 'sharp';
import type { ChannelRole, ComplianceCheck } from '../../../shared/index.ts';
import { BACKGROUND_MIN, BORDER_MIN, measure, type PixelStats, percent, rgb } from './pixels.ts';
import { type ChannelRule, describeSizeRule, type RoleRule } from './rules.ts';

export interface ImageFacts {
  width: number;
  height: number;
  bytes: number;
  format: string;
}

export async function imageFacts(data: Buffer): Promise<ImageFacts> {
  const meta = await sharp(data).metadata();
  return {
    width: meta.width ?? 0,
    height: meta.height ?? 0,
    bytes: data.byteLength,
    format: meta.format ?? 'unknown',
  };
}

function sizeOk(rule: ChannelRule, f: ImageFacts): boolean {
  const measure = (side: ChannelRule['min']['side']) =>
    side === 'longest'
      ? Math.max(f.width, f.height)
      : side === 'width'
        ? f.width
        : Math.min(f.width, f.height);
  const measureMax = (side: ChannelRule['max']['side']) =>
    side === 'longest'
      ? Math.max(f.width, f.height)
      : side === 'width'
        ? f.width
        : Math.max(f.width, f.height);
  return measure(rule.min.side) >= rule.min.px && measureMax(rule.max.side) <= rule.max.px;
}

function aspectError(rule: ChannelRule, f: ImageFacts): number {
  const want = rule.aspect.width / rule.aspect.height;
  return Math.abs(f.width / f.height - want) / want;
}

const mb = (bytes: number) => `${(bytes / (1024 * 1024)).toFixed(bytes < 1024 * 1024 ? 2 : 1)} MB`;

function verdict(sourceOk: boolean, variantOk: boolean): 'pass' | 'fixed' | 'fail' {
  if (!variantOk) return 'fail';
  return sourceOk ? 'pass' : 'fixed';
}

export interface CheckInput {
  rule: ChannelRule;
  role: ChannelRole;
  roleRule: RoleRule;
  /** The written file. */
  written: Buffer;
  /** The image the variant was made from, as the studio rendered it (the hero, not a white render). */
  original: { facts: ImageFacts; stats: PixelStats | null };
  /**
   * The product's fill on the image the variant was cut from, when that image stands on white (so the
   * product can be told from the backdrop); null otherwise.
   */
  sourceFill: number | null;
  /** What the variant maker did, for the `fixed` details. */
  steps: readonly string[];
  /** When the white-background render replaced the hero as the source, and why not when it could not. */
  whiteSource: { used: boolean; note: string | null };
}

export interface CheckResult {
  facts: ImageFacts;
  stats: PixelStats | null;
  checks: ComplianceCheck[];
  passed: boolean;
}

export async function checkVariant(input: CheckInput): Promise<CheckResult> {
  const { rule, roleRule, written, original } = input;
  const facts = await imageFacts(written);
  const checks: ComplianceCheck[] = [];
  const stepText = input.steps.length > 0 ? ` (${input.steps.join('; ')})` : '';
  let stats: PixelStats | null = null;

  if (roleRule.whiteBackground) {
    stats = await measure(written, rule.whiteTolerance);
    const src = original.stats;
    const how = input.whiteSource.used
      ? 'rendered on a seamless white background from the hero'
      : (input.whiteSource.note ?? 'padded with white');
    const floor = 255 - rule.whiteTolerance;
    const borderOk = stats.borderWhite >= BORDER_MIN;
    checks.push({
      check: 'border',
      status: verdict(src !== null && src.borderWhite >= BORDER_MIN, borderOk),
      value: stats.borderWhite,
      required: `≥ ${percent(BORDER_MIN)} of edge pixels at RGB ≥ ${floor}`,
      detail: borderOk
        ? `${percent(stats.borderWhite)} of edge pixels white${src && src.borderWhite < BORDER_MIN ? ` (the hero: ${percent(src.borderWhite)}, mean ${rgb(src.borderMean)}; ${how})` : ''}`
        : `only ${percent(stats.borderWhite)} of edge pixels are white; the edge averages ${rgb(stats.borderMean)}`,
    });
    const bgOk = stats.backgroundWhite >= BACKGROUND_MIN;
    checks.push({
      check: 'background',
      status: verdict(src !== null && src.backgroundWhite >= BACKGROUND_MIN, bgOk),
      value: stats.backgroundWhite,
      required: `≥ ${percent(BACKGROUND_MIN)} of the backdrop at RGB ≥ ${floor}`,
      detail: bgOk
        ? `${percent(stats.backgroundWhite)} of the backdrop is pure white${src && src.backgroundWhite < BACKGROUND_MIN ? ` (the hero: ${percent(src.backgroundWhite)}; ${how})` : ''}`
        : `${
            stats.backgroundPixels === 0
              ? 'no light backdrop touches the edges: the product does not stand on white'
              : `only ${percent(stats.backgroundWhite)} of the backdrop is pure white (shadow, gradient or off-white)`
          }${input.whiteSource.note ? `; ${input.whiteSource.note}` : ''}`,
    });
  }

  if (roleRule.minFill !== null) {
    const fill = stats?.fill ?? 0;
    const ok = fill >= roleRule.minFill;
    const srcFill = input.sourceFill;
    checks.push({
      check: 'fill',
      status: verdict(srcFill !== null && srcFill >= roleRule.minFill, ok),
      value: fill,
      required: `product spans ≥ ${percent(roleRule.minFill, 0)} of the frame`,
      detail: ok
        ? `the product spans ${percent(fill)} of the frame${srcFill === null ? ' (trimmed and padded)' : srcFill < roleRule.minFill ? ` (was ${percent(srcFill)}; trimmed and padded)` : ''}`
        : `the product spans ${percent(fill)} of the frame; ${percent(roleRule.minFill, 0)} needed`,
    });
  }

  const sizeNow = sizeOk(rule, facts);
  checks.push({
    check: 'size',
    status: verdict(sizeOk(rule, original.facts), sizeNow),
    value: Math.max(facts.width, facts.height),
    required: describeSizeRule(rule),
    detail: `${facts.width}×${facts.height} px${sizeOk(rule, original.facts) ? '' : ` (the render: ${original.facts.width}×${original.facts.height})`}${stepText}`,
  });

  const err = aspectError(rule, facts);
  const aspectOk = err <= rule.aspectTolerance;
  checks.push({
    check: 'aspect',
    status: verdict(aspectError(rule, original.facts) <= rule.aspectTolerance, aspectOk),
    value: facts.width / facts.height,
    required: `${rule.aspect.width}:${rule.aspect.height}`,
    detail: aspectOk
      ? `${(facts.width / facts.height).toFixed(3)} (${rule.aspect.width}:${rule.aspect.height})`
      : `${(facts.width / facts.height).toFixed(3)} is ${percent(err)} off ${rule.aspect.width}:${rule.aspect.height}`,
  });

  const bytesOk = facts.bytes <= rule.maxBytes;
  checks.push({
    check: 'fileSize',
    status: verdict(original.facts.bytes <= rule.maxBytes, bytesOk),
    value: facts.bytes,
    required: `≤ ${mb(rule.maxBytes)}`,
    detail: `${mb(facts.bytes)}${original.facts.bytes > rule.maxBytes ? ` (the render: ${mb(original.facts.bytes)}; re-encoded)` : ''}`,
  });

  const formatOk = rule.accepts.includes(facts.format);
  checks.push({
    check: 'format',
    status: verdict(rule.accepts.includes(original.facts.format), formatOk),
    value: null,
    required: rule.accepts.join(', '),
    detail: formatOk
      ? `${facts.format}${rule.accepts.includes(original.facts.format) ? '' : ` (the render was ${original.facts.format}; re-encoded)`}`
      : `${facts.format} is not accepted`,
  });

  if (input.role === 'main' || rule.name === 'etsy') {
    checks.push({
      check: 'content',
      status: 'manual',
      value: null,
      required: 'review',
      detail: rule.manualChecks,
    });
  }
  return { facts, stats, checks, passed: checks.every((c) => c.status !== 'fail') };
}
