// Brand presets: pick one on the left, edit it on the right (saving keeps a version, and can re-render
// what the change affects in the showcases using it), duplicate or delete it, and its history below.
import { useEffect, useState } from 'react';
import { usePresets } from '../../state/presets.ts';
import { Button } from '../../ui/Button.tsx';
import { EmptyState } from '../../ui/EmptyState.tsx';
import { ErrorNote } from '../../ui/ErrorNote.tsx';
import { Field } from '../../ui/Field.tsx';
import { ViewHeader } from '../../ui/ViewHeader.tsx';
import { VersionHistory } from './VersionHistory.tsx';
import './presets.css';

const TEXT_FIELDS = [
  {
    key: 'prefix',
    label: 'Prompt prefix',
    hint: 'Put before every image prompt of a showcase using this preset.',
    rows: 3,
  },
  { key: 'negative', label: 'Negative prompt', hint: 'What every image should avoid.', rows: 2 },
  {
    key: 'style',
    label: 'Style',
    hint: 'The look, in words (describes the preset; not sent to the model).',
    rows: 1,
  },
  {
    key: 'lighting',
    label: 'Lighting',
    hint: 'The light, in words (describes the preset; not sent to the model).',
    rows: 1,
  },
] as const;

export function PresetsView() {
  const presets = usePresets((s) => s.presets);
  const loaded = usePresets((s) => s.loaded);
  const error = usePresets((s) => s.error);
  const selected = usePresets((s) => s.selected);
  const form = usePresets((s) => s.form);
  const dirty = usePresets((s) => s.dirty);
  const saving = usePresets((s) => s.saving);
  const fieldErrors = usePresets((s) => s.fieldErrors);
  const [rerender, setRerender] = useState(true);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const current = presets.find((p) => p.id === selected) ?? null;

  useEffect(() => {
    void usePresets.getState().load();
  }, []);

  const errorFor = (field: string) =>
    fieldErrors.includes(field)
      ? field === 'params'
        ? 'Write one name=value per line'
        : 'Check this field'
      : null;

  return (
    <section className="view presets" aria-labelledby="presets-title" data-testid="presets-view">
      <ViewHeader
        title={<span id="presets-title">Presets</span>}
        subtitle="Brand presets: the prompt prefix, negative prompt and render parameters every image of a showcase starts from"
      >
        <Button icon="plus" onClick={() => usePresets.getState().select('new')} data-testid="preset-new">
          New preset
        </Button>
      </ViewHeader>
      <div className="presets-body">
        <nav className="preset-list" aria-label="Presets">
          {error && (
            <ErrorNote
              error={error}
              context="Loading presets"
              onRetry={() => void usePresets.getState().load()}
            />
          )}
          <ul>
            {presets.map((p) => (
              <li key={p.id}>
                <button
                  type="button"
                  className="preset-item"
                  aria-current={selected === p.id ? 'true' : undefined}
                  onClick={() => usePresets.getState().select(p.id)}
                  data-testid="preset-item"
                  data-preset-id={p.id}
                >
                  <span className="preset-item-name">{p.name}</span>
                  <span className="mono faint">{p.id}</span>
                </button>
              </li>
            ))}
          </ul>
        </nav>
        <div className="view-scroll preset-editor">
          {!loaded ? null : selected === null ? (
            <EmptyState icon="wand" title="No preset selected">
              Pick a preset on the left, or create a new one.
            </EmptyState>
          ) : (
            <>
              <form
                className="preset-form"
                data-testid="preset-form"
                data-preset-id={selected}
                onSubmit={(e) => {
                  e.preventDefault();
                  void usePresets.getState().save(rerender);
                }}
              >
                <Field label="Name" error={errorFor('name')}>
                  {(id, describedBy) => (
                    <input
                      id={id}
                      className="input"
                      value={form.name}
                      aria-describedby={describedBy}
                      aria-invalid={fieldErrors.includes('name') || undefined}
                      onChange={(e) => usePresets.getState().edit({ name: e.currentTarget.value })}
                      data-testid="preset-name"
                    />
                  )}
                </Field>
                {TEXT_FIELDS.map((f) => (
                  <Field key={f.key} label={f.label} hint={f.hint} error={errorFor(f.key)}>
                    {(id, describedBy) => (
                      <textarea
                        id={id}
                        className="textarea"
                        rows={f.rows}
                        value={form[f.key]}
                        aria-describedby={describedBy}
                        onChange={(e) => usePresets.getState().edit({ [f.key]: e.currentTarget.value })}
                        data-testid={`preset-${f.key}`}
                      />
                    )}
                  </Field>
                ))}
                <Field
                  label="Render parameters"
                  hint="One per line: cfg=3.5, steps=28, sampler_name=euler … checked against each template's ranges."
                  error={errorFor('params')}
                >
                  {(id, describedBy) => (
                    <textarea
                      id={id}
                      className="textarea mono"
                      rows={3}
                      value={form.params}
                      aria-describedby={describedBy}
                      onChange={(e) => usePresets.getState().edit({ params: e.currentTarget.value })}
                      data-testid="preset-params"
                    />
                  )}
                </Field>
                <div className="preset-actions">
                  <Button
                    type="submit"
                    variant="primary"
                    icon="check"
                    busy={saving}
                    disabled={!dirty}
                    data-testid="preset-save"
                  >
                    {selected === 'new' ? 'Create preset' : 'Save as new version'}
                  </Button>
                  {selected !== 'new' && (
                    <label className="preset-rerender">
                      <input
                        type="checkbox"
                        className="checkbox"
                        checked={rerender}
                        onChange={(e) => setRerender(e.currentTarget.checked)}
                        data-testid="preset-rerender"
                      />
                      Re-render what changes in the showcases using it
                    </label>
                  )}
                  <span className="preset-actions-end">
                    {selected !== 'new' && (
                      <>
                        <Button
                          icon="copy"
                          onClick={() => void usePresets.getState().duplicate()}
                          data-testid="preset-duplicate"
                        >
                          Duplicate
                        </Button>
                        {confirmDelete ? (
                          <>
                            <Button
                              variant="danger"
                              icon="trash"
                              onClick={() => {
                                setConfirmDelete(false);
                                void usePresets.getState().remove();
                              }}
                              data-testid="preset-delete-confirm"
                            >
                              Delete “{current?.name}”
                            </Button>
                            <Button variant="ghost" onClick={() => setConfirmDelete(false)}>
                              Keep it
                            </Button>
                          </>
                        ) : (
                          <Button
                            variant="ghost"
                            icon="trash"
                            onClick={() => setConfirmDelete(true)}
                            data-testid="preset-delete"
                          >
                            Delete
                          </Button>
                        )}
                      </>
                    )}
                  </span>
                </div>
              </form>
              {selected !== 'new' && (
                <VersionHistory
                  subject={{ kind: 'preset', id: selected }}
                  revision={current?.updatedAt}
                  onRolledBack={() => void usePresets.getState().load()}
                />
              )}
            </>
          )}
        </div>
      </div>
    </section>
  );
}
