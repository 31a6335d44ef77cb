// Python-flavoured JSON and value semantics. ComfyUI answers with `json.dumps` (", " and ": "
// separators, ASCII-only escapes, floats always carrying a fraction) and coerces graph inputs with
// Python's int()/float()/str()/bool(); clients that compare error strings need the same spelling.

/** A number that Python holds as a float: serialised as `5.0`, not `5`. */
export class PyFloat {
  readonly value: number;
  constructor(value: number) {
    this.value = value;
  }
}

/** The KSampler seed maximum 2^64−1 rounds to 2^64 as a double; emit the exact Python integer. */
const UINT64_MAX_AS_DOUBLE = 2 ** 64;
const UINT64_MAX_TEXT = '18446744073709551615';

export class PyError extends Error {
  /** Python exception class name, e.g. `KeyError`, `ValueError`, `TypeError`. */
  readonly pyType: string;
  constructor(pyType: string, message: string) {
    super(message);
    this.name = pyType;
    this.pyType = pyType;
  }
}

export function pyFloatRepr(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Number.POSITIVE_INFINITY) return 'Infinity';
  if (n === Number.NEGATIVE_INFINITY) return '-Infinity';
  if (Number.isInteger(n) && Math.abs(n) < 1e16) return `${n}.0`;
  const s = String(n);
  // Python writes 1e-05 / 1e+16 where JS writes 1e-5 / 1e+16.
  return s.replace(/e([+-])(\d)$/, 'e$10$2');
}

export function pyIntRepr(n: number): string {
  if (n === UINT64_MAX_AS_DOUBLE) return UINT64_MAX_TEXT;
  if (Math.abs(n) >= Number.MAX_SAFE_INTEGER) return BigInt(n).toString();
  return String(n);
}

/** `str()` of a number the way Python prints an int (integral values) or a float (the rest). */
export function pyNumberRepr(n: number, isFloat: boolean): string {
  return isFloat ? pyFloatRepr(n) : pyIntRepr(n);
}

function escapeString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += '\\\\';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x09) out += '\\t';
    else if (c === 0x08) out += '\\b';
    else if (c === 0x0c) out += '\\f';
    else if (c < 0x20 || c > 0x7e) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += s[i];
  }
  return `${out}"`;
}

/**
 * `json.dumps(value)` with Python's default separators and `ensure_ascii=True`; with `indent`, the
 * `json.dumps(value, indent=N)` layout. Maps keep their insertion order.
 */
export function pyJsonDumps(value: unknown, indent?: number): string {
  return dump(value, indent, 0);
}

