// An RFC 4180 CSV reader that remembers the physical line each record starts on, so import errors can
// point the operator at the right line even after multi-line quoted fields. One pass, linear time.

export type CsvDelimiter = ',' | ';' | '\t';

export interface CsvRecord {
  /** 1-based physical line on which the record starts (CR, LF and CRLF each end one line). */
  line: number;
  fields: string[];
  /** Set when the record is malformed (unclosed quote, text after a closing quote); the fields are a best effort. */
  error?: string;
}

export interface CsvParseResult {
  records: CsvRecord[];
  delimiter: CsvDelimiter;
}

export interface CsvParseOptions {
  /** Field separator; sniffed from the first line when omitted (see `sniffDelimiter`). */
  delimiter?: CsvDelimiter;
}

const QUOTE = 34;
const LF = 10;
const CR = 13;

/**
 * Picks the separator of a sheet from its first line: the most frequent of `,` `;` and tab outside
 * quotes, `,` on ties or when none occurs. Spreadsheets in many European locales save `;`-separated
 * "CSV", and operators drop those files too.
 */
export function sniffDelimiter(text: string, start = 0): CsvDelimiter {
  const counts = { ',': 0, ';': 0, '\t': 0 };
  let inQuotes = false;
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') inQuotes = !inQuotes;
    else if (!inQuotes && (ch === '\n' || ch === '\r')) break;
    else if (!inQuotes && (ch === ',' || ch === ';' || ch === '\t')) counts[ch]++;
  }
  if (counts[';'] > counts[','] && counts[';'] >= counts['\t']) return ';';
  if (counts['\t'] > counts[','] && counts['\t'] > counts[';']) return '\t';
  return ',';
}

/**
 * Splits CSV text into records. Handles a UTF-8 BOM, CR / LF / CRLF line ends (also inside quoted
 * fields), doubled quotes, a missing or present final newline and Excel's `sep=;` first line.
 * Lenient where real exports are sloppy: a `"` inside an unquoted field is kept literally
 * (`12" vinyl`). Malformed records carry `error` instead of aborting the whole file.
 */
export function parseCsv(text: string, options: CsvParseOptions = {}): CsvParseResult {
  const n = text.length;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;

  let delimiter = options.delimiter;
  const sepLine = /^sep=([,;\t])(\r\n|\n|\r|$)/.exec(text.slice(i, i + 8));
  if (sepLine?.[1] !== undefined) {
    delimiter ??= sepLine[1] as CsvDelimiter;
    i += sepLine[0].length;
    line++;
  }
  delimiter ??= sniffDelimiter(text, i);
  const delim = delimiter.charCodeAt(0);

  const records: CsvRecord[] = [];
  while (i < n) {
    const recordLine = line;
    const fields: string[] = [];
    let error: string | undefined;

    for (;;) {
      if (i < n && text.charCodeAt(i) === QUOTE) {
        const quoteLine = line;
        i++;
        let value = '';
        let chunkStart = i;
        let closed = false;
        while (i < n) {
          const c = text.charCodeAt(i);
          if (c === QUOTE) {
            if (text.charCodeAt(i + 1) === QUOTE) {
              value += text.slice(chunkStart, i + 1);
              i += 2;
              chunkStart = i;
              continue;
            }
            value += text.slice(chunkStart, i);
            i++;
            closed = true;
            break;
          }
          // CRLF is one line end: count it at its LF.
          if (c === LF || (c === CR && text.charCodeAt(i + 1) !== LF)) line++;
          i++;
        }
        if (!closed) {
          value += text.slice(chunkStart, i);
          error ??= `the quoted field starting on line ${quoteLine} is never closed (a " inside a quoted field must be written as "")`;
        } else if (i < n) {
          const c = text.charCodeAt(i);
          if (c !== delim && c !== CR && c !== LF) {
            error ??= `unexpected text after a closing quote on line ${line} (a " inside a quoted field must be written as "")`;
            const rest = i;
            while (i < n) {
              const d = text.charCodeAt(i);
              if (d === delim || d === CR || d === LF) break;
              i++;
            }
            value += text.slice(rest, i);
          }
        }
        fields.push(value);
      } else {
        const start = i;
        while (i < n) {
          const c = text.charCodeAt(i);
          if (c === delim || c === CR || c === LF) break;
          i++;
        }
        fields.push(text.slice(start, i));
      }

      if (i >= n) break;
      const c = text.charCodeAt(i);
      if (c === delim) {
        // A delimiter as the very last character still opens one (empty) field: the next turn of the
        // loop finds i === n and pushes ''.
        i++;
        continue;
      }
      i += c === CR && text.charCodeAt(i + 1) === LF ? 2 : 1;
      line++;
      break;
    }

    records.push(error === undefined ? { line: recordLine, fields } : { line: recordLine, fields, error });
  }
  return { records, delimiter };
}

/** True for a record that holds nothing: an empty line, or only separators (`,,,` rows spreadsheets leave). */
export function isBlankRecord(record: CsvRecord): boolean {
  return record.error === undefined && record.fields.every((f) => f.trim() === '');
}
