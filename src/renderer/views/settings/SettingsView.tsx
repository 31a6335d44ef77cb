// Settings: backends, generation defaults, Postgres sync, S3 and SMTP. The form is a draft of the
// engine's settings; saving sends only the top-level keys that changed. Secrets come back as
// "********": their inputs start empty and the stored value is kept unless a new one is typed.
import { type ReactNode, useEffect, useMemo, useState } from 'react';
import {
  comfyPreviewMethods,
  familyNames,
  type Settings,
  type SettingsPatch,
  SettingsPatchSchema,
  thumbnailModes,
} from '../../../shared/index.ts';
import { MASK, useSettings } from '../../state/settings.ts';
import { Button, IconButton, Spinner } from '../../ui/Button.tsx';
import { ErrorNote } from '../../ui/ErrorNote.tsx';
import { Field } from '../../ui/Field.tsx';
import { ViewHeader } from '../../ui/ViewHeader.tsx';
import { OverrideNotice } from './OverrideNotice.tsx';
import './settings.css';

const PREVIEW_LABELS: Record<Draft['comfyPreviewMethod'], string> = {
  auto: 'auto (default)',
  latent2rgb: 'latent2rgb — fast, coarse',
  taesd: 'taesd — sharper, needs the TAESD decoders',
  none: 'none — no previews, less traffic',
  default: "the server's --preview-method",
};

const FAMILY_LABELS: Record<Draft['family'], string> = {
  'qwen-image': 'qwen-image (default)',
  sdxl: 'sdxl',
  edit: "edit — restyle each product's reference photo",
};

interface Draft {
  comfyUrls: string[];
  ollamaUrl: string;
  ollamaModel: string;
  family: Settings['family'];
  copyLanguage: string;
  currency: string;
  variations: string;
  thumbnailMode: Settings['thumbnailMode'];
  thumbnailSize: string;
  comfyPreviewMethod: Settings['comfyPreviewMethod'];
  outputDir: string;
  postgresUrl: string;
  syncIntervalSec: string;
  s3Enabled: boolean;
  s3: {
    endpoint: string;
    bucket: string;
    accessKey: string;
    secretKey: string;
    region: string;
    publicBaseUrl: string;
    presignSeconds: string;
    access: NonNullable<NonNullable<Settings['s3']>['access']>;
  };
  smtpEnabled: boolean;
  smtp: { url: string; from: string };
}

function toDraft(s: Settings): Draft {
  return {
    comfyUrls: [...s.comfyUrls],
    ollamaUrl: s.ollamaUrl,
    ollamaModel: s.ollamaModel,
    family: s.family,
    copyLanguage: s.copyLanguage,
    currency: s.currency,
    variations: String(s.variations),
    thumbnailMode: s.thumbnailMode,
    thumbnailSize: String(s.thumbnailSize),
    comfyPreviewMethod: s.comfyPreviewMethod,
    outputDir: s.outputDir,
    postgresUrl: s.postgresUrl ?? '',
    syncIntervalSec: String(s.syncIntervalSec),
    s3Enabled: s.s3 !== null,
    s3: {
      endpoint: s.s3?.endpoint ?? '',
      bucket: s.s3?.bucket ?? '',
      accessKey: s.s3?.accessKey ?? '',
      // A stored secret is never shown: empty means "keep it".
      secretKey: '',
      region: s.s3?.region ?? 'us-east-1',
      publicBaseUrl: s.s3?.publicBaseUrl ?? '',
      presignSeconds: String(s.s3?.presignSeconds ?? 604_800),
      access: s.s3?.access ?? 'auto',
    },
    smtpEnabled: s.smtp !== null,
    smtp: { url: s.smtp?.url ?? '', from: s.smtp?.from ?? '' },
  };
}

const num = (text: string): number => (text.trim() === '' ? Number.NaN : Number(text));

/** The patch: only top-level keys whose value differs from what the engine holds. */
function toPatch(draft: Draft, saved: Settings): SettingsPatch {
  const next: Record<string, unknown> = {
    comfyUrls: draft.comfyUrls.map((u) => u.trim()).filter(Boolean),
    ollamaUrl: draft.ollamaUrl.trim(),
    ollamaModel: draft.ollamaModel.trim(),
    family: draft.family,
    copyLanguage: draft.copyLanguage.trim(),
    currency: draft.currency.trim().toUpperCase(),
    variations: num(draft.variations),
    thumbnailMode: draft.thumbnailMode,
    thumbnailSize: num(draft.thumbnailSize),
    comfyPreviewMethod: draft.comfyPreviewMethod,
    outputDir: draft.outputDir.trim(),
    postgresUrl: draft.postgresUrl.trim() === '' ? null : draft.postgresUrl.trim(),
    syncIntervalSec: num(draft.syncIntervalSec),
    s3: draft.s3Enabled
      ? {
          endpoint: draft.s3.endpoint.trim(),
          bucket: draft.s3.bucket.trim(),
          accessKey: draft.s3.accessKey.trim(),
          // Unchanged secret: send the mask back, which the engine reads as "keep the stored key".
          secretKey: draft.s3.secretKey === '' && saved.s3 ? MASK : draft.s3.secretKey,
          region: draft.s3.region.trim() || 'us-east-1',
          publicBaseUrl: draft.s3.publicBaseUrl.trim() === '' ? null : draft.s3.publicBaseUrl.trim(),
          presignSeconds: num(draft.s3.presignSeconds),
          // `auto` is what an absent value means: keep the stored settings as they were.
          ...(draft.s3.access === 'auto' && saved.s3?.access === undefined
            ? {}
            : { access: draft.s3.access }),
        }
      : null,
    smtp: draft.smtpEnabled ? { url: draft.smtp.url.trim(), from: draft.smtp.from.trim() } : null,
  };
  const patch: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(next)) {
    if (JSON.stringify(value) !== JSON.stringify(saved[key as keyof Settings])) patch[key] = value;
  }
  return patch as SettingsPatch;
}

