import './ui.css';

interface ProgressBarProps {
  value: number;
  max: number;
  label: string;
  /** Unknown duration (queued, loading a model): an animated stripe instead of a fill. */
  indeterminate?: boolean;
  tone?: 'accent' | 'ok' | 'warn' | 'danger';
  testId?: string;
  className?: string;
}

/** A fixed-height bar whose fill is a transform, so streaming progress never moves the layout. */
export function ProgressBar({
  value,
  max,
  label,
  indeterminate = false,
  tone = 'accent',
  testId,
  className,
}: ProgressBarProps) {
  const ratio = max > 0 ? Math.min(1, Math.max(0, value / max)) : 0;
  return (
    <div
      className={`progress progress-${tone}${indeterminate ? ' is-indeterminate' : ''}${className ? ` ${className}` : ''}`}
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={indeterminate ? undefined : max}
      aria-valuenow={indeterminate ? undefined : value}
      data-testid={testId}
      data-value={value}
      data-max={max}
    >
      <div className="progress-fill" style={{ transform: `scaleX(${indeterminate ? 1 : ratio})` }} />
    </div>
  );
}
