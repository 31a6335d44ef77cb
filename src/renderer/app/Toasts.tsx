import { useToasts } from '../state/toasts.ts';
import { IconButton } from '../ui/Button.tsx';
import { Icon } from '../ui/Icon.tsx';

export function Toasts() {
  const toasts = useToasts((s) => s.toasts);
  const dismiss = useToasts((s) => s.dismiss);
  return (
    <section className="toasts" aria-label="Notifications" aria-live="polite">
      {toasts.map((t) => (
        <div
          key={t.id}
          className={`toast toast-${t.kind}`}
          role={t.kind === 'error' ? 'alert' : 'status'}
          data-testid={`toast-${t.kind}`}
        >
          <Icon
            name={t.kind === 'error' ? 'alert' : t.kind === 'success' ? 'check' : 'info'}
            size={16}
            className="toast-icon"
          />
          <div className="toast-body">
            <p className="toast-title">{t.title}</p>
            {t.message && <p className="toast-message">{t.message}</p>}
            {t.hint && (
              <p className="toast-hint">
                <strong>What to do:</strong> {t.hint}
              </p>
            )}
          </div>
          <IconButton icon="x" size="s" label="Dismiss notification" onClick={() => dismiss(t.id)} />
        </div>
      ))}
    </section>
  );
}
