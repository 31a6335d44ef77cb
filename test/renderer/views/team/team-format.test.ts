import { describe, expect, it } from 'vitest';
import {
  gpuName,
  heartbeatAgo,
  shortGpu,
  vramGb,
  workerCommand,
} from '../../../../src/renderer/views/team/team-format.ts';
import { SECRET_MASK } from '../../../../src/shared/index.ts';

describe('the Team view’s words', () => {
  it('prints VRAM as the card’s box does and heartbeats by the database clock', () => {
    expect(vramGb(25_757_220_864)).toBe('24 GB');
    expect(vramGb(8 * 1024 ** 3)).toBe('8 GB');
    expect(vramGb(0)).toBe('— GB');
    expect(heartbeatAgo(3.4)).toBe('3 s ago');
    expect(heartbeatAgo(61)).toBe('1 min ago');
    expect(heartbeatAgo(3_725)).toBe('1 h 2 min ago');
  });

  it('names the GPU a job renders on, telling twin cards apart', () => {
    const backends = [
      { url: 'http://a:8188', gpu: 'NVIDIA GeForce RTX 4090' },
      { url: 'http://a:8189', gpu: 'NVIDIA GeForce RTX 4090' },
      { url: 'http://a:8190', gpu: 'NVIDIA RTX A6000' },
    ].map((b) => ({ ...b, vramBytes: 1, families: [], loadedModel: null, msPerImage: {} }));
    expect(shortGpu(gpuName({ backends }, 'http://a:8189'))).toBe('RTX 4090 #2');
    expect(shortGpu(gpuName({ backends }, 'http://a:8190'))).toBe('RTX A6000');
    expect(gpuName({ backends }, 'http://elsewhere:8188')).toBe('http://elsewhere:8188');
  });

  it('fills the worker command with what this station knows and never a secret', () => {
    expect(workerCommand(null)).toBe(
      'SHOWCASE_S3_ACCESS_KEY=ACCESS_KEY SHOWCASE_S3_SECRET_KEY=SECRET_KEY bin/showcase worker ' +
        '--pg postgres://USER:PASSWORD@HOST:5432/DB --s3 http://host:port/bucket --comfy http://127.0.0.1:8188 --name "$(hostname)"',
    );
    const command = workerCommand({
      postgresUrl: `postgres://studio:${SECRET_MASK}@db.lan:5432/showcase`,
      s3: {
        endpoint: 'http://minio.lan:9000/',
        bucket: 'team-images',
        accessKey: 'studio',
        secretKey: SECRET_MASK,
        region: 'us-east-1',
        publicBaseUrl: null,
        presignSeconds: 3600,
      },
    });
    expect(command).toContain('--pg postgres://studio:PASSWORD@db.lan:5432/showcase');
    expect(command).toContain('--s3 http://minio.lan:9000/team-images');
    expect(command).toContain('SHOWCASE_S3_ACCESS_KEY=studio ');
    expect(command).not.toContain(SECRET_MASK);
  });
});
