// Cell-level conversions shared by the CSV, JSON and Shopify readers: lists, prices, HTML bodies.

/**
 * Splits a list cell ("cotton; linen", "red|blue", "red, blue"). When the cell contains `;` or `|`
 * only those separate items, so "leather, full-grain; brass" keeps its comma; otherwise `,` does.
 * Items are trimmed; empty items and exact duplicates are dropped.
 */
export function splitList(cell: string): string[] {
  const parts = /[;|]/.test(cell) ? cell.split(/[;|]/) : cell.split(',');
  const seen = new Set<string>();
  const out: string[] = [];
  for (const part of parts) {
    const item = part.trim();
    if (item === '' || seen.has(item)) continue;
    seen.add(item);
    out.push(item);
  }
  return out;
}

const CURRENCY_SYMBOLS: Readonly<Record<string, string>> = {
  '€': 'EUR',
  $: 'USD',
  US$: 'USD',
  R$: 'BRL',
  C$: 'CAD',
  CA$: 'CAD',
  A$: 'AUD',
  AU$: 'AUD',
  NZ$: 'NZD',
  HK$: 'HKD',
  MX$: 'MXN',
  S$: 'SGD',
  '£': 'GBP',
  '¥': 'JPY',
  '₹': 'INR',
  '₩': 'KRW',
  '₺': 'TRY',
  '₽': 'RUB',
  '₪': 'ILS',
  zł: 'PLN',
  Kč: 'CZK',
};
const AMBIGUOUS_SYMBOLS: ReadonlySet<string> = new Set(['$', '¥']);
/** Longest first, so "R$" is not read as "$" after an "R". */
const SYMBOL_PATTERN = Object.keys(CURRENCY_SYMBOLS)
  .sort((a, b) => b.length - a.length)
  .map((k) => k.replace(/[$]/g, '\\$'))
  .join('|');
const LEADING_SYMBOL = new RegExp(`^(${SYMBOL_PATTERN})\\s*(.+)$`, 'i');
const TRAILING_SYMBOL = new RegExp(`^(.+?)\\s*(${SYMBOL_PATTERN})$`, 'i');

/**
 * Currencies whose shops write the decimal comma ("89,90", "1.234,56"): a lone "1.234" in such a sheet
 * is one thousand two hundred thirty-four, not one point two. EUR is among them (most of the euro area).
 */
const DECIMAL_COMMA_CURRENCIES: ReadonlySet<string> = new Set([
  'EUR',
  'BRL',
  'ARS',
  'CLP',
  'COP',
  'UYU',
  'PYG',
  'BOB',
  'VES',
  'TRY',
  'RUB',
  'PLN',
  'CZK',
  'HUF',
  'RON',
  'BGN',
  'DKK',
  'NOK',
  'SEK',
  'ISK',
  'IDR',
  'VND',
  'UAH',
  'RSD',
]);

export interface PriceContext {
  /** The row's or the sheet's currency (a currency column, the import setting). */
  currency?: string;
}

/** Symbol lookup that ignores case for letter symbols ("r$", "ZŁ"). */
function symbolCurrency(symbol: string): string | undefined {
  return (
    CURRENCY_SYMBOLS[symbol] ??
    Object.entries(CURRENCY_SYMBOLS).find(([k]) => k.toLowerCase() === symbol.toLowerCase())?.[1]
  );
}

const KNOWN_CURRENCIES: ReadonlySet<string> = new Set(Intl.supportedValuesOf('currency'));

export type PriceParse =
  | { ok: true; amount: number; currency: string | undefined; fromSymbol: boolean }
  | { ok: false; message: string };

const PRICE_HELP = 'write it like 49.90, €49.90, R$ 89,90 or 49.90 EUR';

