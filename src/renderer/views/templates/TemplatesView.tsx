import { type KeyboardEvent, useEffect, useMemo, useState } from 'react';
import { familyNames, type TemplateFamily } from '../../../shared/index.ts';
import { useSettings } from '../../state/settings.ts';
import { useTemplates } from '../../state/templates.ts';
import { Button } from '../../ui/Button.tsx';
import { ErrorNote } from '../../ui/ErrorNote.tsx';
import { ViewHeader } from '../../ui/ViewHeader.tsx';
import { LintSummary } from './LintSummary.tsx';
import { ParamEditor } from './ParamEditor.tsx';
import { TemplateCard } from './TemplateCard.tsx';
import './templates.css';

export function TemplatesView() {
  const templates = useTemplates((s) => s.templates);
  const loaded = useTemplates((s) => s.loaded);
  const error = useTemplates((s) => s.error);
  const lint = useTemplates((s) => s.lint);
  const linting = useTemplates((s) => s.linting);
  const settings = useSettings((s) => s.settings);
  const [family, setFamily] = useState<TemplateFamily | null>(null);

  useEffect(() => {
    void useTemplates.getState().load();
    if (!useSettings.getState().settings) void useSettings.getState().load();
  }, []);

  const byFamily = useMemo(() => {
    const map = new Map<TemplateFamily, typeof templates>();
    for (const f of familyNames) map.set(f, []);
    for (const t of templates) map.get(t.family)?.push(t);
    return map;
  }, [templates]);
  const families = familyNames.filter((f) => (byFamily.get(f)?.length ?? 0) > 0);
  const current = family ?? settings?.family ?? families[0] ?? 'qwen-image';
  const shown = byFamily.get(current) ?? [];

  const onTabKey = (e: KeyboardEvent<HTMLDivElement>) => {
    const i = families.indexOf(current);
    const next =
      e.key === 'ArrowRight'
        ? families[(i + 1) % families.length]
        : e.key === 'ArrowLeft'
          ? families[(i - 1 + families.length) % families.length]
          : undefined;
    if (!next) return;
    e.preventDefault();
    setFamily(next);
    requestAnimationFrame(() => document.getElementById(`family-tab-${next}`)?.focus());
  };

  return (
    <section className="view templates" aria-labelledby="templates-title">
      <ViewHeader
        title={<span id="templates-title">Templates</span>}
        subtitle="Workflow templates by family, their parameters and lint results"
      >
        <Button
          icon="check"
          busy={linting}
          onClick={() => void useTemplates.getState().runLint(false)}
          data-testid="templates-lint"
        >
          Lint
        </Button>
        <Button
          icon="gpu"
          busy={linting}
          onClick={() => void useTemplates.getState().runLint(true)}
          data-testid="templates-lint-live"
        >
          Lint against live server
        </Button>
      </ViewHeader>
      <div className="view-scroll templates-body">
        {error && (
          <ErrorNote
            error={error}
            context="Loading templates"
            onRetry={() => void useTemplates.getState().load()}
          />
        )}
        {lint && <LintSummary lint={lint} />}
        {loaded && families.length > 0 && (
          <>
            <div
              className="segmented family-tabs"
              role="tablist"
              aria-label="Template family"
              onKeyDown={onTabKey}
            >
              {families.map((f) => (
                <button
                  key={f}
                  id={`family-tab-${f}`}
                  type="button"
                  role="tab"
                  aria-selected={f === current}
                  aria-controls="family-panel"
                  tabIndex={f === current ? 0 : -1}
                  onClick={() => setFamily(f)}
                  data-testid={`template-family-${f}`}
                >
                  {f}
                  <span className="count">{byFamily.get(f)?.length ?? 0}</span>
                  {settings?.family === f && (
                    <span className="default-dot" title="Default family">
                      default
                    </span>
                  )}
                </button>
              ))}
            </div>
            <div
              id="family-panel"
              role="tabpanel"
              aria-labelledby={`family-tab-${current}`}
              className="family-panel"
            >
              <ParamEditor family={current} templates={shown} />
              <div className="template-grid">
                {shown.map((t) => (
                  <TemplateCard
                    key={t.id}
                    template={t}
                    issues={lint?.issues.filter((i) => i.templateId === t.id) ?? null}
                  />
                ))}
              </div>
            </div>
          </>
        )}
      </div>
    </section>
  );
}
