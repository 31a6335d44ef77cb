// Where the scheduler's work comes from. Today one source: the local journal (the SQLite store),
// which hands back what a stopped or killed session left unfinished. The team queue on the shared
// Postgres (pg-boss) is the next one; it implements the same interface and feeds the same scheduler.
import type { TemplateFamily } from '../../../shared/index.ts';
import { JobPayloadSchema, type PlannedJob } from '../showcase/index.ts';
import type { Store } from '../store/index.ts';
import type { JobLifecycle } from './lifecycle.ts';

/** A job a source hands to the scheduler, with the template family its gallery renders. */
export interface SourcedJob {
  job: PlannedJob;
  family: TemplateFamily;
}

export interface JobSource {
  /** For log lines ("local journal"). */
  readonly name: string;
  /**
   * The source's unfinished jobs, to schedule now. `recovered` counts those that were running when
   * their session stopped: they re-enter as queued and the executor first asks their backend
   * about the prompt they had sent.
   */
  take(): Promise<{ jobs: SourcedJob[]; recovered: number }>;
}

/** The local journal: jobs left running by an earlier session (adopted), then the queued ones. */
export class LocalJournalSource implements JobSource {
  readonly name = 'local journal';
  private readonly store: Store;
  private readonly lifecycle: JobLifecycle;
  private readonly defaultFamily: () => TemplateFamily;

  constructor(store: Store, lifecycle: JobLifecycle, defaultFamily: () => TemplateFamily) {
    this.store = store;
    this.lifecycle = lifecycle;
    this.defaultFamily = defaultFamily;
  }

  async take(): Promise<{ jobs: SourcedJob[]; recovered: number }> {
    const recovered = this.lifecycle.adoptInterrupted();
    const queued = this.store.jobs.listByStatus('queued', { limit: 1_000_000 });
    const entries = [
      ...recovered.map((r) => ({ job: r.job, payload: r.payload })),
      ...queued.map((job) => ({ job, payload: this.store.jobs.getEntry(job.id)?.payload })),
    ];
    const families = new Map<string, TemplateFamily>();
    const jobs = entries.map(({ job, payload }) => {
      let family = families.get(job.galleryId);
      if (!family) {
        family = this.store.galleries.get(job.galleryId)?.family ?? this.defaultFamily();
        families.set(job.galleryId, family);
      }
      // Recovered jobs re-enter as queued; the executor first asks the backend about their prompt id.
      const planned: PlannedJob = { ...job, status: 'queued', payload: JobPayloadSchema.parse(payload) };
      return { job: planned, family };
    });
    return { jobs, recovered: recovered.length };
  }
}