/**
 * Reads a price cell: "49.90", "49,90", "€49.90", "49.90 EUR", "EUR 49.90", "$1,299.00", "1.299,00 €",
 * "R$ 89,90", "1 299,50". The currency is `undefined` when the cell names none; `fromSymbol` marks a
 * currency guessed from an ambiguous symbol ("$" could be any dollar), which a currency column
 * overrides. A lone separator before three digits ("1.234") is read in the convention of the cell's
 * currency, else of `context.currency` (the row's or the sheet's): thousands in BRL or EUR, decimals in USD.
 */
export function parsePrice(cell: string, context: PriceContext = {}): PriceParse {
  let text = cell.trim().replace(/[\u00a0\u202f]/g, ' ');
  let currency: string | undefined;
  let fromSymbol = false;

  const code = /^([A-Za-z]{3})\s*(.+)$/.exec(text) ?? /^(.+?)\s*([A-Za-z]{3})$/.exec(text);
  if (code) {
    const [, a = '', b = ''] = code;
    const isLeading = /^[A-Za-z]{3}$/.test(a);
    const letters = (isLeading ? a : b).toUpperCase();
    // Only real ISO 4217 codes: "12abc" is a typo, not twelve units of "ABC".
    if (KNOWN_CURRENCIES.has(letters)) {
      currency = letters;
      text = (isLeading ? b : a).trim();
    }
  }
  if (currency === undefined) {
    const leading = LEADING_SYMBOL.exec(text);
    const trailing = leading ? null : TRAILING_SYMBOL.exec(text);
    const symbol = leading?.[1] ?? trailing?.[2];
    if (symbol !== undefined) {
      currency = symbolCurrency(symbol);
      text = ((leading ? leading[2] : trailing?.[1]) ?? '').trim();
      // "$" is a dozen currencies and "¥" two: a currency column may say which. "R$" or "€" may not.
      fromSymbol = AMBIGUOUS_SYMBOLS.has(symbol);
    }
  }

  let negative = false;
  if (text.startsWith('-')) {
    negative = true;
    text = text.slice(1).trim();
  }
  if (!/^\d[\d .,']*$/.test(text) || /[.,']$/.test(text)) {
    return { ok: false, message: `"${cell.trim()}" is not a price; ${PRICE_HELP}` };
  }
  // The cell's own currency decides how "1.234" reads; a bare number follows the row's or sheet's.
  const convention = currency ?? context.currency?.toUpperCase();
  const amount = Number(
    normaliseDecimal(text, convention !== undefined && DECIMAL_COMMA_CURRENCIES.has(convention)),
  );
  if (!Number.isFinite(amount))
    return { ok: false, message: `"${cell.trim()}" is not a price; ${PRICE_HELP}` };
  if (negative && amount !== 0)
    return { ok: false, message: `"${cell.trim()}" is negative; a price must be ≥ 0` };
  return { ok: true, amount, currency, fromSymbol };
}

/**
 * Turns the digits of a price into JS number syntax. With both `.` and `,` the later one is the
 * decimal mark ("1.299,00", "1,299.00"); a lone kind followed by exactly three digits in every group
 * is a thousands separator ("1,299", "1.299.000"), otherwise it is the decimal mark ("49,90", "49.9").
 */
