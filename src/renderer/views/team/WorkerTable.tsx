// The team's workers: each one's GPUs (VRAM, families, the model loaded now), its pace, its last
// heartbeat and the jobs it holds. A worker that missed three heartbeats is greyed out and marked
// Lost: its jobs go back to the queue when their lease ends.
import type { TeamWorkerView } from '../../../shared/index.ts';
import { Icon } from '../../ui/Icon.tsx';
import { gpuName, heartbeatAgo, shortGpu, vramGb } from './team-format.ts';

function Gpus({ worker }: { worker: TeamWorkerView }) {
  if (worker.backends.length === 0) return <span className="faint">no GPU reported</span>;
  return (
    <ul className="team-gpus">
      {worker.backends.map((b, i) => (
        <li key={b.url} className="team-gpu" data-testid="team-gpu" data-url={b.url} title={b.url}>
          <div className="team-gpu-line">
            <Icon name="gpu" size={14} />
            <span className="team-gpu-name" data-testid="team-gpu-name">
              {shortGpu(gpuName(worker, b.url)) || `GPU ${i + 1}`}
            </span>
            <span className="team-gpu-vram tabular" data-testid="team-gpu-vram">
              {vramGb(b.vramBytes)}
            </span>
            {b.families.map((f) => (
              <span key={f} className="team-family" data-testid="team-gpu-family">
                {f}
              </span>
            ))}
            {b.writesCopy ? (
              <span
                className="team-family"
                data-testid="team-gpu-copy"
                title="Its Ollama writes copy (worker --ollama)"
              >
                copy
              </span>
            ) : null}
          </div>
          <div className="team-gpu-model" data-testid="team-gpu-model">
            {b.loadedModel ? (
              <>
                <span className="faint">loaded </span>
                <span className="mono">{b.loadedModel}</span>
              </>
            ) : (
              <span className="faint">no model loaded</span>
            )}
          </div>
        </li>
      ))}
    </ul>
  );
}

function InFlight({ worker }: { worker: TeamWorkerView }) {
  if (worker.inFlight.length === 0)
    return <span className="faint">{worker.lost ? 'back to the queue' : 'idle'}</span>;
  return (
    <ul className="team-jobs">
      {worker.inFlight.map((j) => (
        <li key={j.jobId} className="team-job" data-testid="team-job" data-job-id={j.jobId}>
          <span className="team-job-what">
            <span className="mono">{j.productId}</span> · <span className="cap">{j.kind}</span>
          </span>
          <span className="team-job-step tabular" data-testid="team-job-step">
            {j.max > 0 ? `step ${j.value}/${j.max}` : 'starting'}
          </span>
          <span className="team-job-gpu faint" title={j.backend}>
            on {shortGpu(gpuName(worker, j.backend))}
          </span>
        </li>
      ))}
    </ul>
  );
}

function WorkerRow({ worker }: { worker: TeamWorkerView }) {
  return (
    <tr
      className={`team-worker${worker.lost ? ' is-lost' : ''}`}
      data-testid="team-worker"
      data-worker-id={worker.id}
      data-worker-name={worker.name}
      data-lost={worker.lost}
    >
      <th scope="row" className="team-worker-name">
        <span className="team-worker-title">{worker.name}</span>
        {worker.lost && (
          <span
            className="team-lost"
            data-testid="team-lost"
            title="Missed three heartbeats: its jobs go back to the team queue when their lease ends"
          >
            Lost
          </span>
        )}
      </th>
      <td>
        <Gpus worker={worker} />
      </td>
      <td className="tabular num" data-testid="team-worker-rate">
        {worker.jobsPerMinute.toFixed(1)}
      </td>
      <td className="tabular num" data-testid="team-worker-done">
        {worker.jobsDone.toLocaleString()}
      </td>
      <td className="tabular" data-testid="team-worker-heartbeat" title={worker.heartbeatAt}>
        {heartbeatAgo(worker.secondsSinceHeartbeat)}
      </td>
      <td>
        <InFlight worker={worker} />
      </td>
    </tr>
  );
}

export function WorkerTable({ workers }: { workers: readonly TeamWorkerView[] }) {
  return (
    <div className="panel team-table-wrap">
      <table className="table team-table" data-testid="team-workers">
        <thead>
          <tr>
            <th scope="col">Worker</th>
            <th scope="col">GPUs</th>
            <th scope="col" className="num">
              Jobs/min
            </th>
            <th scope="col" className="num">
              Done
            </th>
            <th scope="col">Heartbeat</th>
            <th scope="col">Rendering now</th>
          </tr>
        </thead>
        <tbody>
          {workers.map((w) => (
            <WorkerRow key={w.id} worker={w} />
          ))}
        </tbody>
      </table>
    </div>
  );
}
