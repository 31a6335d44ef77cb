// `showcase sim comfyui|ollama`: run a simulator in the foreground until Ctrl-C.
import { SimGpu } from '../../../sim/gpu.ts';
import { startComfySim, startOllamaSim } from '../../../sim/index.ts';

function waitForSignal(close: () => Promise<void>): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      void close().finally(resolve);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

export async function simComfyCommand(opts: {
  port: number;
  timeScale: number;
  version: string;
  output?: string;
  previews?: 'auto' | 'none';
}) {
  const version = opts.version === '0.3.64' ? '0.3.64' : '2026';
  const sim = await startComfySim({
    port: opts.port,
    gpu: new SimGpu({ timeScale: opts.timeScale }),
    version,
    previewMethod: opts.previews ?? 'auto',
    ...(opts.output ? { outputDir: opts.output } : {}),
  });
  console.log(
    `ComfyUI simulator (${version}) listening on ${sim.url} — time scale ${opts.timeScale}. Ctrl-C stops it.`,
  );
  await waitForSignal(() => sim.close());
}

export async function simOllamaCommand(opts: { port: number; timeScale: number }) {
  const sim = await startOllamaSim({ port: opts.port, gpu: new SimGpu({ timeScale: opts.timeScale }) });
  console.log(`Ollama simulator listening on ${sim.url} — time scale ${opts.timeScale}. Ctrl-C stops it.`);
  await waitForSignal(() => sim.close());
}
