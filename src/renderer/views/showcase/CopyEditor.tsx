// The copy editor: title, tagline, bullets, description and (folded) the image prompts. Edits are a
// local draft until saved with `showcase.updateCopy`; live updates never overwrite unsaved edits.
import { type KeyboardEvent, useId } from 'react';
import type { CopyDraft } from '../../../shared/index.ts';
import { useLive } from '../../state/live.ts';
import { useShowcase } from '../../state/showcase.ts';
import { Button, IconButton } from '../../ui/Button.tsx';
import { Field } from '../../ui/Field.tsx';
import { relativeTime } from '../../ui/format.ts';
import { ProgressBar } from '../../ui/ProgressBar.tsx';

const MIN_BULLETS = 3;
const MAX_BULLETS = 5;

function Counter({ value, max }: { value: string; max: number }) {
  return (
    <span className={`counter tabular${value.length > max ? ' is-over' : ''}`} aria-hidden="true">
      {value.length}/{max}
    </span>
  );
}

function useCopyJobState(galleryId: string | null): 'running' | 'queued' | null {
  return useLive((s) => {
    for (const job of Object.values(s.jobs)) {
      if (
        job.galleryId === galleryId &&
        job.kind === 'copy' &&
        (job.state === 'running' || job.state === 'queued' || job.state === 'retrying')
      ) {
        return job.state === 'queued' ? 'queued' : 'running';
      }
    }
    return null;
  });
}

const SOURCE_LABEL = { llm: 'Written by', fallback: 'Template fallback', edited: 'Edited by you' } as const;

export function CopyEditor() {
  const data = useShowcase((s) => s.data);
  const draft = useShowcase((s) => s.draft);
  const dirty = useShowcase((s) => s.dirty);
  const saving = useShowcase((s) => s.saving);
  const savedAt = useShowcase((s) => s.savedAt);
  const fieldErrors = useShowcase((s) => s.fieldErrors);
  const edit = useShowcase((s) => s.editDraft);
  const save = useShowcase((s) => s.saveCopy);
  const discard = useShowcase((s) => s.discardDraft);
  const copyJob = useCopyJobState(data?.gallery.id ?? null);
  const headingId = useId();
  const copy = data?.gallery.copy ?? null;

  const errorFor = (field: string) =>
    fieldErrors.some((f) => f === field || f.startsWith(`${field}.`))
      ? 'Check this field: it is empty or too long.'
      : null;

  const onKeyDown = (e: KeyboardEvent<HTMLFormElement>) => {
    if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 's') {
      e.preventDefault();
      if (dirty) void save();
    }
  };

  return (
    <aside className="copy-panel" aria-labelledby={headingId} data-testid="copy-editor" data-dirty={dirty}>
      <header className="copy-head">
        <h2 id={headingId} className="copy-title">
          Copy
        </h2>
        {copy && (
          <span
            className={`copy-source source-${copy.source}`}
            data-testid="copy-source"
            data-source={copy.source}
          >
            {SOURCE_LABEL[copy.source]}
            {copy.source === 'llm' && copy.model ? ` ${copy.model}` : ''}
          </span>
        )}
      </header>

      {!draft ? (
        <div className="copy-empty" data-testid="copy-pending">
          {copyJob ? (
            <>
              <p>
                {copyJob === 'queued'
                  ? 'Waiting for the language model…'
                  : 'The language model is writing the copy…'}
              </p>
              <ProgressBar value={0} max={0} indeterminate label="Writing copy" />
            </>
          ) : (
            <p className="muted">No copy yet. It is written when the showcase starts.</p>
          )}
        </div>
      ) : (
        <form
          className="copy-form"
          onSubmit={(e) => {
            e.preventDefault();
            void save();
          }}
          onKeyDown={onKeyDown}
        >
          <div className="copy-fields">
            <Field label="Title" error={errorFor('title')} aside={<Counter value={draft.title} max={200} />}>
              {(id, describedBy) => (
                <input
                  id={id}
                  className="input copy-title-input"
                  value={draft.title}
                  aria-describedby={describedBy}
                  aria-invalid={Boolean(errorFor('title'))}
                  onChange={(e) => edit({ title: e.currentTarget.value })}
                  data-testid="copy-title"
                />
              )}
            </Field>
            <Field
              label="Tagline"
              error={errorFor('tagline')}
              aside={<Counter value={draft.tagline} max={300} />}
            >
              {(id, describedBy) => (
                <input
                  id={id}
                  className="input"
                  value={draft.tagline}
                  aria-describedby={describedBy}
                  aria-invalid={Boolean(errorFor('tagline'))}
                  onChange={(e) => edit({ tagline: e.currentTarget.value })}
                  data-testid="copy-tagline"
                />
              )}
            </Field>
            <Bullets draft={draft} edit={edit} errorFor={errorFor} />
            <Field
              label="Description"
              error={errorFor('description')}
              aside={<Counter value={draft.description} max={5000} />}
            >
              {(id, describedBy) => (
                <textarea
                  id={id}
                  className="textarea"
                  rows={7}
                  value={draft.description}
                  aria-describedby={describedBy}
                  aria-invalid={Boolean(errorFor('description'))}
                  onChange={(e) => edit({ description: e.currentTarget.value })}
                  data-testid="copy-description"
                />
              )}
            </Field>
            <Prompts draft={draft} edit={edit} errorFor={errorFor} />
          </div>
          <footer className="copy-foot">
            <span
              className="copy-state"
              data-testid="copy-status"
              data-state={saving ? 'saving' : dirty ? 'dirty' : 'saved'}
              aria-live="polite"
            >
              {saving
                ? 'Saving…'
                : dirty
                  ? 'Unsaved changes'
                  : savedAt
                    ? `Saved ${relativeTime(savedAt)}`
                    : 'All changes saved'}
            </span>
            <Button disabled={!dirty || saving} onClick={discard} data-testid="copy-discard">
              Discard
            </Button>
            <Button
              type="submit"
              variant="primary"
              icon="check"
              busy={saving}
              disabled={!dirty}
              data-testid="copy-save"
              title="Save (Ctrl+S)"
            >
              Save copy
            </Button>
          </footer>
        </form>
      )}
    </aside>
  );
}

