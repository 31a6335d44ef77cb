// Settings: backends, generation defaults, Postgres sync, S3 and SMTP. The form is a draft of the
// engine's settings (settings-draft.ts); saving sends only the top-level keys that changed. The
// publishing sections (S3, SMTP) are PublishingSections.tsx.
import { useEffect, useMemo, useState } from 'react';
import {
  comfyPreviewMethods,
  familyNames,
  SettingsPatchSchema,
  thumbnailModes,
} from '../../../shared/index.ts';
import { MASK, useSettings } from '../../state/settings.ts';
import { Button, IconButton, Spinner } from '../../ui/Button.tsx';
import { ErrorNote } from '../../ui/ErrorNote.tsx';
import { Field } from '../../ui/Field.tsx';
import { ViewHeader } from '../../ui/ViewHeader.tsx';
import { OverrideNotice } from './OverrideNotice.tsx';
import { PublishingSections } from './PublishingSections.tsx';
import { Section } from './SettingsSection.tsx';
import { type Draft, FAMILY_LABELS, PREVIEW_LABELS, toDraft, toPatch } from './settings-draft.ts';
import './settings.css';

export function SettingsView() {
  const settings = useSettings((s) => s.settings);
  const error = useSettings((s) => s.error);
  const saving = useSettings((s) => s.saving);
  const serverFields = useSettings((s) => s.fieldErrors);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});

  useEffect(() => {
    void useSettings.getState().load();
  }, []);
  useEffect(() => {
    if (settings) setDraft(toDraft(settings));
  }, [settings]);

  const patch = useMemo(() => (draft && settings ? toPatch(draft, settings) : {}), [draft, settings]);
  const dirty = Object.keys(patch).length > 0;

  if (!settings || !draft) {
    return (
      <section className="view" aria-labelledby="settings-title">
        <ViewHeader title={<span id="settings-title">Settings</span>} />
        <div className="view-scroll">
          {error ? (
            <ErrorNote
              error={error}
              context="Loading settings"
              onRetry={() => void useSettings.getState().load()}
            />
          ) : (
            <Spinner label="Loading settings…" />
          )}
        </div>
      </section>
    );
  }

  const set = (p: Partial<Draft>) => setDraft({ ...draft, ...p });
  const setS3 = (p: Partial<Draft['s3']>) => setDraft({ ...draft, s3: { ...draft.s3, ...p } });
  const setSmtp = (p: Partial<Draft['smtp']>) => setDraft({ ...draft, smtp: { ...draft.smtp, ...p } });
  const err = (path: string): string | null =>
    localErrors[path] ??
    (serverFields.some((f) => f === path || f.startsWith(`${path}.`))
      ? 'The engine refused this value.'
      : null);

  const save = async () => {
    const parsed = SettingsPatchSchema.safeParse(patch);
    if (!parsed.success) {
      const errors: Record<string, string> = {};
      for (const issue of parsed.error.issues) {
        const key = issue.path.map(String).join('.');
        errors[key] ??= issue.message;
        // Also flag the list as a whole for per-item paths like comfyUrls.1
        const top = issue.path.slice(0, 1).map(String).join('.');
        errors[top] ??= issue.message;
      }
      setLocalErrors(errors);
      // Take the operator to the first refused field.
      requestAnimationFrame(() =>
        document.querySelector<HTMLElement>('.settings-form [aria-invalid="true"]')?.focus(),
      );
      return;
    }
    setLocalErrors({});
    await useSettings.getState().save(patch, 'Settings');
  };

  const text = (
    path: string,
    label: string,
    value: string,
    onChange: (v: string) => void,
    opts: { hint?: string; type?: string; placeholder?: string; mono?: boolean; readOnly?: boolean } = {},
  ) => (
    <Field label={label} hint={opts.hint} error={err(path)}>
      {(id, describedBy) => (
        <input
          id={id}
          type={opts.type ?? 'text'}
          readOnly={opts.readOnly}
          className={`input${opts.mono ? ' mono' : ''}`}
          value={value}
          placeholder={opts.placeholder}
          aria-describedby={describedBy}
          aria-invalid={err(path) !== null}
          autoComplete="off"
          spellCheck={false}
          onChange={(e) => onChange(e.currentTarget.value)}
          data-testid={`settings-${path.replaceAll('.', '-')}`}
        />
      )}
    </Field>
  );

  return (
    <section className="view settings" aria-labelledby="settings-title">
      <ViewHeader
        title={<span id="settings-title">Settings</span>}
        subtitle="Backends, generation defaults, sync, storage and e-mail"
      />
      <form
        className="settings-form"
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <div className="view-scroll settings-scroll">
          <Section
            id="backends"
            title="Backends"
            description="Where images are rendered and copy is written. Add several ComfyUI servers to spread the work."
          >
            <OverrideNotice fields={['comfyUrls', 'ollamaUrl']} />
            <fieldset className="url-list">
              <legend className="field-label">ComfyUI servers</legend>
              {draft.comfyUrls.map((url, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: the list is edited in place by position
                <div key={i} className="url-row">
                  <input
                    className="input mono"
                    value={url}
                    aria-label={`ComfyUI server ${i + 1}`}
                    aria-invalid={Boolean(localErrors[`comfyUrls.${i}`])}
                    placeholder="http://127.0.0.1:8188"
                    onChange={(e) =>
                      set({ comfyUrls: draft.comfyUrls.map((u, j) => (j === i ? e.currentTarget.value : u)) })
                    }
                    data-testid={`settings-comfyUrls-${i}`}
                  />
                  <IconButton
                    icon="trash"
                    size="s"
                    label={`Remove ComfyUI server ${i + 1}`}
                    disabled={draft.comfyUrls.length <= 1}
                    onClick={() => set({ comfyUrls: draft.comfyUrls.filter((_, j) => j !== i) })}
                  />
                </div>
              ))}
              {err('comfyUrls') && <p className="field-error">{err('comfyUrls')}</p>}
              <Button
                size="s"
                variant="ghost"
                icon="plus"
                onClick={() => set({ comfyUrls: [...draft.comfyUrls, ''] })}
                data-testid="settings-add-comfy"
              >
                Add server
              </Button>
            </fieldset>
            <div className="field-row">
              {text('ollamaUrl', 'Ollama URL', draft.ollamaUrl, (v) => set({ ollamaUrl: v }), {
                mono: true,
                placeholder: 'http://127.0.0.1:11434',
              })}
              {text('ollamaModel', 'Ollama model', draft.ollamaModel, (v) => set({ ollamaModel: v }), {
                mono: true,
                hint: 'The tag that writes the copy, e.g. llama3.2',
              })}
            </div>
          </Section>

          <Section
            id="generation"
            title="Generation"
            description="Defaults for new showcases. Per-family sampler settings live in Templates."
          >
            <div className="field-row">
              <Field label="Template family" error={err('family')}>
                {(id) => (
                  <select
                    id={id}
                    className="select"
                    value={draft.family}
                    onChange={(e) => set({ family: e.currentTarget.value as Draft['family'] })}
                    data-testid="settings-family"
                  >
                    {familyNames.map((f) => (
                      <option key={f} value={f}>
                        {FAMILY_LABELS[f]}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              {text('copyLanguage', 'Copy language', draft.copyLanguage, (v) => set({ copyLanguage: v }), {
                hint: "BCP 47 tag: en, de, fr-CA …; a sheet's language column wins",
              })}
            </div>
            <div className="field-row">
              {text('currency', 'Shop currency', draft.currency, (v) => set({ currency: v }), {
                mono: true,
                hint: 'ISO code (EUR, BRL …): for prices a sheet gives without one, and the Shopify CSV',
              })}
            </div>
            <div className="field-row three">
              {text('variations', 'Variations', draft.variations, (v) => set({ variations: v }), {
                type: 'number',
                hint: '0 – 8 per product',
              })}
              <Field label="Thumbnails by" error={err('thumbnailMode')}>
                {(id) => (
                  <select
                    id={id}
                    className="select"
                    value={draft.thumbnailMode}
                    onChange={(e) => set({ thumbnailMode: e.currentTarget.value as Draft['thumbnailMode'] })}
                    data-testid="settings-thumbnailMode"
                  >
                    {thumbnailModes.map((m) => (
                      <option key={m} value={m}>
                        {m === 'sharp' ? 'sharp (local, fast)' : 'ComfyUI scale graph'}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              {text(
                'thumbnailSize',
                'Thumbnail size',
                draft.thumbnailSize,
                (v) => set({ thumbnailSize: v }),
                { type: 'number', hint: '64 – 1024 px' },
              )}
            </div>
            <Field
              label="Live previews"
              error={err('comfyPreviewMethod')}
              hint="Asked of ComfyUI with every prompt. ComfyUI 0.3.x ignores the request: start it with --preview-method auto."
            >
              {(id, describedBy) => (
                <select
                  id={id}
                  className="select"
                  aria-describedby={describedBy}
                  value={draft.comfyPreviewMethod}
                  onChange={(e) =>
                    set({ comfyPreviewMethod: e.currentTarget.value as Draft['comfyPreviewMethod'] })
                  }
                  data-testid="settings-comfyPreviewMethod"
                >
                  {comfyPreviewMethods.map((m) => (
                    <option key={m} value={m}>
                      {PREVIEW_LABELS[m]}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            {text('outputDir', 'Output folder', draft.outputDir, (v) => set({ outputDir: v }), {
              mono: true,
              readOnly: true,
              hint: 'Where galleries are written; chosen when the studio starts (--out)',
            })}
          </Section>

          <Section
            id="sync"
            title="Team sync"
            description="Optional Postgres database shared with your team. Work stays local and syncs when it is reachable."
          >
            {text('postgresUrl', 'Postgres URL', draft.postgresUrl, (v) => set({ postgresUrl: v }), {
              mono: true,
              placeholder: 'postgres://user:password@host:5432/showcase',
              hint: draft.postgresUrl.includes(MASK)
                ? 'The password is stored; replace the whole URL to change it.'
                : 'Leave empty to work locally only.',
            })}
            {text(
              'syncIntervalSec',
              'Sync every (seconds)',
              draft.syncIntervalSec,
              (v) => set({ syncIntervalSec: v }),
              { type: 'number', hint: '5 – 86,400' },
            )}
          </Section>

          <PublishingSections
            draft={draft}
            settings={settings}
            set={set}
            setS3={setS3}
            setSmtp={setSmtp}
            text={text}
            err={err}
          />
        </div>
        <footer className={`settings-bar${dirty ? ' is-dirty' : ''}`}>
          <span className="settings-state" data-testid="settings-state" data-dirty={dirty}>
            {dirty
              ? `${Object.keys(patch).length} unsaved change${Object.keys(patch).length === 1 ? '' : 's'}`
              : 'All settings saved'}
          </span>
          <Button
            disabled={!dirty || saving}
            onClick={() => {
              setDraft(toDraft(settings));
              setLocalErrors({});
            }}
            data-testid="settings-discard"
          >
            Discard
          </Button>
          <Button
            type="submit"
            variant="primary"
            icon="check"
            busy={saving}
            disabled={!dirty}
            data-testid="settings-save"
          >
            Save settings
          </Button>
        </footer>
      </form>
    </section>
  );
}
