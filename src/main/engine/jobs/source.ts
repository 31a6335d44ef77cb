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
    // One query for every queued job with its payload (a journal of 10,000 jobs is read in one go).
    const entries = [...recovered, ...this.store.jobs.listEntriesByStatus('queued')];
    const labels = this.store.galleries.labels([...new Set(entries.map((e) => e.job.galleryId))]);
    const jobs = entries.map(({ job, payload }) => {
      const family = labels.get(job.galleryId)?.family ?? this.defaultFamily();
      // Recovered jobs re-enter as queued; the executor first asks the backend about their prompt id.
      const planned: PlannedJob = { ...job, status: 'queued', payload: JobPayloadSchema.parse(payload) };
      return { job: planned, family };
    });
    return { jobs, recovered: recovered.length };
  }
}