function Section({
  id,
  title,
  description,
  children,
}: {
  id: string;
  title: string;
  description: ReactNode;
  children: ReactNode;
}) {
  return (
    <section
      className="settings-section"
      aria-labelledby={`settings-${id}`}
      data-testid={`settings-section-${id}`}
    >
      <div className="settings-intro">
        <h2 id={`settings-${id}`}>{title}</h2>
        <p className="muted">{description}</p>
      </div>
      <div className="settings-fields panel">{children}</div>
    </section>
  );
}

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

          <Section
            id="s3"
            title="Publishing (S3)"
            description="Galleries are uploaded to this bucket; MinIO and any S3-compatible store work."
          >
            <label className="switch">
              <input
                type="checkbox"
                checked={draft.s3Enabled}
                onChange={(e) => set({ s3Enabled: e.currentTarget.checked })}
                data-testid="settings-s3-enabled"
              />
              <span>Publish to S3</span>
            </label>
            {draft.s3Enabled && (
              <>
                <div className="field-row">
                  {text('s3.endpoint', 'Endpoint', draft.s3.endpoint, (v) => setS3({ endpoint: v }), {
                    mono: true,
                    placeholder: 'https://s3.eu-central-1.amazonaws.com',
                  })}
                  {text('s3.bucket', 'Bucket', draft.s3.bucket, (v) => setS3({ bucket: v }), { mono: true })}
                </div>
                <div className="field-row">
                  {text('s3.accessKey', 'Access key', draft.s3.accessKey, (v) => setS3({ accessKey: v }), {
                    mono: true,
                  })}
                  {text('s3.secretKey', 'Secret key', draft.s3.secretKey, (v) => setS3({ secretKey: v }), {
                    type: 'password',
                    placeholder: settings.s3 ? MASK : '',
                    hint: settings.s3 ? 'Stored. Type a new key only to replace it.' : undefined,
                  })}
                </div>
                <div className="field-row three">
                  {text('s3.region', 'Region', draft.s3.region, (v) => setS3({ region: v }), { mono: true })}
                  {text(
                    's3.publicBaseUrl',
                    'Public base URL',
                    draft.s3.publicBaseUrl,
                    (v) => setS3({ publicBaseUrl: v }),
                    { mono: true, hint: 'Empty: share presigned links' },
                  )}
                  {text(
                    's3.presignSeconds',
                    'Link lifetime (s)',
                    draft.s3.presignSeconds,
                    (v) => setS3({ presignSeconds: v }),
                    { type: 'number', hint: '60 – 604,800' },
                  )}
                </div>
                <div className="field-row">
                  <Field label="Links" error={err('s3.access')}>
                    {(id) => (
                      <select
                        id={id}
                        className="select"
                        value={draft.s3.access}
                        onChange={(e) => setS3({ access: e.currentTarget.value as Draft['s3']['access'] })}
                        data-testid="settings-s3-access"
                      >
                        <option value="auto">Automatic: public when possible, else presigned (expire)</option>
                        <option value="policy">Public by bucket policy (error if not allowed)</option>
                        <option value="acl">Public-read objects (ACL)</option>
                        <option value="presigned">Always presigned links (expire)</option>
                      </select>
                    )}
                  </Field>
                </div>
              </>
            )}
          </Section>

          <Section
            id="smtp"
            title="E-mail (SMTP)"
            description="Used to send e-mail packs: the gallery link with the thumbnails attached."
          >
            <label className="switch">
              <input
                type="checkbox"
                checked={draft.smtpEnabled}
                onChange={(e) => set({ smtpEnabled: e.currentTarget.checked })}
                data-testid="settings-smtp-enabled"
              />
              <span>Send e-mail</span>
            </label>
            {draft.smtpEnabled && (
              <div className="field-row">
                {text('smtp.url', 'SMTP URL', draft.smtp.url, (v) => setSmtp({ url: v }), {
                  mono: true,
                  placeholder: 'smtp://user:password@mail.example.com:587',
                  hint: draft.smtp.url.includes(MASK)
                    ? 'The password is stored; replace the whole URL to change it.'
                    : undefined,
                })}
                {text('smtp.from', 'From', draft.smtp.from, (v) => setSmtp({ from: v }), {
                  placeholder: 'Studio <studio@example.com>',
                })}
              </div>
            )}
          </Section>
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