function dump(value: unknown, indent: number | undefined, depth: number): string {
  if (value === null || value === undefined) return 'null';
  if (value instanceof PyFloat) return pyFloatRepr(value.value);
  switch (typeof value) {
    case 'string':
      return escapeString(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return value.toString();
    case 'number':
      if (!Number.isFinite(value)) return pyFloatRepr(value);
      return Number.isInteger(value) ? pyIntRepr(value) : pyFloatRepr(value);
    case 'object':
      break;
    default:
      return 'null';
  }
  const pad = indent === undefined ? '' : `\n${' '.repeat(indent * (depth + 1))}`;
  const close = indent === undefined ? '' : `\n${' '.repeat(indent * depth)}`;
  const sep = indent === undefined ? ', ' : ',';
  if (Buffer.isBuffer(value)) return escapeString(value.toString('utf8'));
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[${pad}${value.map((v) => dump(v, indent, depth + 1)).join(sep + pad)}${close}]`;
  }
  const entries: [string, unknown][] =
    value instanceof Map
      ? [...value.entries()].map(([k, v]) => [String(k), v])
      : Object.entries(value as Record<string, unknown>);
  const parts: string[] = [];
  for (const [k, v] of entries) {
    if (v === undefined) continue;
    parts.push(`${escapeString(k)}: ${dump(v, indent, depth + 1)}`);
  }
  if (parts.length === 0) return '{}';
  return `{${pad}${parts.join(sep + pad)}${close}}`;
}

/** Python `repr()` of a JSON-ish value, used inside error `details` strings like `not in ['a', 'b']`. */
export function pyRepr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return Number.isInteger(value) ? pyIntRepr(value) : pyFloatRepr(value);
  if (value instanceof PyFloat) return pyFloatRepr(value.value);
  if (typeof value === 'string') {
    const quote = value.includes("'") && !value.includes('"') ? '"' : "'";
    let out = quote;
    for (const ch of value) {
      if (ch === '\\') out += '\\\\';
      else if (ch === quote) out += `\\${quote}`;
      else if (ch === '\n') out += '\\n';
      else if (ch === '\r') out += '\\r';
      else if (ch === '\t') out += '\\t';
      else out += ch;
    }
    return out + quote;
  }
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`;
  if (typeof value === 'object') {
    const parts = Object.entries(value as Record<string, unknown>).map(
      ([k, v]) => `${pyRepr(k)}: ${pyRepr(v)}`,
    );
    return `{${parts.join(', ')}}`;
  }
  return String(value);
}

/** Python `str()`: strings verbatim, everything else as repr. */
export function pyStr(value: unknown): string {
  return typeof value === 'string' ? value : pyRepr(value);
}

function pyTypeName(value: unknown): string {
  if (value === null || value === undefined) return 'NoneType';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  if (typeof value === 'string') return 'str';
  if (Array.isArray(value)) return 'list';
  return 'dict';
}

const PY_INT_LITERAL = /^\s*[+-]?\d+(?:_\d+)*\s*$/;
const PY_FLOAT_LITERAL =
  /^\s*[+-]?(?:(?:\d+(?:_\d+)*)?\.?\d+(?:_\d+)*(?:[eE][+-]?\d+)?|\d+\.|inf(?:inity)?|nan)\s*$/i;

/** Python `int(v)`: truncates floats, parses integer strings, rejects the rest like CPython does. */
export function pyInt(value: unknown): number {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') {
    if (Number.isNaN(value)) throw new PyError('ValueError', 'cannot convert float NaN to integer');
    if (!Number.isFinite(value))
      throw new PyError('OverflowError', 'cannot convert float infinity to integer');
    return Math.trunc(value);
  }
  if (typeof value === 'string') {
    if (!PY_INT_LITERAL.test(value)) {
      throw new PyError('ValueError', `invalid literal for int() with base 10: ${pyRepr(value)}`);
    }
    return Number(value.trim().replaceAll('_', ''));
  }
  throw new PyError(
    'TypeError',
    `int() argument must be a string, a bytes-like object or a real number, not '${pyTypeName(value)}'`,
  );
}

/** Python `float(v)`. */
export function pyFloat(value: unknown): number {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    if (!PY_FLOAT_LITERAL.test(value)) {
      throw new PyError('ValueError', `could not convert string to float: ${pyRepr(value)}`);
    }
    const t = value.trim().toLowerCase().replaceAll('_', '');
    if (t.endsWith('nan')) return Number.NaN;
    if (t.includes('inf')) return t.startsWith('-') ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
    return Number(t);
  }
  throw new PyError(
    'TypeError',
    `float() argument must be a string or a real number, not '${pyTypeName(value)}'`,
  );
}

/** Python truthiness (`bool("false")` is True). */
export function pyBool(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}

/** Python's `x in container` for the JSON shapes a request body can have. */
export function pyContains(container: unknown, key: string): boolean {
  if (typeof container === 'string') return container.includes(key);
  if (Array.isArray(container)) return container.includes(key);
  if (container !== null && typeof container === 'object') return Object.hasOwn(container, key);
  throw new PyError('TypeError', `argument of type '${pyTypeName(container)}' is not iterable`);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !Buffer.isBuffer(value);
}
