import type { LintIssue, TemplateParamSpec, TemplateSummary } from '../../../shared/index.ts';
import { Icon } from '../../ui/Icon.tsx';

function rangeText(spec: TemplateParamSpec): string {
  if (spec.type === 'combo') return `${spec.options?.length ?? 0} options`;
  if (spec.min !== undefined && spec.max !== undefined)
    return spec.type === 'seed' ? '0 … 2⁵³−1' : `${spec.min} … ${spec.max}`;
  return '';
}

function shortDefault(value: TemplateParamSpec['default']): string {
  if (value === undefined) return '—';
  const text = String(value);
  return text.length > 38 ? `${text.slice(0, 36)}…` : text;
}

export function TemplateCard({
  template,
  issues,
}: {
  template: TemplateSummary;
  issues: LintIssue[] | null;
}) {
  const errors = issues?.filter((i) => i.severity === 'error').length ?? 0;
  const warnings = issues?.filter((i) => i.severity === 'warning').length ?? 0;
  return (
    <article
      className="template panel"
      data-testid="template-card"
      data-template-id={template.id}
      aria-labelledby={`tpl-${template.id}`}
    >
      <header className="template-head">
        <span className="template-kind">{template.kind}</span>
        <h3 className="template-id mono" id={`tpl-${template.id}`}>
          {template.id}
        </h3>
        {issues !== null &&
          (errors + warnings === 0 ? (
            <span className="lint-badge is-ok" data-testid="template-lint-ok">
              <Icon name="check" size={12} /> lint ok
            </span>
          ) : (
            <span
              className={`lint-badge ${errors ? 'is-error' : 'is-warn'}`}
              data-testid="template-lint-issues"
              data-errors={errors}
              data-warnings={warnings}
            >
              <Icon name="alert" size={12} /> {errors ? `${errors} error${errors === 1 ? '' : 's'}` : ''}
              {errors && warnings ? ', ' : ''}
              {warnings ? `${warnings} warning${warnings === 1 ? '' : 's'}` : ''}
            </span>
          ))}
      </header>
      <p className="template-desc">{template.description}</p>
      {issues && issues.length > 0 && (
        <ul className="lint-list">
          {issues.map((issue) => (
            <li
              key={`${issue.nodeId}:${issue.input}:${issue.message}`}
              className={`lint-issue is-${issue.severity}`}
              data-testid="lint-issue"
            >
              <strong>{issue.severity}</strong>
              {issue.nodeId && <span className="mono"> node {issue.nodeId}</span>}
              {issue.input && <span className="mono">.{issue.input}</span>}: {issue.message}
            </li>
          ))}
        </ul>
      )}
      <table className="table params-table">
        <thead>
          <tr>
            <th scope="col">Param</th>
            <th scope="col">Type</th>
            <th scope="col">Default</th>
            <th scope="col">Range</th>
          </tr>
        </thead>
        <tbody>
          {Object.entries(template.params).map(([name, spec]) => (
            <tr key={name} title={spec.description}>
              <td className="mono">{name}</td>
              <td className="faint">{spec.type}</td>
              <td className="mono param-default">{shortDefault(spec.default)}</td>
              <td className="faint tabular">{rangeText(spec)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </article>
  );
}
