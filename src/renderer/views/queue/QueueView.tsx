import { useEffect } from 'react';
import { jobStatuses } from '../../../shared/index.ts';
import { useQueue } from '../../state/queue.ts';
import { Button } from '../../ui/Button.tsx';
import { ErrorNote } from '../../ui/ErrorNote.tsx';
import { ViewHeader } from '../../ui/ViewHeader.tsx';
import { BackendCard } from './BackendCard.tsx';
import { FailureList } from './FailureList.tsx';
import { JobTable } from './JobTable.tsx';
import './queue.css';

export function QueueView() {
  const status = useQueue((s) => s.status);
  const backends = useQueue((s) => s.backends);
  const error = useQueue((s) => s.error);
  const busy = useQueue((s) => s.busy);
  const refresh = useQueue((s) => s.refresh);

  useEffect(() => {
    void refresh();
    // Backends report through events; a slow poll keeps counts honest if an event is missed.
    const timer = setInterval(() => void useQueue.getState().refresh(), 5000);
    return () => clearInterval(timer);
  }, [refresh]);

  const paused = status?.paused ?? false;
  return (
    <section className="view queue" aria-labelledby="queue-title" data-testid="queue" data-paused={paused}>
      <ViewHeader
        title={<span id="queue-title">Queue</span>}
        subtitle={
          paused
            ? 'Paused — running jobs finish, nothing new starts'
            : 'Jobs are scheduled across your backends'
        }
      >
        {paused ? (
          <Button
            variant="primary"
            icon="play"
            busy={Boolean(busy.resume)}
            onClick={() => void useQueue.getState().resume()}
            data-testid="queue-resume"
          >
            Resume
          </Button>
        ) : (
          <Button
            icon="pause"
            busy={Boolean(busy.pause)}
            onClick={() => void useQueue.getState().pause()}
            data-testid="queue-pause"
          >
            Pause
          </Button>
        )}
      </ViewHeader>
      <div className="view-scroll queue-body">
        {error && <ErrorNote error={error} context="Reading the queue" onRetry={() => void refresh()} />}
        <div className="counts" data-testid="queue-counts">
          {jobStatuses.map((s) => (
            <div
              key={s}
              className={`count-card count-${s}`}
              data-testid={`queue-count-${s}`}
              data-value={status?.counts[s] ?? 0}
            >
              <span className="count-value tabular">{(status?.counts[s] ?? 0).toLocaleString()}</span>
              <span className="count-label">{s}</span>
            </div>
          ))}
        </div>

        <section aria-labelledby="backends-title" className="queue-section">
          <h2 id="backends-title" className="section-title">
            Backends
          </h2>
          {backends.length === 0 ? (
            <p className="muted">No backends reported yet. Add ComfyUI and Ollama URLs in Settings.</p>
          ) : (
            <div className="backend-grid">
              {backends.map((b) => (
                <BackendCard key={b.id} backend={b} />
              ))}
            </div>
          )}
        </section>

        <FailureList />
        <JobTable running={status?.running ?? []} finished={status?.recent ?? []} />
      </div>
    </section>
  );
}
