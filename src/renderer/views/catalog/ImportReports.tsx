import { useCatalog } from '../../state/catalog.ts';
import { IconButton } from '../../ui/Button.tsx';
import { ErrorNote } from '../../ui/ErrorNote.tsx';
import { plural } from '../../ui/format.ts';
import { Icon } from '../../ui/Icon.tsx';

/** What the last imports did: rows imported, and every skipped row with its line, field and reason. */
export function ImportReports() {
  const reports = useCatalog((s) => s.reports);
  const dismiss = useCatalog((s) => s.dismissReport);
  const shown = reports.filter((r) => r.failure || r.errors.length > 0);
  if (shown.length === 0) return null;
  return (
    <div className="import-reports">
      {shown.map((r) =>
        r.failure ? (
          <div key={r.at} className="import-report" data-testid="import-report" data-filename={r.filename}>
            <ErrorNote error={r.failure} context={`Importing ${r.filename}`} testId="import-failure" />
            <IconButton
              icon="x"
              size="s"
              label={`Dismiss the report for ${r.filename}`}
              onClick={() => dismiss(r.at)}
            />
          </div>
        ) : (
          <section
            key={r.at}
            className="import-report panel"
            data-testid="import-report"
            data-filename={r.filename}
            aria-label={`Import report for ${r.filename}`}
          >
            <header className="import-report-head">
              <Icon name="file" size={16} />
              <p>
                <strong>{r.filename}</strong> — {plural(r.imported, 'product')} imported,{' '}
                <span className="import-skipped">{plural(r.errors.length, 'row')} skipped</span>
              </p>
              <IconButton
                icon="x"
                size="s"
                label={`Dismiss the report for ${r.filename}`}
                onClick={() => dismiss(r.at)}
              />
            </header>
            <div className="import-errors" data-testid="import-errors">
              <table className="table">
                <thead>
                  <tr>
                    <th scope="col">Line</th>
                    <th scope="col">Field</th>
                    <th scope="col">Problem</th>
                  </tr>
                </thead>
                <tbody>
                  {r.errors.map((e) => (
                    <tr
                      key={`${e.line}:${e.field}:${e.message}`}
                      data-testid="import-error-row"
                      data-line={e.line}
                      data-field={e.field}
                    >
                      <td className="mono">{e.line}</td>
                      <td>
                        <code className="field-code">{e.field}</code>
                      </td>
                      <td>{e.message}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
        ),
      )}
    </div>
  );
}
