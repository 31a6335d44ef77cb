// Preset management with history: every create, edit, duplicate, delete and rollback is kept as a
// version (who, when, the whole preset after it, the fields it changed).
import {
  type EditVersion,
  type PresetSnapshot,
  PresetSnapshotSchema,
  type PromptPreset,
  parseOrThrow,
  ShowcaseError,
  type VersionDiff,
} from '../../../shared/index.ts';
import type { JsonObject, Store } from '../store/index.ts';
import { changedFields, fieldDiff } from './diff.ts';

export interface PresetDraft {
  id?: string | undefined;
  name: string;
  prefix: string;
  negative: string;
  style: string;
  lighting: string;
  params: PromptPreset['params'];
}

export type PresetChanges = Partial<Omit<PresetDraft, 'id'>>;

const snapshot = (p: PromptPreset | PresetSnapshot): PresetSnapshot => ({
  id: p.id,
  name: p.name,
  prefix: p.prefix,
  negative: p.negative,
  style: p.style,
  lighting: p.lighting,
  params: p.params,
});

/** "Summer Sale 2026" → "summer-sale-2026". */
export function presetIdFromName(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 56);
  return slug || 'preset';
}

export class PresetHistory {
  private readonly store: Store;

  constructor(store: Store) {
    this.store = store;
  }

  /** Presets not deleted here, by name. */
  list(): PromptPreset[] {
    const deleted = this.store.edits.deleted('preset');
    return this.store.presets.list().filter((p) => !deleted.has(p.id));
  }

  /** A preset by id or name (case-insensitive), or a `not_found` naming the known ones. */
  resolve(idOrName: string): PromptPreset {
    const wanted = idOrName.trim().toLowerCase();
    const presets = this.list();
    const found =
      presets.find((p) => p.id.toLowerCase() === wanted) ??
      presets.find((p) => p.name.toLowerCase() === wanted) ??
      presets.find((p) => presetIdFromName(p.name) === wanted);
    if (!found)
      throw new ShowcaseError('not_found', `No preset "${idOrName}"`, {
        hint: `Known presets: ${presets.map((p) => `${p.name} (${p.id})`).join(', ') || 'none'}`,
        details: { fields: ['id'] },
      });
    return found;
  }

  create(draft: PresetDraft, author: string, action: 'create' | 'duplicate' = 'create'): PromptPreset {
    const id = draft.id ?? this.freeId(presetIdFromName(draft.name));
    const existing = this.store.presets.get(id);
    if (existing && !this.store.edits.deleted('preset').has(id))
      throw new ShowcaseError('conflict', `A preset with id "${id}" already exists (${existing.name})`, {
        hint: 'Choose another name or id, or edit the existing preset',
        details: { fields: ['id'] },
      });
    this.assertNameFree(draft.name, id);
    const data = parseOrThrow(PresetSnapshotSchema, { ...draft, id }, 'preset');
    return this.store.transaction(() => {
      const saved = this.store.presets.upsert(data);
      this.store.edits.append({
        subject: 'preset',
        subjectId: id,
        action,
        author,
        changed: changedFields(null, data as JsonObject),
        data: snapshot(saved) as JsonObject,
      });
      return saved;
    });
  }

  update(
    idOrName: string,
    changes: PresetChanges,
    author: string,
  ): { preset: PromptPreset; changed: string[] } {
    const current = this.resolve(idOrName);
    if (changes.name !== undefined) this.assertNameFree(changes.name, current.id);
    const next = parseOrThrow(
      PresetSnapshotSchema,
      { ...snapshot(current), ...definedOnly(changes), id: current.id },
      'preset',
    );
    return this.write(current, next, author, 'update', null);
  }

  duplicate(idOrName: string, name: string | undefined, author: string): PromptPreset {
    const source = this.resolve(idOrName);
    const copyName = name ?? this.freeName(`${source.name} copy`);
    return this.create({ ...snapshot(source), id: undefined, name: copyName }, author, 'duplicate');
  }

