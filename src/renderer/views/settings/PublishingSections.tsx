// The publishing sections of the settings form: S3 (where galleries are uploaded, how links are
// shared) and SMTP (e-mail packs).
import type { ReactNode } from 'react';
import type { Settings } from '../../../shared/index.ts';
import { MASK } from '../../state/settings.ts';
import { Field } from '../../ui/Field.tsx';
import { Section } from './SettingsSection.tsx';
import type { Draft } from './settings-draft.ts';

/** The form's text input: a field path (for errors and the test id), label, value, change handler. */
export type TextFieldFn = (
  path: string,
  label: string,
  value: string,
  onChange: (v: string) => void,
  opts?: { hint?: string; type?: string; placeholder?: string; mono?: boolean; readOnly?: boolean },
) => ReactNode;

export interface PublishingSectionsProps {
  draft: Draft;
  settings: Settings;
  set: (p: Partial<Draft>) => void;
  setS3: (p: Partial<Draft['s3']>) => void;
  setSmtp: (p: Partial<Draft['smtp']>) => void;
  text: TextFieldFn;
  err: (path: string) => string | null;
}

export function PublishingSections({
  draft,
  settings,
  set,
  setS3,
  setSmtp,
  text,
  err,
}: PublishingSectionsProps) {
  return (
    <>
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
    </>
  );
}
