// Checks that run before `generate` / `demo` create anything: a sheet that cannot be read or has no
// valid product, or an option that cannot work, ends the command with one clear error naming the line
// and field (or the flag), and no output folder, database or secrets file is left behind.
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { z } from 'zod';
import {
  HttpUrlSchema,
  PostgresUrlSchema,
  type PromptPreset,
  ShowcaseError,
  StartOptionsSchema,
} from '../../shared/index.ts';
import { parseSheet } from '../engine/sheets/index.ts';
import { defaultPresets } from '../engine/store/index.ts';

/** The row problems listed in the error itself; the rest are counted. */
const LISTED_PROBLEMS = 8;

/** Parses the sheet the way the import will; throws when not one product row is valid. */
export function checkSheet(path: string, content: string): void {
  const filename = basename(path);
  const parsed = parseSheet(content, { filename });
  if (parsed.products.length > 0) return;
  const problems = parsed.errors.map((e) => `${filename} line ${e.line}, ${e.field}: ${e.message}`);
  // One problem per line: the messages themselves may contain "; ".
  const listed = problems
    .slice(0, LISTED_PROBLEMS)
    .map((p) => `\n  ${p}`)
    .join('');
  const more = problems.length > LISTED_PROBLEMS ? `\n  … and ${problems.length - LISTED_PROBLEMS} more` : '';
  throw new ShowcaseError(
    'invalid_input',
    problems.length > 0
      ? `The sheet has no valid product rows:${listed}${more}`
      : `The sheet has no valid product rows: ${filename} has a header but no products`,
    {
      hint: 'Fix the rows named above (every product needs at least a name); nothing was written.',
      details: { errors: parsed.errors.slice(0, 100) },
    },
  );
}

/** The command-line options as flags, for error messages that name what the operator typed. */
const FLAGS: Record<string, string> = {
  comfy: '--comfy',
  ollama: '--ollama',
  pg: '--pg',
  model: '--model',
  family: '--family',
  preset: '--preset',
  seed: '--seed',
  variations: '--variations',
  products: '--products',
};

/** The flags of the CLI's own (the contract has no such field). */
const OptionsSchema = z.object({
  comfy: z.array(HttpUrlSchema).optional(),
  ollama: HttpUrlSchema.optional(),
  pg: PostgresUrlSchema.optional(),
  model: z.string().trim().min(1, 'must name a model, e.g. llama3.2').max(200).optional(),
  preset: z.string().trim().min(1, 'must name a preset').max(200).optional(),
  products: z.number().int().min(1, 'must be at least 1').optional(),
});

/** Flags that are the contract's start options (`showcase.start` / `showcase.submit`), by field. */
const START_OPTION_FLAGS: Record<string, string> = {
  family: '--family',
  presetId: '--preset',
  seed: '--seed',
  variations: '--variations',
};

export type CheckedOptions = z.input<typeof OptionsSchema> & {
  family?: string;
  seed?: number;
  variations?: number;
};

/**
 * Validates the flags before the store is created. The start options are parsed with the
 * contract's own schema, so its limits and messages are the API's (`--variations 12` is refused as
 * `showcase.start` refuses `variations: 12`), with exit code 2 like every refusal.
 */
export function checkOptions(options: CheckedOptions): void {
  const { family, seed, variations, ...own } = options;
  const local = OptionsSchema.safeParse(own);
  const start = StartOptionsSchema.safeParse({
    family,
    seed,
    variations,
    ...(local.success ? { presetId: local.data.preset } : {}),
  });
  if (local.success && start.success) return;
  const problems: string[] = [];
  const fields: string[] = [];
  for (const issue of local.success ? [] : local.error.issues) {
    const [key, index] = issue.path;
    const flag = FLAGS[String(key)] ?? `--${String(key)}`;
    const which =
      typeof index === 'number' && (options.comfy?.length ?? 0) > 1 ? ` (number ${index + 1})` : '';
    problems.push(`${flag}${which}: ${issue.message}`);
    fields.push(flag);
  }
  for (const issue of start.success ? [] : start.error.issues) {
    const flag = START_OPTION_FLAGS[String(issue.path[0])] ?? `--${String(issue.path[0])}`;
    problems.push(`${flag}: ${issue.message}`);
    fields.push(flag);
  }
  throw new ShowcaseError('invalid_input', problems.join('; '), {
    hint: 'See `showcase <command> --help`.',
    details: { fields, ...(start.success ? {} : { exitCode: 2 }) },
  });
}

/** The preset `idOrName` names (by id, name, or name-as-slug), as the engine resolves it. */
export function findPreset<P extends Pick<PromptPreset, 'id' | 'name'>>(
  presets: readonly P[],
  idOrName: string,
): P | undefined {
  const wanted = idOrName.trim().toLowerCase();
  return (
    presets.find((p) => p.id.toLowerCase() === wanted) ??
    presets.find((p) => p.name.toLowerCase() === wanted) ??
    presets.find((p) => p.name.toLowerCase().replace(/\s+/g, '-') === wanted)
  );
}

/** An unknown `--preset`, named before anything is imported or started. */
export function checkPreset(
  presets: ReadonlyArray<Pick<PromptPreset, 'id' | 'name'>>,
  idOrName: string,
): void {
  if (findPreset(presets, idOrName)) return;
  throw new ShowcaseError('invalid_input', `--preset: unknown preset "${idOrName}"`, {
    hint: `Known presets: ${presets.map((p) => `${p.name} (${p.id})`).join(', ')}`,
    details: { fields: ['--preset'] },
  });
}

/**
 * Everything `generate` can check before it opens the store. A preset can only be told unknown
 * without the store when the store does not exist yet (only the built-in presets); otherwise the
 * caller checks it against the store with `checkPreset` before importing.
 */
export function checkGenerate(input: {
  sheetPath: string;
  content: string;
  resume: boolean;
  dbPath: string;
  options: CheckedOptions;
}): void {
  checkOptions(input.options);
  const storeExists = existsSync(input.dbPath);
  if (input.resume) {
    if (!storeExists) {
      throw new ShowcaseError('invalid_input', `Nothing to resume: there is no journal at ${input.dbPath}`, {
        hint: 'Pass the --out (or --db) of the interrupted run.',
        details: { fields: ['--resume'] },
      });
    }
    return;
  }
  checkSheet(input.sheetPath, input.content);
  if (input.options.preset && !storeExists) checkPreset(defaultPresets, input.options.preset);
}
