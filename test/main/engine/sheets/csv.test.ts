import { describe, expect, it } from 'vitest';
import { isBlankRecord, parseCsv, sniffDelimiter } from '../../../../src/main/engine/sheets/csv.ts';

const rows = (text: string) => parseCsv(text).records.map((r) => r.fields);
const lines = (text: string) => parseCsv(text).records.map((r) => r.line);

describe('parseCsv (RFC 4180)', () => {
  it('splits plain fields and records', () => {
    expect(rows('a,b,c\n1,2,3\n')).toEqual([
      ['a', 'b', 'c'],
      ['1', '2', '3'],
    ]);
  });

  it('handles a missing final newline and keeps empty fields', () => {
    expect(rows('a,b,c\n1,,3')).toEqual([
      ['a', 'b', 'c'],
      ['1', '', '3'],
    ]);
    expect(rows('a,b,\n,,')).toEqual([
      ['a', 'b', ''],
      ['', '', ''],
    ]);
  });

  it('reads quoted fields with separators, doubled quotes and line breaks', () => {
    const text = 'name,desc\n"Mug, large","He said ""hi""\nthen left"\n"",""""\n';
    expect(rows(text)).toEqual([
      ['name', 'desc'],
      ['Mug, large', 'He said "hi"\nthen left'],
      ['', '"'],
    ]);
  });

  it('accepts LF, CRLF and lone CR line ends, inside quotes too', () => {
    expect(rows('a,b\r\n1,2\r\n')).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
    expect(rows('a,b\r1,2\r')).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
    expect(rows('a\r\n"x\r\ny"\r\n"p\rq"\n"m\nn"')).toEqual([['a'], ['x\r\ny'], ['p\rq'], ['m\nn']]);
  });

  it('strips a UTF-8 BOM so the first header is not "\\uFEFFid"', () => {
    expect(rows('\uFEFFid,name\n1,x')[0]).toEqual(['id', 'name']);
    expect(rows('\uFEFF"id",name')[0]).toEqual(['id', 'name']);
  });

  it('numbers records by the physical line they start on', () => {
    const text = 'h1,h2\n"multi\nline\nvalue",x\nnext,row\r\n"crlf\r\ninside",y\r\n\r\nlast,one';
    expect(lines(text)).toEqual([1, 2, 5, 6, 8, 9]);
    expect(parseCsv(text).records[4]?.fields).toEqual(['']);
  });

  it('counts a lone CR inside quotes as a line end but CRLF only once', () => {
    expect(lines('a\n"x\ry"\nb\n"x\r\ny"\nc')).toEqual([1, 2, 4, 5, 7]);
  });

  it('keeps a quote inside an unquoted field literally', () => {
    expect(rows('size\n12" vinyl')).toEqual([['size'], ['12" vinyl']]);
  });

  it('flags text after a closing quote and keeps parsing', () => {
    const { records } = parseCsv('a,b\n"x"y,2\nok,3\n');
    expect(records[1]?.error).toMatch(/after a closing quote on line 2/);
    expect(records[1]?.fields).toEqual(['xy', '2']);
    expect(records[2]).toEqual({ line: 3, fields: ['ok', '3'] });
  });

  it('flags a quoted field that is never closed with the line it opened on', () => {
    const { records } = parseCsv('a,b\n1,2\n3,"open\nstill open\n');
    expect(records).toHaveLength(3);
    expect(records[1]).toEqual({ line: 2, fields: ['1', '2'] });
    expect(records[2]?.line).toBe(3);
    expect(records[2]?.error).toMatch(/starting on line 3 is never closed/);
  });

  it('honours Excel\'s "sep=" line and sniffs ; and tab separated sheets', () => {
    const semi = parseCsv('sep=;\nid;name\n1;"a;b"\n');
    expect(semi.delimiter).toBe(';');
    expect(semi.records).toEqual([
      { line: 2, fields: ['id', 'name'] },
      { line: 3, fields: ['1', 'a;b'] },
    ]);
    expect(sniffDelimiter('id;name;price\n1,2,3')).toBe(';');
    expect(sniffDelimiter('id\tname\n')).toBe('\t');
    expect(sniffDelimiter('"a;b;c",name\n')).toBe(',');
    expect(sniffDelimiter('name\n')).toBe(',');
    expect(parseCsv('a;b', { delimiter: ',' }).records[0]?.fields).toEqual(['a;b']);
  });

  it('recognises blank records', () => {
    const { records } = parseCsv('a,b\n\n,\n , \nx,\n');
    expect(records.map(isBlankRecord)).toEqual([false, true, true, true, false]);
  });

  it('parses an empty string to no records', () => {
    expect(parseCsv('').records).toEqual([]);
    expect(parseCsv('\uFEFF').records).toEqual([]);
  });

  it('is linear: 10,000 records with quoted multi-line fields parse quickly', () => {
    const parts = ['id,name,description'];
    for (let i = 0; i < 10_000; i++) parts.push(`${i},"Name ${i}, ""q""","line 1\r\nline 2"`);
    const start = performance.now();
    const { records } = parseCsv(parts.join('\r\n'));
    const ms = performance.now() - start;
    expect(records).toHaveLength(10_001);
    expect(records[10_000]?.line).toBe(1 + 2 * 10_000 - 1);
    expect(records[10_000]?.fields[1]).toBe('Name 9999, "q"');
    expect(ms).toBeLessThan(1_000);
  });
});
