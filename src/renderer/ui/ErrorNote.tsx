import type { ErrorInfo } from '../state/errors.ts';
import { Button } from './Button.tsx';
import { Icon } from './Icon.tsx';
import './ui.css';

interface ErrorNoteProps {
  error: ErrorInfo;
  /** What the operator was doing, e.g. "Loading the catalog". */
  context?: string;
  onRetry?: () => void;
  compact?: boolean;
  testId?: string;
}

/** An error an operator can act on: what failed, the engine's message, and what to do. */
export function ErrorNote({
  error,
  context,
  onRetry,
  compact = false,
  testId = 'error-note',
}: ErrorNoteProps) {
  return (
    <div
      className={`error-note${compact ? ' is-compact' : ''}`}
      role="alert"
      data-testid={testId}
      data-code={error.code}
    >
      <Icon name="alert" size={compact ? 14 : 18} className="error-note-icon" />
      <div className="error-note-body">
        <p className="error-note-title">{context ? `${context} — ${error.title}` : error.title}</p>
        <p className="error-note-message">{error.message}</p>
        {error.hint && (
          <p className="error-note-hint">
            <strong>What to do:</strong> {error.hint}
          </p>
        )}
      </div>
      {onRetry && (
        <Button size="s" icon="refresh" onClick={onRetry}>
          Retry
        </Button>
      )}
    </div>
  );
}
