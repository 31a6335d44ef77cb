import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  detectSheetFormat,
  type ParseSheetOptions,
  parseSheet,
  productsFromInputs,
} from '../../../../src/main/engine/sheets/index.ts';
import { ProductSchema, ShowcaseError } from '../../../../src/shared/index.ts';

const NOW = '2025-01-02T03:04:05.000Z';
const SAMPLES = path.resolve(import.meta.dirname, '../../../../resources/samples');
const sample = (name: string) => readFileSync(path.join(SAMPLES, name), 'utf8');

function parse(content: string, options: Partial<ParseSheetOptions> = {}) {
  return parseSheet(content, { filename: 'products.csv', now: NOW, ...options });
}

function thrown(fn: () => unknown): ShowcaseError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ShowcaseError) return err;
    throw err;
  }
  throw new Error('expected a ShowcaseError');
}

describe('the shipped samples', () => {
  it.each([
    ['products.csv', 'csv', 5],
    ['products.json', 'json', 3],
    ['shopify_products.csv', 'shopify', 3],
  ])('%s parses cleanly', (file, format, count) => {
    const result = parseSheet(sample(file), { filename: file, now: NOW });
    expect(result.format).toBe(format);
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
    expect(result.products).toHaveLength(count);
    for (const product of result.products) {
      expect(ProductSchema.parse(product)).toEqual(product);
      expect(product.sourceSheet).toBe(file);
      expect(product.updatedAt).toBe(NOW);
      expect(product.description?.length).toBeGreaterThan(20);
      expect(product.price?.amount).toBeGreaterThan(0);
      expect(product.colors.length).toBeGreaterThan(0);
    }
    // Every sample has a unicode name and a field with quotes, separators or a line break.
    expect(result.products.some((p) => /[^\x20-\x7e]/.test(p.name))).toBe(true);
    expect(result.products.some((p) => /["\n]/.test(`${p.name}${p.description}`))).toBe(true);
  });

  it('products.csv keeps the multi-line quoted description and the unknown column', () => {
    const { products } = parseSheet(sample('products.csv'), { filename: 'products.csv', now: NOW });
    const tote = products.find((p) => p.id === 'linen-tote-01');
    expect(tote?.description).toBe(
      'Our "carry everything" tote, cut from washed linen.\nInner pocket, magnetic snap, and straps long enough for a coat sleeve.',
    );
    expect(tote?.materials).toEqual(['linen', 'cotton webbing']);
    expect(tote?.colors).toEqual(['sand', 'olive', 'ink blue']);
    expect(tote?.attributes).toEqual({ dimensions: '40 × 38 × 12 cm' });
    expect(products.find((p) => p.id === 'aurora-lamp')?.name).toBe('Crème Brûlée Aurora Desk Lamp');
  });

  it('products_with_errors.csv reports the bad rows by line and imports the rest', () => {
    const result = parseSheet(sample('products_with_errors.csv'), { filename: 'products_with_errors.csv' });
    expect(result.products.map((p) => p.id)).toEqual(['desk-organizer', 'notebook-a5']);
    expect(result.errors).toEqual([
      { line: 3, field: 'name', message: 'is required' },
      { line: 4, field: 'price', message: expect.stringContaining('"about twenty" is not a price') },
    ]);
  });
});

describe('parseSheet — CSV', () => {
  it('matches headers case-insensitively through synonyms and keeps unknown columns as attributes', () => {
    const csv = [
      'SKU,Product Name,Desc,TYPE,Vendor,Material,Colours,Target,Unit Price,Currency Code,Image URL,Keywords,Care Notes,',
      'A-1,Mug,Stoneware mug,Kitchen,Harbor,stoneware,"red, blue",tea drinkers,12.5,usd,https://x/img.png,mug|tea,Hand wash,',
    ].join('\n');
    const { products, errors } = parse(csv);
    expect(errors).toEqual([]);
    expect(products).toEqual([
      {
        id: 'A-1',
        handle: 'A-1',
        name: 'Mug',
        description: 'Stoneware mug',
        category: 'Kitchen',
        brand: 'Harbor',
        materials: ['stoneware'],
        colors: ['red', 'blue'],
        audience: 'tea drinkers',
        price: { amount: 12.5, currency: 'USD' },
        referenceImage: 'https://x/img.png',
        tags: ['mug', 'tea'],
        attributes: { 'Care Notes': 'Hand wash' },
        sourceSheet: 'products.csv',
        updatedAt: NOW,
      },
    ]);
  });

  it('prefers the better synonym and keeps the other column as an attribute', () => {
    const { products } = parse('sku,title,id,name\nS1,Title text,I1,Name text\n');
    expect(products[0]).toMatchObject({
      id: 'I1',
      name: 'Name text',
      attributes: { sku: 'S1', title: 'Title text' },
    });
  });

  it.each([
    ['€49.90', { amount: 49.9, currency: 'EUR' }],
    ['49.90 EUR', { amount: 49.9, currency: 'EUR' }],
    ['49,90', { amount: 49.9, currency: 'EUR' }],
    ['$1,299.00', { amount: 1299, currency: 'USD' }],
    ['GBP 5', { amount: 5, currency: 'GBP' }],
  ])('reads the price %j', (cell, price) => {
    const { products, errors } = parse(`name,price\nMug,"${cell}"\n`);
    expect(errors).toEqual([]);
    expect(products[0]?.price).toEqual(price);
  });

  it('uses the currency column, lets it override a dollar sign, and flags contradicting codes', () => {
    const csv = 'name,price,currency\nA,$10,CAD\nB,10 USD,EUR\nC,10,\nD,,EUR\n';
    const { products, errors } = parse(csv, { defaultCurrency: 'CHF' });
    expect(products.map((p) => [p.name, p.price])).toEqual([
      ['A', { amount: 10, currency: 'CAD' }],
      ['C', { amount: 10, currency: 'CHF' }],
      ['D', undefined],
    ]);
    expect(errors).toEqual([
      { line: 3, field: 'price', message: '"10 USD" is in USD but the currency column says EUR' },
    ]);
  });

  it('reports every problem of a bad row with its field and skips the row', () => {
    const csv = 'id,name,price,currency\nok,Fine,1,EUR\nbad, ,-4,EUR\nbad2,Cup,2,EURO\n';
    const { products, errors } = parse(csv);
    expect(products.map((p) => p.id)).toEqual(['ok']);
    expect(errors).toEqual([
      { line: 3, field: 'price', message: '"-4" is negative; a price must be ≥ 0' },
      { line: 3, field: 'name', message: 'is required' },
      { line: 4, field: 'price.currency', message: 'must be a 3-letter ISO currency code like "EUR"' },
    ]);
  });

  it('gives the line a record starts on, also after multi-line quoted fields and with CRLF', () => {
    const csv = [
      'id,name,description',
      'a,Alpha,"one',
      'two',
      'three"',
      'b,,missing name',
      '"c","Gamma","x\r\ny"',
      'd,,"again ""quoted""',
      'still d"',
      'e,Epsilon,ok',
      '',
    ].join('\r\n');
    const { products, errors } = parse(`\uFEFF${csv}`);
    expect(products.map((p) => p.id)).toEqual(['a', 'c', 'e']);
    expect(products[0]?.description).toBe('one\r\ntwo\r\nthree');
    expect(errors).toEqual([
      { line: 5, field: 'name', message: 'is required' },
      { line: 8, field: 'name', message: 'is required' },
    ]);
  });

  it('reports ragged rows and broken quoting as row errors and keeps going', () => {
    const csv = 'id,name,price\na,Alpha,1\nb,Beta\nc,Gamma,3,extra\nd,"Delta"x,4\ne,Epsilon,5\n';
    const { products, errors } = parse(csv);
    expect(products.map((p) => p.id)).toEqual(['a', 'e']);
    expect(errors.map((e) => [e.line, e.field])).toEqual([
      [3, '(row)'],
      [4, '(row)'],
      [5, '(row)'],
    ]);
    expect(errors[0]?.message).toMatch(/has 2 fields but the header has 3/);
    expect(errors[1]?.message).toMatch(/has 4 fields but the header has 3/);
    expect(errors[2]?.message).toMatch(/closing quote/);
  });

  it('reports an unclosed quote on the line it starts and keeps the rows before it', () => {
    const { products, errors } = parse('id,name\na,Alpha\nb,"Beta\nc,Gamma\n');
    expect(products.map((p) => p.id)).toEqual(['a']);
    expect(errors).toEqual([{ line: 3, field: '(row)', message: expect.stringMatching(/never closed/) }]);
  });

  it('skips blank lines and separator-only rows', () => {
    const { products, errors } = parse('\n\nid,name\n\na,Alpha\n,\n   \nb,Beta\n\n\n');
    expect(errors).toEqual([]);
    expect(products.map((p) => p.id)).toEqual(['a', 'b']);
  });

  it('reads ;-separated sheets from European spreadsheets', () => {
    const { products } = parse('id;name;price\nmug;"Mug; large";"12,50 €"\n');
    expect(products[0]).toMatchObject({
      id: 'mug',
      name: 'Mug; large',
      price: { amount: 12.5, currency: 'EUR' },
    });
  });

  it('throws a clear error when there is no name column', () => {
    const err = thrown(() => parse('id,price\n1,2\n'));
    expect(err.code).toBe('invalid_input');
    expect(err.message).toBe(
      'products.csv: no column for the product name; expected one of name, title, product_name, product_title, nome, nombre or titulo (found: id, price)',
    );
    expect(err.details).toMatchObject({ field: 'name' });
  });

  it('throws for an empty sheet and a malformed header', () => {
    expect(thrown(() => parse('\uFEFF \r\n\n')).message).toBe('products.csv: the sheet is empty');
    expect(thrown(() => parse('"name,price\n')).message).toMatch(/header row \(line 1\) is malformed/);
  });

  it('imports a header-only sheet as nothing', () => {
    expect(parse('id,name\n')).toMatchObject({ products: [], errors: [] });
  });
});

describe('parseSheet — ids', () => {
  it('sanitises hostile ids and keeps the original text as the handle', () => {
    const csv = [
      'id,name',
      '../../etc/passwd,Traversal',
      '"a\\b/c",Slashes',
      '"say ""hi""",Quotes',
      '🔥 Hot,Emoji',
      'CON,Device',
      `${'z'.repeat(200)},Long`,
    ].join('\n');
    const { products, errors } = parse(csv);
    expect(errors).toEqual([]);
    expect(products.map((p) => p.id)).toEqual([
      'etc-passwd',
      'a-b-c',
      'say-hi',
      'Hot',
      'CON',
      'z'.repeat(64),
    ]);
    expect(products.map((p) => p.handle)).toEqual([
      '../../etc/passwd',
      'a\\b/c',
      'say "hi"',
      '🔥 Hot',
      'CON',
      'z'.repeat(200),
    ]);
  });

  it('derives ids from the name when there is no id column, including non-Latin names', () => {
    const { products } = parse('name\nCrème Brûlée Lamp\n茶杯\n茶碗\n');
    expect(products.map((p) => [p.id, p.handle])).toEqual([
      ['Creme-Brulee-Lamp', 'Crème Brûlée Lamp'],
      ['product', '茶杯'],
      ['product-2', '茶碗'],
    ]);
  });

  it('disambiguates duplicate and colliding ids in row order and warns about each rename', () => {
    const csv = 'id,name\nmug,First\nmug,Second\nMUG,Third\nmug/,Fourth\nmug-2,Fifth\n';
    const { products, errors, warnings } = parse(csv);
    expect(errors).toEqual([]);
    expect(products.map((p) => [p.id, p.handle])).toEqual([
      ['mug', 'mug'],
      ['mug-2', 'mug'],
      ['MUG-3', 'MUG'],
      ['mug-4', 'mug/'],
      ['mug-2-2', 'mug-2'],
    ]);
    expect(warnings.map((w) => [w.line, w.field])).toEqual([
      [3, 'id'],
      [4, 'id'],
      [5, 'id'],
      [6, 'id'],
    ]);
    expect(warnings[0]?.message).toBe('the id "mug" is already taken; imported as "mug-2"');
    expect(warnings[2]?.message).toBe('the id "mug" (from "mug/") is already taken; imported as "mug-4"');
  });

  it('does not let rejected rows take ids', () => {
    const { products } = parse('id,name\nmug,\nmug,Real\n');
    expect(products.map((p) => p.id)).toEqual(['mug']);
  });

  it('avoids reserved ids when asked to', () => {
    const { products } = parse('id,name\nmug,Mug\n', { reservedIds: ['mug'] });
    expect(products[0]?.id).toBe('mug-2');
  });

  it('uses a handle column for the id when there is no id column', () => {
    const { products } = parse('handle,title\nSummer Mug,The Summer Mug\n');
    expect(products[0]).toMatchObject({ id: 'Summer-Mug', handle: 'Summer Mug', name: 'The Summer Mug' });
  });
});

describe('parseSheet — JSON', () => {
  const items = [
    {
      id: 'mug',
      name: 'Mug',
      materials: ['stoneware', ' ', 'glaze'],
      price: { amount: 12, currency: 'EUR' },
      attributes: { capacity: '350 ml', dishwasher: true },
      weight: 410,
    },
    { sku: 'cup-1', title: 'Cup', colours: 'red; white', price: '€8.50', image_url: 'https://x/cup.png' },
    { name: 'Bowl', price: 20, currency: 'usd', tags: ['a', 'b'], dims: { w: 1 } },
  ];

  it.each([
    ['an array', JSON.stringify(items)],
    ['an object with products', JSON.stringify({ products: items, exportedAt: 'x' })],
  ])('reads %s', (_, content) => {
    const result = parseSheet(content, { filename: 'products.json', now: NOW });
    expect(result.format).toBe('json');
    expect(result.errors).toEqual([]);
    expect(result.products).toMatchObject([
      {
        id: 'mug',
        materials: ['stoneware', 'glaze'],
        price: { amount: 12, currency: 'EUR' },
        attributes: { capacity: '350 ml', dishwasher: 'true', weight: '410' },
      },
      {
        id: 'cup-1',
        name: 'Cup',
        colors: ['red', 'white'],
        price: { amount: 8.5, currency: 'EUR' },
        referenceImage: 'https://x/cup.png',
      },
      { id: 'Bowl', handle: 'Bowl', price: { amount: 20, currency: 'USD' }, attributes: { dims: '{"w":1}' } },
    ]);
  });

  it('reports bad items by their 1-based position', () => {
    const content = JSON.stringify([
      { name: 'Good' },
      { description: 'no name' },
      'just a string',
      { name: 'Bad price', price: 'cheap' },
      { name: 'Bad list', colors: [1, { x: 1 }] },
      { name: 'x'.repeat(301) },
    ]);
    const result = parseSheet(content, { filename: 'p.json', now: NOW });
    expect(result.products.map((p) => p.name)).toEqual(['Good']);
    expect(result.errors.map((e) => [e.line, e.field])).toEqual([
      [2, 'name'],
      [3, '(row)'],
      [4, 'price'],
      [5, 'colors.1'],
      [6, 'name'],
    ]);
    expect(result.errors[0]?.message).toBe('is required');
    expect(result.errors[1]?.message).toBe('is a string, not a product object');
  });

  it('throws a clear error for invalid JSON and for the wrong shape', () => {
    const bad = thrown(() => parseSheet('[{"name": "Mug",}]', { filename: 'p.json' }));
    expect(bad.code).toBe('invalid_input');
    expect(bad.message).toMatch(/^p\.json is not valid JSON: /);
    expect(bad.hint).toMatch(/missing comma/);

    const shape = thrown(() => parseSheet('{"items": []}', { filename: 'p.json' }));
    expect(shape.message).toBe(
      'p.json: expected an array of products or an object with a "products" array, found an object with keys items',
    );
    expect(thrown(() => parseSheet('{"name": "x"}', { filename: 'p.json', format: 'json' })).code).toBe(
      'invalid_input',
    );
    expect(thrown(() => parseSheet('name\nx', { filename: 'p.json', format: 'json' })).message).toMatch(
      /not valid JSON/,
    );
  });

  it('accepts a BOM before JSON', () => {
    expect(parseSheet('\uFEFF[{"name":"A"}]', { filename: 'p.json' }).products).toHaveLength(1);
  });
});

describe('format detection', () => {
  it('detects JSON, Shopify and plain CSV', () => {
    expect(detectSheetFormat('  \n[{"name":"a"}]')).toBe('json');
    expect(detectSheetFormat('\uFEFF{"products":[]}')).toBe('json');
    expect(detectSheetFormat('Handle,Title,Body (HTML),Variant Price\n')).toBe('shopify');
    expect(detectSheetFormat('handle,title\n')).toBe('csv');
    expect(detectSheetFormat('id,name\n')).toBe('csv');
  });

  it('honours an explicit format over detection', () => {
    const shopifyHeader = 'Handle,Title,Variant Price\nmug,Mug,12\n';
    expect(parse(shopifyHeader).format).toBe('shopify');
    const asCsv = parse(shopifyHeader, { format: 'csv' });
    expect(asCsv.format).toBe('csv');
    expect(asCsv.products[0]?.attributes).toEqual({ 'Variant Price': '12' });
  });
});

describe('productsFromInputs', () => {
  it('runs API payloads through the same validation and id allocation', () => {
    const result = productsFromInputs([{ id: 'a b', name: 'A' }, { name: '' }, { id: 'a-b', name: 'B' }], {
      now: NOW,
      reservedIds: ['taken'],
    });
    expect(result.products.map((p) => [p.id, p.handle, p.sourceSheet])).toEqual([
      ['a-b', 'a b', undefined],
      ['a-b-2', 'a-b', undefined],
    ]);
    expect(result.errors).toEqual([{ line: 2, field: 'name', message: 'is required' }]);
    expect(result.warnings).toHaveLength(1);
  });
});

describe('large sheets', () => {
  it('parses 10,000 rows in linear time', () => {
    const build = (n: number) => {
      const lines = ['id,name,description,materials,colors,price,currency,notes'];
      for (let i = 0; i < n; i++) {
        lines.push(
          `sku-${i},"Product ${i}, ""deluxe""","Line one\nline two",cotton;linen,red|blue,${i}.99,EUR,n${i}`,
        );
      }
      return lines.join('\r\n');
    };
    const small = build(1_000);
    const big = build(10_000);
    parse(small); // warm up
    const t0 = performance.now();
    parse(small);
    const t1 = performance.now();
    const result = parse(big);
    const t2 = performance.now();
    expect(result.errors).toEqual([]);
    expect(result.products).toHaveLength(10_000);
    expect(result.products[9_999]).toMatchObject({
      id: 'sku-9999',
      price: { amount: 9999.99, currency: 'EUR' },
    });
    expect(t2 - t1).toBeLessThan(3_000);
    // Ten times the rows should cost about ten times the time, not a hundred.
    expect(t2 - t1).toBeLessThan(Math.max(30 * (t1 - t0), 500));
  });
});

describe('language and currency of a sheet', () => {
  it('takes R$ prices with a BRL column, and a `language` column per product', () => {
    const csv =
      'nome,preço,moeda,idioma\nRede,"R$ 1.234,56",BRL,pt-BR\nMug,"12,90",BRL,\nTasse,"12,90",EUR,de\n';
    const { products, errors } = parse(csv, { defaultCurrency: 'EUR' });
    expect(errors).toEqual([]);
    expect(products.map((p) => [p.name, p.price, p.language])).toEqual([
      ['Rede', { amount: 1234.56, currency: 'BRL' }, 'pt-BR'],
      ['Mug', { amount: 12.9, currency: 'BRL' }, undefined],
      ['Tasse', { amount: 12.9, currency: 'EUR' }, 'de'],
    ]);
  });

  it('applies the sheet’s language to rows without one and refuses a malformed tag, naming the field', () => {
    const { products, errors } = parse('name,language\nA,\nB,es-MX\nC,not a language\n', {
      language: 'pt-BR',
    });
    expect(products.map((p) => [p.name, p.language])).toEqual([
      ['A', 'pt-BR'],
      ['B', 'es-MX'],
    ]);
    expect(errors).toEqual([
      { line: 4, field: 'language', message: expect.stringContaining('language tag') },
    ]);
  });

  it('reads a JSON sheet’s own language and currency', () => {
    const json = JSON.stringify({
      language: 'pt-BR',
      currency: 'BRL',
      products: [{ name: 'Rede', price: '89,90' }],
    });
    const { products } = parseSheet(json, { filename: 'p.json', now: NOW, defaultCurrency: 'EUR' });
    expect(products[0]).toMatchObject({ language: 'pt-BR', price: { amount: 89.9, currency: 'BRL' } });
  });

  it('reads Shopify prices in the shop currency given (not always euros), or a Currency column', () => {
    const header = 'Handle,Title,Variant Price';
    const brl = parseSheet(`${header}\nrede,Rede,89.90\n`, {
      filename: 's.csv',
      now: NOW,
      defaultCurrency: 'BRL',
    });
    expect(brl.products[0]?.price).toEqual({ amount: 89.9, currency: 'BRL' });
    const column = parseSheet(`${header},Currency\nrede,Rede,89.90,usd\n`, { filename: 's.csv', now: NOW });
    expect(column.products[0]?.price).toEqual({ amount: 89.9, currency: 'USD' });
  });
});

describe('the family column (issue #17: one catalog mixes model families)', () => {
  it('reads the family per product in any case and refuses an unknown one, naming the field', () => {
    const { products, errors } = parse('name,family\nLamp,SDXL\nChair,qwen-image\nStool,\nTable,flux\n');
    expect(products.map((p) => [p.name, p.family])).toEqual([
      ['Lamp', 'sdxl'],
      ['Chair', 'qwen-image'],
      ['Stool', undefined],
    ]);
    expect(errors).toEqual([{ line: 5, field: 'family', message: expect.any(String) }]);
  });
});
