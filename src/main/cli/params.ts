// `--param name=value` (repeatable): render parameters from the command line. Values that read as
// numbers or booleans become those; everything else stays a string. The template's declared ranges
// are checked where the value is used (the contract), so an out-of-range value is refused by name.
import { InvalidArgumentError } from 'commander';
import type { ParamValue } from '../../shared/index.ts';

export function parseParam(
  text: string,
  previous: Record<string, ParamValue> = {},
): Record<string, ParamValue> {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new InvalidArgumentError(`expected name=value (e.g. cfg=3.5), got "${text}"`);
  const name = text.slice(0, eq).trim();
  const raw = text.slice(eq + 1).trim();
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
    throw new InvalidArgumentError(`"${name}" is not a parameter name (letters, digits, _)`);
  let value: ParamValue = raw;
  if (raw === 'true' || raw === 'false') value = raw === 'true';
  else if (raw !== '' && Number.isFinite(Number(raw))) value = Number(raw);
  return { ...previous, [name]: value };
}
