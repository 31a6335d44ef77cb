import './ui.css';

const LABELS: Record<string, string> = {
  new: 'Not started',
  draft: 'Draft',
  pending: 'Waiting',
  queued: 'Queued',
  running: 'Rendering',
  retrying: 'Retrying',
  waiting: 'Waiting for backend',
  done: 'Done',
  complete: 'Complete',
  'complete-fallback': 'Complete, fallback copy',
  partial: 'Partial',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

const TONES: Record<string, string> = {
  new: 'neutral',
  draft: 'neutral',
  pending: 'neutral',
  queued: 'info',
  running: 'accent',
  retrying: 'warn',
  waiting: 'warn',
  done: 'ok',
  complete: 'ok',
  'complete-fallback': 'warn',
  partial: 'warn',
  failed: 'danger',
  cancelled: 'neutral',
};

export function statusLabel(status: string): string {
  return LABELS[status] ?? status.charAt(0).toUpperCase() + status.slice(1);
}

/** `label` overrides the status's word (e.g. "Queued on comfy-2" instead of "Queued"). */
export function StatusChip({ status, testId, label }: { status: string; testId?: string; label?: string }) {
  const tone = TONES[status] ?? 'neutral';
  return (
    <span className={`chip chip-${tone}`} data-status={status} data-testid={testId}>
      <span className={`chip-dot${status === 'running' ? ' is-pulsing' : ''}`} aria-hidden="true" />
      {label ?? statusLabel(status)}
    </span>
  );
}
