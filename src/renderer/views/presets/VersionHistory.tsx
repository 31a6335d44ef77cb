// A subject's history: every version with who, when and what changed; two versions side by side with
// only the fields that differ; rollback to any earlier version (a new version, re-rendering what it affects).
import { useEffect } from 'react';
import type { EditVersion } from '../../../shared/index.ts';
import { type HistorySubject, useHistory } from '../../state/history.ts';
import { Button } from '../../ui/Button.tsx';
import { relativeTime } from '../../ui/format.ts';

const ACTION_LABEL: Record<EditVersion['action'], string> = {
  create: 'Created',
  update: 'Edited',
  duplicate: 'Duplicated',
  delete: 'Deleted',
  rollback: 'Rolled back',
};

function show(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'string') return value === '' ? '(empty)' : value;
  if (Array.isArray(value))
    return value.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join('\n');
  if (typeof value === 'object')
    return Object.entries(value)
      .map(([k, v]) => `${k}=${String(v)}`)
      .join('\n');
  return String(value);
}

export function VersionHistory({
  subject,
  revision,
  onRolledBack,
}: {
  subject: HistorySubject;
  revision?: string;
  /** After a rollback, so the owner reloads what it shows (the preset form). */
  onRolledBack?: () => void;
}) {
  const versions = useHistory((s) => s.versions);
  const pair = useHistory((s) => s.pair);
  const diff = useHistory((s) => s.diff);
  const busy = useHistory((s) => s.busy);
  const key = subject.kind === 'preset' ? subject.id : subject.galleryId;

  // biome-ignore lint/correctness/useExhaustiveDependencies: reload when the subject or its revision changes
  useEffect(() => {
    void useHistory.getState().load(subject);
  }, [key, revision]);

  const latest = versions.at(-1)?.version ?? 0;
  const pick = (v: number, slot: 0 | 1) => {
    const other = pair ? pair[slot === 0 ? 1 : 0] : latest;
    if (other === v) return;
    void useHistory.getState().compare(subject, slot === 0 ? v : other, slot === 0 ? other : v);
  };

  return (
    <section className="history" aria-label="History" data-testid="history">
      <h2 className="history-title">History</h2>
      {versions.length === 0 ? (
        <p className="faint" data-testid="history-empty">
          No changes yet. Every edit is kept here as a version you can compare and roll back to.
        </p>
      ) : (
        <table className="history-table">
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">What</th>
              <th scope="col">Who</th>
              <th scope="col">When</th>
              <th scope="col">Compare</th>
              <th scope="col">
                <span className="visually-hidden">Roll back</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {[...versions].reverse().map((v) => (
              <tr
                key={v.version}
                data-testid="history-version"
                data-version={v.version}
                data-action={v.action}
              >
                <td className="tabular">v{v.version}</td>
                <td>
                  {ACTION_LABEL[v.action]}
                  {v.rollbackOf ? ` to v${v.rollbackOf}` : ''}
                  {v.action !== 'create' && v.changed.length > 0 && (
                    <span className="faint"> · {v.changed.join(', ')}</span>
                  )}
                </td>
                <td>{v.author}</td>
                <td title={v.at}>{relativeTime(v.at)}</td>
                <td className="history-compare">
                  <label>
                    <input
                      type="radio"
                      name={`history-a-${key}`}
                      checked={pair?.[0] === v.version}
                      onChange={() => pick(v.version, 0)}
                      data-testid="history-pick-a"
                    />
                    <span className="visually-hidden">Compare from v{v.version}</span>A
                  </label>
                  <label>
                    <input
                      type="radio"
                      name={`history-b-${key}`}
                      checked={pair?.[1] === v.version}
                      onChange={() => pick(v.version, 1)}
                      data-testid="history-pick-b"
                    />
                    <span className="visually-hidden">Compare to v{v.version}</span>B
                  </label>
                </td>
                <td>
                  {v.version !== latest && (
                    <Button
                      size="s"
                      icon="back"
                      busy={busy}
                      onClick={() =>
                        void useHistory
                          .getState()
                          .rollback(subject, v.version)
                          .then(() => onRolledBack?.())
                      }
                      data-testid="history-rollback"
                    >
                      Roll back to v{v.version}
                    </Button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {diff && pair && (
        <div className="history-diff" data-testid="history-diff" data-from={pair[0]} data-to={pair[1]}>
          <table>
            <thead>
              <tr>
                <th scope="col">Field</th>
                <th scope="col">
                  v{diff.from.version} · {diff.from.author} · {relativeTime(diff.from.at)}
                </th>
                <th scope="col">
                  v{diff.to.version} · {diff.to.author} · {relativeTime(diff.to.at)}
                </th>
              </tr>
            </thead>
            <tbody>
              {diff.fields.length === 0 ? (
                <tr>
                  <td colSpan={3} className="faint">
                    The two versions are the same.
                  </td>
                </tr>
              ) : (
                diff.fields.map((f) => (
                  <tr key={f.field} data-testid="history-diff-row" data-field={f.field}>
                    <th scope="row">{f.field}</th>
                    <td className="history-before">{show(f.before)}</td>
                    <td className="history-after">{show(f.after)}</td>
                  </tr>
                ))
              )}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