interface PartProps {
  draft: CopyDraft;
  edit(patch: Partial<CopyDraft>): void;
  errorFor(field: string): string | null;
}

function Bullets({ draft, edit, errorFor }: PartProps) {
  const groupId = useId();
  const set = (i: number, value: string) =>
    edit({ bullets: draft.bullets.map((b, j) => (j === i ? value : b)) });
  return (
    <fieldset className="bullets" aria-labelledby={groupId}>
      <div className="field-head">
        <span className="field-label" id={groupId}>
          Bullets
        </span>
        <span className="counter tabular">
          {draft.bullets.length} of {MIN_BULLETS}–{MAX_BULLETS}
        </span>
      </div>
      <ol className="bullet-list">
        {draft.bullets.map((bullet, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: bullets are positional; their text is what is being edited
          <li key={i} className="bullet-row">
            <span className="bullet-dot" aria-hidden="true" />
            <input
              className="input"
              value={bullet}
              aria-label={`Bullet ${i + 1}`}
              aria-invalid={Boolean(errorFor(`bullets.${i}`))}
              onChange={(e) => set(i, e.currentTarget.value)}
              data-testid={`copy-bullet-${i}`}
            />
            <IconButton
              icon="trash"
              size="s"
              label={`Remove bullet ${i + 1}`}
              disabled={draft.bullets.length <= MIN_BULLETS}
              onClick={() => edit({ bullets: draft.bullets.filter((_, j) => j !== i) })}
              data-testid={`copy-bullet-remove-${i}`}
            />
          </li>
        ))}
      </ol>
      {errorFor('bullets') && (
        <p className="field-error">Each bullet needs text (at most 400 characters); keep 3 to 5.</p>
      )}
      <Button
        size="s"
        variant="ghost"
        icon="plus"
        disabled={draft.bullets.length >= MAX_BULLETS}
        onClick={() => edit({ bullets: [...draft.bullets, ''] })}
        data-testid="copy-bullet-add"
      >
        Add bullet
      </Button>
    </fieldset>
  );
}

function Prompts({ draft, edit, errorFor }: PartProps) {
  const p = draft.prompts;
  const setPrompt = (patch: Partial<CopyDraft['prompts']>) => edit({ prompts: { ...p, ...patch } });
  return (
    <details className="prompts" data-testid="copy-prompts">
      <summary>
        Image prompts <span className="faint">— used on the next render or regenerate</span>
      </summary>
      <div className="prompts-body">
        <Field label="Hero" error={errorFor('prompts.hero')}>
          {(id) => (
            <textarea
              id={id}
              className="textarea"
              rows={3}
              value={p.hero}
              onChange={(e) => setPrompt({ hero: e.currentTarget.value })}
              data-testid="copy-prompt-hero"
            />
          )}
        </Field>
        <Field label="Lifestyle" error={errorFor('prompts.lifestyle')}>
          {(id) => (
            <textarea
              id={id}
              className="textarea"
              rows={3}
              value={p.lifestyle}
              onChange={(e) => setPrompt({ lifestyle: e.currentTarget.value })}
              data-testid="copy-prompt-lifestyle"
            />
          )}
        </Field>
        {p.variations.map((theme, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: variation themes are positional (variation 1 uses theme 1)
          <Field key={i} label={`Variation theme ${i + 1}`} error={errorFor(`prompts.variations.${i}`)}>
            {(id) => (
              <input
                id={id}
                className="input"
                value={theme}
                onChange={(e) =>
                  setPrompt({ variations: p.variations.map((v, j) => (j === i ? e.currentTarget.value : v)) })
                }
                data-testid={`copy-prompt-variation-${i}`}
              />
            )}
          </Field>
        ))}
        <Field label="Negative prompt" error={errorFor('prompts.negative')}>
          {(id) => (
            <input
              id={id}
              className="input"
              value={p.negative}
              onChange={(e) => setPrompt({ negative: e.currentTarget.value })}
              data-testid="copy-prompt-negative"
            />
          )}
        </Field>
      </div>
    </details>
  );
}