function normaliseDecimal(digits: string, decimalComma = false): string {
  const compact = digits.replace(/[ ']/g, '');
  const lastDot = compact.lastIndexOf('.');
  const lastComma = compact.lastIndexOf(',');
  if (lastDot >= 0 && lastComma >= 0) {
    const decimal = lastDot > lastComma ? '.' : ',';
    const thousands = decimal === '.' ? ',' : '.';
    return compact.split(thousands).join('').replace(decimal, '.');
  }
  const mark = lastDot >= 0 ? '.' : lastComma >= 0 ? ',' : undefined;
  if (mark === undefined) return compact;
  const groups = compact.split(mark);
  // A single mark followed by three digits is the thousands separator of the shop's convention:
  // "1,299" in a dollar sheet, "1.299" in a real or euro sheet.
  const thousandsMark = decimalComma ? '.' : ',';
  const thousandsOnly = groups.length > 2 || (mark === thousandsMark && groups[1]?.length === 3);
  if (thousandsOnly) {
    return groups.slice(1).every((g) => g.length === 3) ? groups.join('') : 'NaN';
  }
  return groups.join('.');
}

const BLOCK = '\uE000';
const PARAGRAPH = '\uE001';

const NAMED_ENTITIES: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  ndash: '–',
  mdash: '—',
  hellip: '…',
  lsquo: '‘',
  rsquo: '’',
  ldquo: '“',
  rdquo: '”',
  laquo: '«',
  raquo: '»',
  bull: '•',
  middot: '·',
  trade: '™',
  reg: '®',
  copy: '©',
  deg: '°',
  times: '×',
  frac12: '½',
  euro: '€',
  pound: '£',
  yen: '¥',
  cent: '¢',
  shy: '',
  auml: 'ä',
  ouml: 'ö',
  uuml: 'ü',
  Auml: 'Ä',
  Ouml: 'Ö',
  Uuml: 'Ü',
  szlig: 'ß',
  eacute: 'é',
  egrave: 'è',
  ecirc: 'ê',
  Eacute: 'É',
  aacute: 'á',
  agrave: 'à',
  acirc: 'â',
  iacute: 'í',
  oacute: 'ó',
  ocirc: 'ô',
  uacute: 'ú',
  ccedil: 'ç',
  ntilde: 'ñ',
  oslash: 'ø',
  aring: 'å',
  aelig: 'æ',
};

/** Decodes `&amp;`, `&#39;`, `&#x2014;` and the common named entities; unknown ones stay as written. */
export function decodeEntities(text: string): string {
  return text.replace(
    /&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});/g,
    (whole, body: string) => {
      if (body.startsWith('#')) {
        const code =
          body[1] === 'x' || body[1] === 'X' ? Number.parseInt(body.slice(2), 16) : Number(body.slice(1));
        return code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff)
          ? String.fromCodePoint(code)
          : whole;
      }
      return NAMED_ENTITIES[body] ?? whole;
    },
  );
}

/**
 * Shopify's `Body (HTML)` as plain text for the copywriter: scripts, styles and comments dropped,
 * paragraphs are separated by a blank line, other block ends and `<br>` become line breaks,
 * list items start with "- ", tags are removed and entities
 * decoded afterwards (so an encoded `&lt;b&gt;` survives as text), spaces collapsed, at most one
 * blank line in a row.
 */
export function htmlToText(html: string): string {
  // Block boundaries are marked first and resolved after tags are gone, so "</div> <div>" is one line
  // break and "</p> <ul>" one blank line, however the source happens to be indented.
  const withoutTags = html
    .replace(/[\uE000\uE001]/g, '')
    // Source line breaks are plain whitespace in HTML; only tags make lines.
    .replace(/\s+/g, ' ')
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<(script|style)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, '')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<li\b[^>]*>/gi, `${BLOCK}- `)
    .replace(/<\/?p\b[^>]*>/gi, PARAGRAPH)
    .replace(/<\/?(div|h[1-6]|ul|ol|tr|table|blockquote|section|article|header|footer)\b[^>]*>/gi, BLOCK)
    .replace(/<\/?[A-Za-z][^>]*>/g, '')
    .replace(/[ \uE000\uE001]*[\uE000\uE001][ \uE000\uE001]*/g, (run) =>
      run.includes(PARAGRAPH) ? '\n\n' : '\n',
    );
  const lines = decodeEntities(withoutTags)
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((l) => l.replace(/[\s\u00a0]+/g, ' ').trim());
  const out: string[] = [];
  for (const l of lines) {
    if (l === '' && (out.length === 0 || out.at(-1) === '')) continue;
    out.push(l);
  }
  while (out.at(-1) === '') out.pop();
  return out.join('\n');
}
