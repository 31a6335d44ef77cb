import './ui.css';

const LABELS: Record<string, string> = {
  new: 'Not started',
  draft: 'Draft',
  pending: 'Waiting',
  queued: 'Queued',
  running: 'Rendering',
  retrying: 'Retrying',
  done: 'Done',
  complete: 'Complete',
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
  done: 'ok',
  complete: 'ok',
  partial: 'warn',
  failed: 'danger',
  cancelled: 'neutral',
};

export function statusLabel(status: string): string {
  return LABELS[status] ?? status.charAt(0).toUpperCase() + status.slice(1);
}

export function StatusChip({ status, testId }: { status: string; testId?: string }) {
  const tone = TONES[status] ?? 'neutral';
  return (
    <span className={`chip chip-${tone}`} data-status={status} data-testid={testId}>
      <span className={`chip-dot${status === 'running' ? ' is-pulsing' : ''}`} aria-hidden="true" />
      {statusLabel(status)}
    </span>
  );
}
