import { type ReactNode, useId } from 'react';
import './ui.css';

interface FieldProps {
  label: string;
  /** Renders the control with the id to bind the label to. */
  children: (id: string, describedBy: string | undefined) => ReactNode;
  hint?: ReactNode;
  error?: string | null;
  className?: string;
  aside?: ReactNode;
}

/** A label, a control, an optional hint and an error, wired together for screen readers. */
export function Field({ label, children, hint, error, className, aside }: FieldProps) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field${error ? ' has-error' : ''}${className ? ` ${className}` : ''}`}>
      <div className="field-head">
        <label className="field-label" htmlFor={id}>
          {label}
        </label>
        {aside}
      </div>
      {children(id, describedBy)}
      {hint && (
        <p className="field-hint" id={hintId}>
          {hint}
        </p>
      )}
      {error && (
        <p className="field-error" id={errorId}>
          {error}
        </p>
      )}
    </div>
  );
}
