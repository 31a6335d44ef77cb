// The Start dialog's "the team's GPUs" choice: offered only with a team database and a bucket, and
// says why not otherwise (issue #17).
import { describe, expect, it } from 'vitest';
import { teamChoice } from '../../../src/renderer/state/team.ts';
import type { TeamStatus, TeamWorkerView } from '../../../src/shared/index.ts';

const worker = (name: string, lost: boolean): TeamWorkerView => ({
  id: name,
  name,
  backends: [
    {
      url: `http://${name}:8188`,
      gpu: 'NVIDIA GeForce RTX 4090',
      vramBytes: 25_757_220_864,
      families: ['qwen-image'],
      loadedModel: null,
      msPerImage: {},
    },
  ],
  jobsDone: 0,
  jobsPerMinute: 0,
  inFlight: [],
  startedAt: '2026-12-07T00:00:00.000Z',
  heartbeatAt: '2026-12-07T00:00:00.000Z',
  secondsSinceHeartbeat: lost ? 60 : 2,
  lost,
});

const status = (patch: Partial<TeamStatus>): TeamStatus => ({
  configured: true,
  error: null,
  workers: [],
  queue: [],
  sent: 0,
  ...patch,
});

describe('the team choice of a run', () => {
  it('is disabled with the setting to fill in when no team database or bucket is set', () => {
    expect(teamChoice(null, null)).toMatchObject({ available: false });
    const none = teamChoice(status({ configured: false }), true);
    expect(none.available).toBe(false);
    expect(none.reason).toContain('PostgreSQL URL in Settings → Team sync');
    const noBucket = teamChoice(status({}), false);
    expect(noBucket.available).toBe(false);
    expect(noBucket.reason).toContain('S3 bucket');
  });

  it('is offered when configured, saying how many workers are live or that the jobs will wait', () => {
    expect(teamChoice(status({}), true)).toMatchObject({
      available: true,
      reason: null,
      note: expect.stringContaining('wait in the team queue'),
    });
    const two = teamChoice(status({ workers: [worker('a', false), worker('b', true)] }), null);
    expect(two).toMatchObject({ available: true, note: '1 worker with 1 GPU live now.' });
    expect(teamChoice(status({ error: 'connection refused' }), true).note).toContain('connection refused');
  });
});
