// A generic product CSV: one product per record, a header row naming the columns (any order, any of
// the synonyms in columns.ts), unknown columns kept as attributes.
import { ShowcaseError } from '../../../shared/index.ts';
import { describeSynonyms, mapColumns } from './columns.ts';
import { type CsvParseResult, type CsvRecord, isBlankRecord } from './csv.ts';
import { buildCandidate, type RawValues, type RowCandidate } from './rows.ts';

export interface HeaderedRecords {
  header: CsvRecord;
  rows: CsvRecord[];
}

/** Splits off the header (the first non-blank record); throws `invalid_input` when there is none. */
export function splitHeader(parsed: CsvParseResult, filename: string): HeaderedRecords {
  const first = parsed.records.findIndex((r) => !isBlankRecord(r));
  const header = parsed.records[first];
  if (first < 0 || header === undefined) {
    throw new ShowcaseError('invalid_input', `${filename}: the sheet is empty`, {
      hint: 'Use a header row naming the columns (id, name, description, price …) and one product per line.',
      details: { field: 'content' },
    });
  }
  if (header.error !== undefined) {
    throw new ShowcaseError(
      'invalid_input',
      `${filename}: the header row (line ${header.line}) is malformed: ${header.error}`,
      {
        hint: 'Fix the header row so it lists the column names separated by commas.',
        details: { field: 'content', line: header.line },
      },
    );
  }
  return { header, rows: parsed.records.slice(first + 1) };
}

/**
 * Checks the record's shape; returns a malformed candidate for records the reader could not make sense
 * of (unclosed quote, text after a closing quote, a field count that differs from the header's).
 */
export function malformedRecord(
  record: CsvRecord,
  columns: number,
  delimiter: string,
): RowCandidate | undefined {
  const message =
    record.error ??
    (record.fields.length === columns
      ? undefined
      : `has ${record.fields.length} fields but the header has ${columns}; put a value that contains ${
          delimiter === '\t' ? 'a tab' : `"${delimiter}"`
        }, a quote or a line break in double quotes`);
  if (message === undefined) return undefined;
  return {
    line: record.line,
    input: {},
    errors: [{ line: record.line, field: '(row)', message }],
    malformed: true,
  };
}

export function readCsvSheet(
  parsed: CsvParseResult,
  filename: string,
  defaultCurrency: string,
): RowCandidate[] {
  const { header, rows } = splitHeader(parsed, filename);
  const columns = mapColumns(header.fields);
  if (columns.fields.name === undefined) {
    const found = header.fields.map((h) => h.trim()).filter((h) => h !== '');
    throw new ShowcaseError(
      'invalid_input',
      `${filename}: no column for the product name; expected one of ${describeSynonyms('name')} (found: ${
        found.length > 0 ? found.join(', ') : 'no column names'
      })`,
      {
        hint: 'The first line must be a header row; name the column that holds the product names "name".',
        details: { field: 'name', line: header.line, columns: found },
      },
    );
  }

  const fieldColumns = Object.entries(columns.fields) as Array<[keyof RawValues, number]>;
  const candidates: RowCandidate[] = [];
  for (const record of rows) {
    if (isBlankRecord(record)) continue;
    const broken = malformedRecord(record, header.fields.length, parsed.delimiter);
    if (broken) {
      candidates.push(broken);
      continue;
    }
    const values: RawValues = {};
    for (const [field, index] of fieldColumns) values[field] = record.fields[index];
    const attributes: Record<string, string> = {};
    for (const { index, key } of columns.attributes) {
      const cell = record.fields[index]?.trim();
      if (cell) attributes[key] = cell;
    }
    candidates.push(buildCandidate(record.line, values, attributes, defaultCurrency));
  }
  return candidates;
}
