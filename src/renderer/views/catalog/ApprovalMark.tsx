// Approval and staleness next to a showcase's status, wherever a product row shows one (Catalog, Publish).
import type { CatalogListItem } from '../../../shared/index.ts';
import { Icon } from '../../ui/Icon.tsx';

export function ApprovalMark({ item }: { item: Pick<CatalogListItem, 'approved' | 'stale' | 'galleryId'> }) {
  if (!item.galleryId) return null;
  return (
    <span className="approval-marks">
      {item.approved ? (
        <span
          className="approval-mark is-approved"
          data-testid="approved-mark"
          title="Approved for publishing"
        >
          <Icon name="check" size={12} />
          Approved
        </span>
      ) : (
        <span
          className="approval-mark is-pending"
          data-testid="not-approved-mark"
          title="Approve it in the Showcase view"
        >
          Not approved
        </span>
      )}
      {item.stale === true && (
        <span
          className="approval-mark is-stale"
          data-testid="stale-mark"
          title="Some variations were made from an earlier hero"
        >
          Stale set
        </span>
      )}
    </span>
  );
}
