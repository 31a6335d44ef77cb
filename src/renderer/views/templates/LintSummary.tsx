import type { LintIssue } from '../../../shared/index.ts';
import { useTemplates } from '../../state/templates.ts';
import { relativeTime } from '../../ui/format.ts';
import { Icon } from '../../ui/Icon.tsx';

export function LintSummary({
  lint,
}: {
  lint: { issues: LintIssue[]; source: string; live: boolean; at: number };
}) {
  const templates = useTemplates((s) => s.templates);
  const errors = lint.issues.filter((i) => i.severity === 'error').length;
  const warnings = lint.issues.length - errors;
  const known = new Set(templates.map((t) => t.id));
  const orphan = lint.issues.filter((i) => !known.has(i.templateId));
  const tone = errors ? 'is-error' : warnings ? 'is-warn' : 'is-ok';
  return (
    <section
      className={`lint-summary ${tone}`}
      data-testid="lint-summary"
      data-errors={errors}
      data-warnings={warnings}
      aria-live="polite"
    >
      <Icon name={errors || warnings ? 'alert' : 'check'} size={18} />
      <div>
        <p className="lint-headline">
          {errors + warnings === 0
            ? 'Every template matches the server'
            : `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`}
        </p>
        <p className="faint">
          Checked {lint.live ? 'against the live server' : 'offline'} ({lint.source}) {relativeTime(lint.at)}.
          {errors > 0 &&
            ' Jobs using a template with errors will be refused by ComfyUI: install the missing models or nodes, or fix the template.'}
        </p>
        {orphan.length > 0 && (
          <ul className="lint-list">
            {orphan.map((issue) => (
              <li
                key={`${issue.templateId}:${issue.nodeId}:${issue.input}:${issue.message}`}
                className={`lint-issue is-${issue.severity}`}
                data-testid="lint-issue"
              >
                <span className="mono">{issue.templateId}</span>: {issue.message}
              </li>
            ))}
          </ul>
        )}
      </div>
    </section>
  );
}