  /**
   * Removes a preset here. Sync has no deletes, so the row is kept and hidden by its `delete`
   * version; showcases that used it keep their snapshot of its prefix.
   */
  delete(idOrName: string, author: string): PromptPreset {
    const current = this.resolve(idOrName);
    this.store.transaction(() => {
      this.ensureBaseline(current);
      this.store.edits.append({
        subject: 'preset',
        subjectId: current.id,
        action: 'delete',
        author,
        changed: [],
        data: snapshot(current) as JsonObject,
      });
    });
    return current;
  }

  /** Every version, oldest first; a preset edited before history existed gets its baseline first. */
  versions(idOrName: string): EditVersion[] {
    const preset = this.findAny(idOrName);
    return this.store.edits.list('preset', preset?.id ?? idOrName);
  }

  diff(idOrName: string, from: number, to: number): VersionDiff {
    const id = this.findAny(idOrName)?.id ?? idOrName;
    const a = this.version(id, from, 'from');
    const b = this.version(id, to, 'to');
    return { from: a, to: b, fields: fieldDiff(a.data, b.data) };
  }

  /** Makes the preset what it was at `version` again, as a new version. */
  rollback(idOrName: string, version: number, author: string): { preset: PromptPreset; changed: string[] } {
    const id = this.findAny(idOrName)?.id ?? idOrName;
    const target = this.version(id, version, 'version');
    const data = parseOrThrow(PresetSnapshotSchema, target.data, 'stored version');
    const current = this.store.presets.get(id);
    if (!current) throw new ShowcaseError('not_found', `No preset "${id}"`, { details: { fields: ['id'] } });
    return this.write(current, data, author, 'rollback', version);
  }

  private write(
    current: PromptPreset,
    next: PresetSnapshot,
    author: string,
    action: 'update' | 'rollback',
    rollbackOf: number | null,
  ): { preset: PromptPreset; changed: string[] } {
    return this.store.transaction(() => {
      const changed = changedFields(snapshot(current) as JsonObject, next as JsonObject);
      const deleted = this.store.edits.deleted('preset').has(current.id);
      if (changed.length === 0 && !(deleted && action === 'rollback')) return { preset: current, changed };
      this.ensureBaseline(current);
      const preset = this.store.presets.upsert(next);
      this.store.edits.append({
        subject: 'preset',
        subjectId: current.id,
        action,
        author,
        changed,
        rollbackOf,
        data: snapshot(preset) as JsonObject,
      });
      return { preset, changed };
    });
  }

  /** A preset from before the history (a seeded default, a synced one) gets its state recorded as v1. */
  private ensureBaseline(current: PromptPreset): void {
    if (this.store.edits.latest('preset', current.id)) return;
    this.store.edits.append({
      subject: 'preset',
      subjectId: current.id,
      action: 'create',
      author: 'before history',
      changed: changedFields(null, snapshot(current) as JsonObject),
      data: snapshot(current) as JsonObject,
    });
  }

  private findAny(idOrName: string): PromptPreset | null {
    try {
      return this.resolve(idOrName);
    } catch {
      return this.store.presets.get(idOrName);
    }
  }

  private version(id: string, version: number, field: string): EditVersion {
    const found = this.store.edits.get('preset', id, version);
    if (!found) {
      const known = this.store.edits.list('preset', id).map((v) => v.version);
      throw new ShowcaseError('not_found', `Preset "${id}" has no version ${version}`, {
        hint: known.length > 0 ? `Versions: ${known.join(', ')}` : 'This preset has no history yet',
        details: { fields: [field] },
      });
    }
    return found;
  }

  private assertNameFree(name: string, ownId: string): void {
    const clash = this.list().find(
      (p) => p.id !== ownId && p.name.toLowerCase() === name.trim().toLowerCase(),
    );
    if (clash)
      throw new ShowcaseError('conflict', `Another preset is already called "${clash.name}" (${clash.id})`, {
        details: { fields: ['name'] },
      });
  }

  private freeId(base: string): string {
    const taken = new Set(this.store.presets.list().map((p) => p.id));
    if (!taken.has(base)) return base;
    for (let n = 2; ; n += 1) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
  }

  private freeName(base: string): string {
    const taken = new Set(this.list().map((p) => p.name.toLowerCase()));
    if (!taken.has(base.toLowerCase())) return base;
    for (let n = 2; ; n += 1) if (!taken.has(`${base} ${n}`.toLowerCase())) return `${base} ${n}`;
  }
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
