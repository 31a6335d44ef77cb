// The allowed status changes of a job, an asset and a gallery. The lifecycle checks every write
// against these tables before it reaches the journal, so a bug that would, say, reopen a finished
// job or mark a cancelled asset done is refused with a message naming both states instead of
// silently corrupting the run's history.
import {
  type AssetStatus,
  type GalleryStatus,
  type JobStatus,
  ShowcaseError,
} from '../../../shared/index.ts';

type Table<S extends string> = Readonly<Record<S, readonly S[]>>;

/**
 * `running → running` is a job adopted by this session after a crash (its prompt is asked about,
 * not sent again). Terminal states are final: a re-run or a regenerate journals a new job.
 */
export const JOB_TRANSITIONS: Table<JobStatus> = {
  queued: ['running', 'failed', 'cancelled'],
  running: ['running', 'queued', 'done', 'failed', 'cancelled'],
  done: [],
  failed: [],
  cancelled: [],
};

/**
 * An asset is `pending` until its job first starts, `queued` when re-opened (a retry, a re-run,
 * a regenerate). `failed → running` exists for journals written before the lifecycle did, where a
 * failed attempt left the asset `failed` while its job waited for a retry.
 */
export const ASSET_TRANSITIONS: Table<AssetStatus> = {
  pending: ['queued', 'running', 'failed'],
  queued: ['running', 'failed'],
  running: ['running', 'queued', 'done', 'failed'],
  done: ['queued'],
  failed: ['queued', 'running'],
};

const SETTLED = ['complete', 'partial', 'failed', 'cancelled'] as const;

/**
 * A settled gallery may be settled again (an edit of its copy rewrites its pages, the outcome
 * recomputed from the same rows) or re-opened by a re-run or a regenerate.
 */
export const GALLERY_TRANSITIONS: Table<GalleryStatus> = {
  draft: ['queued', 'running', 'cancelled'],
  queued: ['running', ...SETTLED],
  running: [...SETTLED],
  complete: ['running', ...SETTLED],
  partial: ['running', ...SETTLED],
  failed: ['running', ...SETTLED],
  cancelled: ['running', ...SETTLED],
};

export type Entity = 'job' | 'asset' | 'gallery';

function allowed<S extends string>(table: Table<S>, from: S, to: S): boolean {
  return table[from].includes(to);
}

/** Throws `conflict` naming the entity, both states and the id when `from → to` is not allowed. */
export function assertJobTransition(id: string, from: JobStatus, to: JobStatus): void {
  if (!allowed(JOB_TRANSITIONS, from, to)) throw refused('job', id, from, to);
}

export function assertAssetTransition(id: string, from: AssetStatus, to: AssetStatus): void {
  if (!allowed(ASSET_TRANSITIONS, from, to)) throw refused('asset', id, from, to);
}

/** A gallery keeping its status is no transition (a regenerate while it already runs). */
export function assertGalleryTransition(id: string, from: GalleryStatus, to: GalleryStatus): void {
  if (from !== to && !allowed(GALLERY_TRANSITIONS, from, to)) throw refused('gallery', id, from, to);
}

function refused(entity: Entity, id: string, from: string, to: string): ShowcaseError {
  return new ShowcaseError('conflict', `The ${entity} ${id} is ${from} and cannot become ${to}`, {
    details: { entity, id, from, to },
  });
}
