// A showcase's image prompts with history: the copy's hero, lifestyle, variation and negative prompts
// as the operator edits them, each change kept as a version.
import {
  type EditVersion,
  type PromptSet,
  PromptSetSchema,
  parseOrThrow,
  ShowcaseError,
  type VersionDiff,
} from '../../../shared/index.ts';
import type { JsonObject, Store } from '../store/index.ts';
import { changedFields, fieldDiff } from './diff.ts';

export class PromptHistory {
  private readonly store: Store;

  constructor(store: Store) {
    this.store = store;
  }

  current(galleryId: string): PromptSet {
    const gallery = this.store.galleries.get(galleryId);
    if (!gallery)
      throw new ShowcaseError('not_found', `Gallery ${galleryId} does not exist`, {
        details: { fields: ['galleryId'] },
      });
    if (!gallery.copy)
      throw new ShowcaseError('conflict', 'This showcase has no copy yet, so no prompts to edit', {
        hint: 'Start the showcase first; its copy writes the prompts',
      });
    return gallery.copy.prompts;
  }

  /**
   * Records `next` as a new version when it differs from the latest one. The first record of a
   * showcase also keeps what the copywriter wrote (version 1), so there is always something to go back to.
   */
  record(
    galleryId: string,
    before: PromptSet,
    next: PromptSet,
    author: string,
    action: 'update' | 'rollback' = 'update',
    rollbackOf: number | null = null,
  ): { version: EditVersion | null; changed: string[] } {
    return this.store.transaction(() => {
      const latest = this.store.edits.latest('prompt', galleryId);
      if (!latest) {
        const source = this.store.galleries.get(galleryId)?.copy?.source ?? 'llm';
        this.store.edits.append({
          subject: 'prompt',
          subjectId: galleryId,
          action: 'create',
          author:
            source === 'llm'
              ? 'copywriter (LLM)'
              : source === 'fallback'
                ? 'fallback copy'
                : 'before history',
          changed: changedFields(null, before as JsonObject),
          data: before as JsonObject,
        });
      }
      const base = latest ? parseOrThrow(PromptSetSchema, latest.data, 'stored version') : before;
      const changed = changedFields(base as JsonObject, next as JsonObject);
      if (changed.length === 0) return { version: null, changed };
      const version = this.store.edits.append({
        subject: 'prompt',
        subjectId: galleryId,
        action,
        author,
        changed,
        rollbackOf,
        data: next as JsonObject,
      });
      return { version, changed };
    });
  }

  versions(galleryId: string): EditVersion[] {
    return this.store.edits.list('prompt', galleryId);
  }

  version(galleryId: string, version: number, field: string): EditVersion {
    const found = this.store.edits.get('prompt', galleryId, version);
    if (!found) {
      const known = this.versions(galleryId).map((v) => v.version);
      throw new ShowcaseError('not_found', `The prompts of this showcase have no version ${version}`, {
        hint: known.length > 0 ? `Versions: ${known.join(', ')}` : 'The prompts have not been edited yet',
        details: { fields: [field] },
      });
    }
    return found;
  }

  diff(galleryId: string, from: number, to: number): VersionDiff {
    const a = this.version(galleryId, from, 'from');
    const b = this.version(galleryId, to, 'to');
    return { from: a, to: b, fields: fieldDiff(a.data, b.data) };
  }

  /** The prompt set of `version`, checked. */
  snapshot(galleryId: string, version: number): PromptSet {
    return parseOrThrow(PromptSetSchema, this.version(galleryId, version, 'version').data, 'stored version');
  }
}
