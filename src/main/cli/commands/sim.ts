// `showcase sim comfyui|ollama`: run a simulator in the foreground until Ctrl-C, with the faults
// given as `--fault` specs armed from the start.
import { applyFault, FaultSpecError, type ParsedFault } from '../../../sim/fault-specs.ts';
import { SimGpu } from '../../../sim/gpu.ts';
import { type PreviewMethod, startComfySim, startOllamaSim } from '../../../sim/index.ts';

function waitForSignal(close: () => Promise<void>): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      void close().finally(resolve);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

/** Arms every fault; a fault that cannot apply (an unknown model, say) stops the simulator with exit 2. */
async function armFaults<Sim extends { close(): Promise<void> }>(
  sim: Sim,
  faults: ParsedFault<Sim>[],
): Promise<string[] | null> {
  const armed: string[] = [];
  for (const fault of faults) {
    try {
      armed.push(`${fault.spec}: ${applyFault(sim, fault)}`);
    } catch (err) {
      await sim.close();
      console.error(`error: --fault ${err instanceof FaultSpecError ? err.message : String(err)}`);
      process.exitCode = 2;
      return null;
    }
  }
  return armed;
}

function printFaults(armed: string[]): void {
  if (armed.length === 0) return;
  console.log(`Faults armed:\n${armed.map((line) => `  ${line}`).join('\n')}`);
}

export async function simComfyCommand(opts: {
  port: number;
  timeScale: number;
  version: '0.3.64' | '2026';
  previewMethod: PreviewMethod;
  output?: string;
  fault: ParsedFault<Awaited<ReturnType<typeof startComfySim>>>[];
}) {
  const sim = await startComfySim({
    port: opts.port,
    gpu: new SimGpu({ timeScale: opts.timeScale }),
    version: opts.version,
    previewMethod: opts.previewMethod,
    ...(opts.output ? { outputDir: opts.output } : {}),
  });
  const armed = await armFaults(sim, opts.fault);
  if (!armed) return;
  const previews =
    opts.previewMethod !== 'none'
      ? `previews ${opts.previewMethod}`
      : opts.version === '2026'
        ? 'previews only when a prompt asks (extra_data.preview_method)'
        : 'no previews (start with --preview-method auto)';
  // Faults first: the "listening on" line comes last, so a script that waits for it has seen them.
  printFaults(armed);
  console.log(
    `ComfyUI simulator (${opts.version}) listening on ${sim.url} — time scale ${opts.timeScale}, ${previews}. Ctrl-C stops it.`,
  );
  await waitForSignal(() => sim.close());
}

export async function simOllamaCommand(opts: {
  port: number;
  timeScale: number;
  fault: ParsedFault<Awaited<ReturnType<typeof startOllamaSim>>>[];
}) {
  const sim = await startOllamaSim({ port: opts.port, gpu: new SimGpu({ timeScale: opts.timeScale }) });
  const armed = await armFaults(sim, opts.fault);
  if (!armed) return;
  printFaults(armed);
  console.log(`Ollama simulator listening on ${sim.url} — time scale ${opts.timeScale}. Ctrl-C stops it.`);
  await waitForSignal(() => sim.close());
}
