// The Team view (issue #17): who renders for this studio. Polls `team.status` while it is shown: the
// workers on the team database (GPUs, loaded model, pace, heartbeat, jobs in flight, lost ones
// greyed), the team queue per family, and how many of this station's jobs are out with the team.
// Without a team database it says how to set one up, and the one command that adds a GPU workstation.
import { useEffect } from 'react';
import type { TeamStatus } from '../../../shared/index.ts';
import { useNav } from '../../state/nav.ts';
import { useSettings } from '../../state/settings.ts';
import { pollTeam, useTeam } from '../../state/team.ts';
import { Button } from '../../ui/Button.tsx';
import { CopyButton } from '../../ui/CopyButton.tsx';
import { EmptyState } from '../../ui/EmptyState.tsx';
import { ErrorNote } from '../../ui/ErrorNote.tsx';
import { plural } from '../../ui/format.ts';
import { ViewHeader } from '../../ui/ViewHeader.tsx';
import { workerCommand } from './team-format.ts';
import { WorkerTable } from './WorkerTable.tsx';
import './team.css';

function WorkerCommand() {
  const settings = useSettings((s) => s.settings);
  const command = workerCommand(settings);
  return (
    <div className="team-command" data-testid="team-worker-command">
      <p className="team-command-intro">
        On each GPU workstation, start a worker (it registers here within seconds). Repeat{' '}
        <code>--comfy</code> for every ComfyUI server on that machine:
      </p>
      <div className="team-command-line">
        <code className="mono" data-testid="team-command-text">
          {command}
        </code>
        <CopyButton text={command} testId="team-command-copy" />
      </div>
    </div>
  );
}

function NotConfigured() {
  return (
    <EmptyState icon="gpu" title="No team set up yet" testId="team-not-configured">
      <p>
        Send image jobs to the GPUs of other workstations: they share this studio&rsquo;s PostgreSQL and S3
        bucket.
      </p>
      <ol className="team-steps">
        <li>
          Set the team PostgreSQL URL in <strong>Settings → Team sync</strong>.
        </li>
        <li>
          Set the S3 bucket in <strong>Settings → Publishing (S3)</strong>: workers return their images
          through it.
        </li>
        <li>Start a worker on each GPU workstation.</li>
      </ol>
      <WorkerCommand />
      <Button
        icon="settings"
        onClick={() => useNav.getState().go('settings')}
        data-testid="team-open-settings"
      >
        Open Settings
      </Button>
    </EmptyState>
  );
}

function Summary({ status }: { status: TeamStatus }) {
  const live = status.workers.filter((w) => !w.lost);
  const lost = status.workers.length - live.length;
  const gpus = live.reduce((n, w) => n + w.backends.length, 0);
  const rate = live.reduce((n, w) => n + w.jobsPerMinute, 0);
  return (
    <div className="team-summary">
      <div className="team-stat" data-testid="team-live" data-value={live.length}>
        <span className="team-stat-value tabular">{live.length}</span>
        <span className="team-stat-label">
          {live.length === 1 ? 'worker' : 'workers'} live · {plural(gpus, 'GPU')}
          {lost > 0 && <span className="team-stat-warn"> · {lost} lost</span>}
        </span>
      </div>
      <div className="team-stat" data-testid="team-rate">
        <span className="team-stat-value tabular">{rate.toFixed(1)}</span>
        <span className="team-stat-label">jobs/min across the team</span>
      </div>
      <div className="team-stat" data-testid="team-sent" data-value={status.sent}>
        <span className="team-stat-value tabular">{status.sent.toLocaleString()}</span>
        <span className="team-stat-label">
          of this station&rsquo;s {status.sent === 1 ? 'job' : 'jobs'} out with the team
        </span>
      </div>
    </div>
  );
}

function QueueTable({ queue }: { queue: TeamStatus['queue'] }) {
  return (
    <div className="panel team-table-wrap">
      <table className="table team-queue" data-testid="team-queue">
        <thead>
          <tr>
            <th scope="col">Family</th>
            <th scope="col" className="num">
              Waiting
            </th>
            <th scope="col" className="num">
              Ready
            </th>
            <th scope="col" className="num">
              Rendering
            </th>
          </tr>
        </thead>
        <tbody>
          {queue.map((q) => (
            <tr key={q.family} data-testid="team-queue-row" data-family={q.family}>
              <th scope="row" className="mono">
                {q.family}
              </th>
              <td className="tabular num" data-testid="team-queue-waiting">
                {q.queued}
              </td>
              <td className="tabular num" data-testid="team-queue-ready">
                {q.ready}
              </td>
              <td className="tabular num" data-testid="team-queue-active">
                {q.active}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function TeamView() {
  const status = useTeam((s) => s.status);
  const error = useTeam((s) => s.error);
  const loading = useTeam((s) => s.loading);

  const configured = status?.configured ?? null;

  useEffect(() => pollTeam(), []);
  // The worker command fills in what this station knows (database host, bucket): read the settings
  // again when the team is set up or taken away elsewhere (Settings, the API).
  // biome-ignore lint/correctness/useExhaustiveDependencies: the configured flag is the trigger on purpose
  useEffect(() => {
    void useSettings.getState().load();
  }, [configured]);

  return (
    <section
      className="view team"
      aria-labelledby="team-title"
      data-testid="team-view"
      data-configured={status?.configured ?? ''}
    >
      <ViewHeader
        title={<span id="team-title">Team</span>}
        subtitle="GPU workstations that render this studio’s images through the team queue"
      >
        <Button icon="refresh" busy={loading} onClick={() => void useTeam.getState().load()}>
          Refresh
        </Button>
      </ViewHeader>
      <div className="view-scroll team-body">
        {error && (
          <ErrorNote
            error={error}
            context="Reading the team"
            onRetry={() => void useTeam.getState().load()}
          />
        )}
        {status && !status.configured && <NotConfigured />}
        {status?.configured && (
          <>
            {status.error && (
              <ErrorNote
                testId="team-error"
                error={{
                  code: 'backend_unreachable',
                  title: 'The team database did not answer',
                  message: status.error,
                  hint: 'Check the PostgreSQL URL in Settings → Team sync and that the server is up. Jobs already sent wait and are picked up again when it answers.',
                  retryable: true,
                }}
              />
            )}
            <Summary status={status} />
            <section className="team-section" aria-labelledby="team-workers-title">
              <h2 id="team-workers-title" className="team-section-title">
                Workers <span className="faint tabular">{status.workers.length}</span>
              </h2>
              {status.workers.length === 0 ? (
                <p className="muted" data-testid="team-no-workers">
                  No worker has joined yet{status.error ? ' (or the database cannot say)' : ''}.
                </p>
              ) : (
                <WorkerTable workers={status.workers} />
              )}
            </section>
            <section className="team-section" aria-labelledby="team-queue-title">
              <h2 id="team-queue-title" className="team-section-title">
                Team queue
              </h2>
              {status.queue.length === 0 ? (
                <p className="muted">The queue is not readable right now.</p>
              ) : (
                <QueueTable queue={status.queue} />
              )}
            </section>
            <section className="team-section" aria-labelledby="team-add-title">
              <h2 id="team-add-title" className="team-section-title">
                Add a GPU workstation
              </h2>
              <WorkerCommand />
            </section>
          </>
        )}
      </div>
    </section>
  );
}
