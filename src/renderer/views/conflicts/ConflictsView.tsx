import { useEffect } from 'react';
import type { ConflictRecord, ConflictSide } from '../../../shared/index.ts';
import { conflictGalleryId, conflictTitle, useConflictTitles } from '../../state/conflict-titles.ts';
import { type ConflictFilter, useConflicts } from '../../state/conflicts.ts';
import { useSync } from '../../state/sync.ts';
import { Button } from '../../ui/Button.tsx';
import { EmptyState } from '../../ui/EmptyState.tsx';
import { ErrorNote } from '../../ui/ErrorNote.tsx';
import { relativeTime } from '../../ui/format.ts';
import { ViewHeader } from '../../ui/ViewHeader.tsx';
import { differingFields, displayValue, hlcStation, hlcTime, tableLabel, winningSide } from './diff.ts';
import './conflicts.css';

const FILTERS: Array<{ value: ConflictFilter; label: string }> = [
  { value: 'open', label: 'Needs a decision' },
  { value: 'all', label: 'All' },
];

export function ConflictsView() {
  const items = useConflicts((s) => s.items);
  const filter = useConflicts((s) => s.filter);
  const loaded = useConflicts((s) => s.loaded);
  const error = useConflicts((s) => s.error);
  const unresolved = useSync((s) => s.status?.conflicts ?? 0);

  // A sync round that records new conflicts changes the count in the status: reload then.
  // biome-ignore lint/correctness/useExhaustiveDependencies: the count is the trigger on purpose
  useEffect(() => {
    void useConflicts.getState().load();
  }, [unresolved]);

  return (
    <section className="view conflicts" aria-labelledby="conflicts-title" data-testid="conflicts-view">
      <ViewHeader
        title={<span id="conflicts-title">Sync conflicts</span>}
        subtitle="When two workstations changed the same row, the version that lost is kept here. Keep either one."
      >
        <fieldset className="conflicts-filter" aria-label="Show">
          {FILTERS.map((f) => (
            <button
              key={f.value}
              type="button"
              className="conflicts-filter-item"
              aria-pressed={filter === f.value}
              onClick={() => useConflicts.getState().setFilter(f.value)}
              data-testid={`conflicts-filter-${f.value}`}
            >
              {f.label}
            </button>
          ))}
        </fieldset>
        <Button icon="refresh" onClick={() => void useConflicts.getState().load()}>
          Reload
        </Button>
      </ViewHeader>
      <div className="view-scroll conflicts-body">
        {error && (
          <ErrorNote
            error={error}
            context="Reading the conflicts"
            onRetry={() => void useConflicts.getState().load()}
          />
        )}
        {loaded && items.length === 0 && !error ? (
          <EmptyState icon="check" title={filter === 'open' ? 'No conflicts to review' : 'No conflicts yet'}>
            {filter === 'open'
              ? 'Every conflicting edit has been decided.'
              : 'Edits from different workstations have never collided.'}
          </EmptyState>
        ) : (
          <ul className="conflict-list">
            {items.map((c) => (
              <ConflictCard key={c.id} conflict={c} />
            ))}
          </ul>
        )}
      </div>
    </section>
  );
}

function ConflictCard({ conflict }: { conflict: ConflictRecord }) {
  const busy = useConflicts((s) => (s.busy?.id === conflict.id ? s.busy.keep : null));
  const anyBusy = useConflicts((s) => s.busy !== null);
  const rows = differingFields(conflict.local, conflict.remote);
  const differing = rows.length;
  const galleries = useConflictTitles((s) => s.galleries);
  const galleryId = conflictGalleryId(conflict);
  useEffect(() => {
    if (galleryId) void useConflictTitles.getState().resolve(galleryId);
  }, [galleryId]);
  const named = conflictTitle(conflict, galleries);
  const current = winningSide(conflict);
  const titleId = `conflict-${conflict.id}-title`;

  const side = (which: ConflictSide) => {
    const version = which === 'local' ? conflict.local : conflict.remote;
    const hlc = which === 'local' ? conflict.localHlc : conflict.remoteHlc;
    const time = hlcTime(hlc);
    return (
      <div className="conflict-side-head" data-side={which}>
        <div className="conflict-side-title">
          <strong>{which === 'local' ? 'This workstation' : 'Other workstation'}</strong>
          {current === which && !conflict.resolved && <span className="conflict-tag">in use now</span>}
        </div>
        <span className="conflict-side-meta" title={hlc ?? undefined} data-testid={`conflict-${which}-meta`}>
          {time === null
            ? 'no version'
            : `station ${hlcStation(hlc) ?? '?'} · ${new Date(time).toLocaleString()} (${relativeTime(time)})`}
        </span>
        {!conflict.resolved && (
          <Button
            size="s"
            variant={current === which ? 'secondary' : 'primary'}
            icon="check"
            busy={busy === which}
            disabled={version === null || conflict.table === 'jobs' || (anyBusy && busy !== which)}
            onClick={() => void useConflicts.getState().keep(conflict.id, which)}
            data-testid={`conflict-keep-${which}`}
          >
            Keep this version
          </Button>
        )}
      </div>
    );
  };

  return (
    <li
      className={`conflict${conflict.resolved ? ' is-resolved' : ''}`}
      aria-labelledby={titleId}
      data-testid="conflict-row"
      data-conflict-id={conflict.id}
      data-table={conflict.table}
      data-row-id={conflict.rowId}
      data-resolved={conflict.resolved}
    >
      <header className="conflict-head">
        <h2 id={titleId} className="conflict-title" data-testid="conflict-title">
          {named.title}
          {named.subtitle && <span className="conflict-subtitle"> — {named.subtitle}</span>}
        </h2>
        <span className="conflict-meta" title={`${conflict.table} ${conflict.rowId}`}>
          {tableLabel(conflict.table)} · {differing} {differing === 1 ? 'field differs' : 'fields differ'} ·
          recorded {relativeTime(conflict.at)}
          {conflict.resolved && <span className="conflict-tag is-ok">resolved</span>}
        </span>
      </header>
      <table className="conflict-table">
        <thead>
          <tr>
            <th scope="col" className="conflict-field-col">
              Field
            </th>
            <th scope="col">{side('local')}</th>
            <th scope="col">{side('remote')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 && (
            <tr>
              <td colSpan={3} className="faint">
                Both versions hold the same values; either one can be kept.
              </td>
            </tr>
          )}
          {rows.map((r) => (
            <tr
              key={r.field}
              className="is-different"
              data-differs={r.differs}
              data-field={r.field}
              data-testid="conflict-field"
            >
              <th scope="row" className="conflict-field">
                {r.field}
              </th>
              <td className="conflict-value" data-side="local">
                {displayValue(r.local)}
              </td>
              <td className="conflict-value" data-side="remote">
                {displayValue(r.remote)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </li>
  );
}
