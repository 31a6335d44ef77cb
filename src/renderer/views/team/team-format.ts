// What the Team view says about workers, GPUs and the command that adds one, in the operator's words.
import { SECRET_MASK, type Settings, type TeamWorkerView } from '../../../shared/index.ts';

/** VRAM as GPU makers print it: a 24 GB card reports 23.99 GiB, which is "24 GB" on its box. */
export function vramGb(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes <= 0) return '— GB';
  const gib = bytes / 1024 ** 3;
  return `${gib >= 10 ? Math.round(gib) : Math.round(gib * 10) / 10} GB`;
}

/** "3 s ago", from the team database's clock (the worker's and this station's may drift). */
export function heartbeatAgo(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min ago`;
}

/** The GPU a worker renders a job on, by the ComfyUI URL the job names. */
export function gpuName(worker: Pick<TeamWorkerView, 'backends'>, url: string): string {
  const index = worker.backends.findIndex((b) => b.url === url);
  const gpu = worker.backends[index]?.gpu;
  if (!gpu) return url;
  // Two identical cards in one box: say which one.
  const twins = worker.backends.filter((b) => b.gpu === gpu).length;
  return twins > 1 ? `${gpu} #${index + 1}` : gpu;
}

/** "RTX 4090" rather than "NVIDIA GeForce RTX 4090": the rest says nothing in a narrow column. */
export function shortGpu(name: string): string {
  return name.replace(/^NVIDIA\s+/i, '').replace(/^GeForce\s+/i, '') || name;
}

/**
 * The one command that adds a GPU workstation to the team, with what this station already knows
 * filled in (the database URL without its password, the bucket). Secrets stay placeholders.
 */
export function workerCommand(settings: Pick<Settings, 'postgresUrl' | 's3'> | null): string {
  const pg = settings?.postgresUrl
    ? settings.postgresUrl.replace(SECRET_MASK, 'PASSWORD')
    : 'postgres://USER:PASSWORD@HOST:5432/DB';
  const s3 = settings?.s3
    ? `${settings.s3.endpoint.replace(/\/+$/, '')}/${settings.s3.bucket}`
    : 'http://host:port/bucket';
  const key = settings?.s3?.accessKey ?? 'ACCESS_KEY';
  return [
    `SHOWCASE_S3_ACCESS_KEY=${quote(key)} SHOWCASE_S3_SECRET_KEY=SECRET_KEY`,
    `bin/showcase worker --pg ${quote(pg)} --s3 ${quote(s3)}`,
    '--comfy http://127.0.0.1:8188 --name "$(hostname)"',
  ].join(' ');
}

/** Single quotes for the shell when the value holds anything it would read itself. */
function quote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
