// `showcase sim comfyui|ollama`: the simulators as standalone servers, with their protocol flavour,
// preview method and faults chosen on the command line (`--fault`, repeatable).
import { type Command, InvalidArgumentError, Option } from 'commander';
import {
  comfyFaultKinds,
  FaultSpecError,
  faultHelp,
  ollamaFaultKinds,
  type ParsedFault,
  parseComfyFault,
  parseOllamaFault,
} from '../../sim/fault-specs.ts';
import type { ComfySim, OllamaSim } from '../../sim/index.ts';

const port = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65_535) {
    throw new InvalidArgumentError('expected a port number from 0 to 65535 (0 = any free port)');
  }
  return n;
};

const timeScale = (value: string): number => {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 100)
    throw new InvalidArgumentError('expected a number from 0 to 100');
  return n;
};

function faultOption<Sim>(parse: (spec: string) => ParsedFault<Sim>) {
  return (value: string, previous: ParsedFault<Sim>[] = []): ParsedFault<Sim>[] => {
    try {
      return [...previous, parse(value)];
    } catch (err) {
      if (err instanceof FaultSpecError) throw new InvalidArgumentError(err.message);
      throw err;
    }
  };
}

export function registerSimCommands(program: Command): void {
  const sim = program.command('sim').description('run a simulator standalone (demo backend / test peer)');
  sim
    .command('comfyui')
    .description('protocol-faithful ComfyUI simulator')
    .option('--port <port>', 'port (0 = any free port; the URL is printed)', port, 8188)
    .option('--time-scale <x>', '1 = real GPU timings', timeScale, 0.01)
    .addOption(
      new Option('--version <v>', 'protocol flavour (0.3.64 ignores extra_data.preview_method)')
        .choices(['0.3.64', '2026'])
        .default('2026'),
    )
    .addOption(
      new Option(
        '--preview-method <method>',
        "the server's --preview-method (like ComfyUI, none unless a prompt asks on a 2026 server)",
      )
        .choices(['none', 'auto', 'latent2rgb', 'taesd'])
        .default('none'),
    )
    .option('--output <dir>', 'output folder')
    .option('--fault <spec>', 'inject a fault (repeatable; kinds below)', faultOption(parseComfyFault), [])
    .addHelpText(
      'after',
      `\nFaults (--fault SPEC, repeatable; each fires once unless a count says otherwise):\n${faultHelp(comfyFaultKinds)}\n\nExamples:\n  showcase sim comfyui --port 18188 --fault oom:2 --fault http-error:/history:500:3\n  showcase sim comfyui --version 0.3.64 --fault hang`,
    )
    .action(async (opts) => (await import('./commands/sim.ts')).simComfyCommand(opts));
  sim
    .command('ollama')
    .description('protocol-faithful Ollama simulator')
    .option('--port <port>', 'port (0 = any free port; the URL is printed)', port, 11434)
    .option('--time-scale <x>', '1 = real timings', timeScale, 0.01)
    .option('--fault <spec>', 'inject a fault (repeatable; kinds below)', faultOption(parseOllamaFault), [])
    .addHelpText(
      'after',
      `\nFaults (--fault SPEC, repeatable; N = how many requests, default 1, or "always"):\n${faultHelp(ollamaFaultKinds)}\n\nExample:\n  showcase sim ollama --port 11435 --fault invalid-json:always --fault hang`,
    )
    .action(async (opts) => (await import('./commands/sim.ts')).simOllamaCommand(opts));
}

export type ComfyFaultList = ParsedFault<ComfySim>[];
export type OllamaFaultList = ParsedFault<OllamaSim>[];
