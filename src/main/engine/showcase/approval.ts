// Approval is a gate: only a complete showcase can be approved, or a partial one on purpose.
import { basename } from 'node:path';
import { type Showcase, ShowcaseError } from '../../../shared/index.ts';

export function assertApprovable(showcase: Showcase, acceptPartial: boolean): void {
  const { gallery, product, assets } = showcase;
  if (gallery.status === 'complete') return;
  const missing = assets.filter((a) => a.status !== 'done').map((a) => a.filename);
  const what = `"${product.name}" (${product.id})`;
  if (gallery.status === 'partial') {
    if (acceptPartial) return;
    throw new ShowcaseError(
      'conflict',
      `The showcase of ${what} is partial: ${missing.map((f) => basename(f)).join(', ') || 'some images'} not rendered`,
      {
        hint: 'Re-render the missing images, or approve it as a partial set on purpose',
        details: { fields: ['acceptPartial'], status: gallery.status, missing },
      },
    );
  }
  const why =
    gallery.status === 'failed'
      ? `it failed${gallery.error ? `: ${gallery.error}` : ''}`
      : gallery.status === 'cancelled'
        ? 'it was cancelled'
        : `it is still ${gallery.status}`;
  throw new ShowcaseError('conflict', `Only a complete showcase can be approved; ${what}: ${why}`, {
    hint: 'Render it again; approve it once it is complete',
    details: { fields: ['approved'], status: gallery.status },
  });
}
