import { useEffect, useState } from 'react';
import { methods } from '../../../shared/index.ts';
import { type ErrorInfo, errorInfo } from '../../state/errors.ts';
import type { EmailResult } from '../../state/publish.ts';
import { usePublish } from '../../state/publish.ts';
import { useSettings } from '../../state/settings.ts';
import { Button } from '../../ui/Button.tsx';
import { Dialog } from '../../ui/Dialog.tsx';
import { ErrorNote } from '../../ui/ErrorNote.tsx';
import { Field } from '../../ui/Field.tsx';

/** The contract's own rule for one recipient, so the dialog and the engine agree. */
const EMAIL = methods['gallery.email'].input.shape.to.element;

function recipients(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

export function EmailDialog({
  target,
  onClose,
}: {
  target: { galleryId: string; name: string } | null;
  onClose(): void;
}) {
  const [to, setTo] = useState('');
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [result, setResult] = useState<EmailResult | null>(null);
  const [invalid, setInvalid] = useState<string[]>([]);
  const smtp = useSettings((s) => s.settings?.smtp ?? null);
  const galleryId = target?.galleryId ?? null;

  useEffect(() => {
    if (galleryId) {
      setError(null);
      setResult(null);
      setInvalid([]);
    }
  }, [galleryId]);

  const list = recipients(to);
  const send = async () => {
    if (!target) return;
    const bad = list.filter((address) => !EMAIL.safeParse(address).success);
    setInvalid(bad);
    if (bad.length > 0) return;
    setSending(true);
    setError(null);
    try {
      setResult(await usePublish.getState().email(target.galleryId, recipients(to)));
    } catch (err) {
      setError(errorInfo(err));
    } finally {
      setSending(false);
    }
  };

  return (
    <Dialog
      open={target !== null}
      title={`E-mail the pack for ${target?.name ?? ''}`}
      onClose={onClose}
      testId="email-dialog"
      footer={
        result ? (
          <Button variant="primary" onClick={onClose}>
            Done
          </Button>
        ) : (
          <>
            <Button onClick={onClose}>Cancel</Button>
            <Button
              variant="primary"
              icon="mail"
              busy={sending}
              disabled={list.length === 0}
              onClick={() => void send()}
              data-testid="email-send"
            >
              Send to {list.length || '…'}
            </Button>
          </>
        )
      }
    >
      {result ? (
        <div className="email-result" data-testid="email-result" data-accepted={result.accepted.length}>
          <p>
            Sent to <strong>{result.accepted.join(', ') || 'nobody'}</strong>.
          </p>
          <p className="faint mono">Message id {result.messageId}</p>
          {result.warning && (
            <p className="publish-warning" role="status" data-testid="email-warning">
              {result.warning}
            </p>
          )}
        </div>
      ) : (
        <>
          <p className="muted">
            The pack holds the gallery link and the thumbnails as attachments
            {smtp ? `, sent from ${smtp.from}` : ''}.
          </p>
          {!smtp && <p className="field-error">SMTP is not configured: add it in Settings first.</p>}
          <Field
            label="Recipients"
            hint="Separate addresses with commas, spaces or new lines (up to 50)."
            error={invalid.length ? `Not an e-mail address: ${invalid.join(', ')}` : null}
          >
            {(id, describedBy) => (
              <textarea
                id={id}
                className="textarea"
                rows={3}
                value={to}
                placeholder="team@example.com, marketing@example.com"
                aria-describedby={describedBy}
                aria-invalid={invalid.length > 0}
                onChange={(e) => {
                  setTo(e.currentTarget.value);
                  setInvalid([]);
                }}
                data-testid="email-to"
              />
            )}
          </Field>
          {error && <ErrorNote error={error} context="Sending" testId="email-error" />}
        </>
      )}
    </Dialog>
  );
}
