// Typed parameter values: checking a value against its declared spec, and checking the spec itself.
import { type ParamValue, ShowcaseError, type TemplateParamSpec } from '../../../shared/index.ts';

const NUMERIC_TYPES: ReadonlySet<TemplateParamSpec['type']> = new Set(['int', 'float', 'seed']);

/** The bounds a value of this spec must respect; seeds are always held to JS-safe integers (ComfyUI allows 2^64-1). */
export function effectiveRange(spec: TemplateParamSpec): {
  min: number | undefined;
  max: number | undefined;
} {
  if (spec.type === 'seed') {
    return { min: Math.max(0, spec.min ?? 0), max: Math.min(Number.MAX_SAFE_INTEGER, spec.max ?? Infinity) };
  }
  return { min: spec.min, max: spec.max };
}

export function describeRange(min: number | undefined, max: number | undefined): string {
  if (min !== undefined && max !== undefined) return `[${min}, ${max}]`;
  if (min !== undefined) return `≥ ${min}`;
  if (max !== undefined) return `≤ ${max}`;
  return 'any value';
}

function typeLabel(spec: TemplateParamSpec): string {
  switch (spec.type) {
    case 'int':
      return 'an integer';
    case 'seed':
      return 'an integer seed';
    case 'float':
      return 'a number';
    case 'boolean':
      return 'true or false';
    case 'combo':
      return `one of ${JSON.stringify(spec.options ?? [])}`;
    case 'image':
      return 'an image file name';
    case 'string':
      return 'a string';
  }
}

function received(value: unknown): string {
  if (typeof value === 'string')
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (value === undefined) return 'nothing';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/**
 * Returns `value` as the param's typed value or throws `invalid_input` naming the param and what it
 * accepts. No coercion: "20" is not an int — callers that read text (CLI flags) convert first.
 */
export function checkParamValue(
  templateId: string,
  name: string,
  spec: TemplateParamSpec,
  value: unknown,
): ParamValue {
  const { min, max } = effectiveRange(spec);
  const fail = (why: string): never => {
    throw new ShowcaseError(
      'invalid_input',
      `param "${name}" of template ${templateId} ${why}, got ${received(value)}`,
      {
        hint: `Pass ${typeLabel(spec)}${NUMERIC_TYPES.has(spec.type) ? ` in ${describeRange(min, max)}` : ''} for "${name}".`,
        details: {
          field: name,
          templateId,
          type: spec.type,
          ...(min === undefined ? {} : { min }),
          ...(max === undefined ? {} : { max }),
          ...(spec.options === undefined ? {} : { options: spec.options }),
        },
      },
    );
  };

  switch (spec.type) {
    case 'int':
    case 'seed':
    case 'float': {
      const integral = spec.type !== 'float';
      const ok =
        typeof value === 'number' && Number.isFinite(value) && (!integral || Number.isInteger(value));
      if (!ok || (min !== undefined && value < min) || (max !== undefined && value > max)) {
        fail(`must be ${typeLabel(spec)} in ${describeRange(min, max)}`);
      }
      return value as number;
    }
    case 'boolean':
      if (typeof value !== 'boolean') fail('must be true or false');
      return value as boolean;
    case 'combo':
      if (typeof value !== 'string' || !(spec.options ?? []).includes(value)) {
        fail(`must be one of ${JSON.stringify(spec.options ?? [])}`);
      }
      return value as string;
    case 'image':
      if (typeof value !== 'string' || value.trim() === '') fail('must be a non-empty image file name');
      return value as string;
    case 'string':
      if (typeof value !== 'string') fail('must be a string');
      return value as string;
  }
}

/** Problems with a param declaration itself (reported as `template_error` by the loader), as `[field, message]`. */
export function specProblems(templateId: string, name: string, spec: TemplateParamSpec): [string, string][] {
  const problems: [string, string][] = [];
  const numeric = NUMERIC_TYPES.has(spec.type);
  if (!numeric && (spec.min !== undefined || spec.max !== undefined)) {
    problems.push(['min', `min/max only apply to int, float and seed params, not ${spec.type}`]);
  }
  if (spec.type === 'combo') {
    if (spec.options === undefined || spec.options.length === 0) {
      problems.push(['options', 'a combo param needs a non-empty "options" list']);
    }
  } else if (spec.options !== undefined) {
    problems.push(['options', `"options" only applies to combo params, not ${spec.type}`]);
  }
  if (spec.min !== undefined && spec.max !== undefined && spec.min > spec.max) {
    problems.push(['min', `min ${spec.min} is greater than max ${spec.max}`]);
  }
  if (spec.type === 'int' || spec.type === 'seed') {
    for (const key of ['min', 'max'] as const) {
      const bound = spec[key];
      if (bound !== undefined && !Number.isInteger(bound))
        problems.push([key, `must be an integer, got ${bound}`]);
    }
  }
  if (spec.type === 'seed') {
    if (spec.min !== undefined && spec.min < 0) problems.push(['min', 'a seed cannot be negative']);
    if (spec.max !== undefined && spec.max > Number.MAX_SAFE_INTEGER) {
      problems.push(['max', `seeds must stay ≤ Number.MAX_SAFE_INTEGER (${Number.MAX_SAFE_INTEGER})`]);
    }
  }
  if (spec.default !== undefined && problems.length === 0) {
    try {
      checkParamValue(templateId, name, spec, spec.default);
    } catch (err) {
      problems.push(['default', err instanceof Error ? err.message : String(err)]);
    }
  }
  return problems;
}

/**
 * Converts text (a CLI flag, a form field) into the param's type without judging it: numbers for
 * int/float/seed when the text is a plain decimal number, booleans for "true"/"false", the text
 * otherwise. `checkParamValue` (via `instantiate`) then accepts or rejects it with a proper message.
 */
export function paramValueFromText(spec: TemplateParamSpec, text: string): ParamValue {
  const trimmed = text.trim();
  if (NUMERIC_TYPES.has(spec.type) && /^-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/.test(trimmed)) {
    return Number(trimmed);
  }
  if (spec.type === 'boolean' && (trimmed === 'true' || trimmed === 'false')) return trimmed === 'true';
  return text;
}
