import { describe, expect, it } from 'vitest';
import {
  decodeEntities,
  htmlToText,
  parsePrice,
  splitList,
} from '../../../../src/main/engine/sheets/values.ts';

describe('splitList', () => {
  it('splits on ; or | when present, otherwise on commas', () => {
    expect(splitList('cotton; linen')).toEqual(['cotton', 'linen']);
    expect(splitList('red|blue | green')).toEqual(['red', 'blue', 'green']);
    expect(splitList('red, blue,green')).toEqual(['red', 'blue', 'green']);
    expect(splitList('leather, full-grain; brass')).toEqual(['leather, full-grain', 'brass']);
  });

  it('drops empty items and duplicates', () => {
    expect(splitList(' ; a;;a ; b ;')).toEqual(['a', 'b']);
    expect(splitList('')).toEqual([]);
  });
});

describe('parsePrice', () => {
  it.each([
    ['49.90', 49.9, undefined],
    ['49,90', 49.9, undefined],
    ['€49.90', 49.9, 'EUR'],
    ['49.90 €', 49.9, 'EUR'],
    ['49.90 EUR', 49.9, 'EUR'],
    ['49.90eur', 49.9, 'EUR'],
    ['EUR 49.90', 49.9, 'EUR'],
    ['$1,299.00', 1299, 'USD'],
    ['US$ 12', 12, 'USD'],
    ['£5', 5, 'GBP'],
    ['1.299,00 €', 1299, 'EUR'],
    ['1 299,50', 1299.5, undefined],
    ["CHF 1'299.95", 1299.95, 'CHF'],
    ['1,299', 1299, undefined],
    ['1.299.000', 1_299_000, undefined],
    ['0', 0, undefined],
  ])('reads %j', (cell, amount, currency) => {
    const parsed = parsePrice(cell);
    expect(parsed.ok).toBe(true);
    if (parsed.ok) {
      expect(parsed.amount).toBeCloseTo(amount, 10);
      expect(parsed.currency).toBe(currency);
    }
  });

  it.each(['free', 'about twenty', '12abc', '1.2.3', '49.', '€', 'EUR', '--5', '1,2,3'])(
    'rejects %j',
    (cell) => {
      const parsed = parsePrice(cell);
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.message).toContain('not a price');
    },
  );

  it('rejects negative prices with their own message', () => {
    const parsed = parsePrice('-5.00 EUR');
    expect(parsed).toEqual({ ok: false, message: '"-5.00 EUR" is negative; a price must be ≥ 0' });
  });

  it('marks currencies guessed from a symbol', () => {
    expect(parsePrice('$3')).toMatchObject({ ok: true, fromSymbol: true });
    expect(parsePrice('3 USD')).toMatchObject({ ok: true, fromSymbol: false });
  });
});

describe('htmlToText', () => {
  it('strips tags, keeps paragraph and list structure and decodes entities', () => {
    const html =
      '<p>A <strong>heavy</strong> throw&nbsp;&ndash; warm.</p><ul><li>130 &times; 180&#160;cm</li><li>Tom &amp; Jerry&#39;s &#x2764;</li></ul><p>Line<br/>break</p>';
    expect(htmlToText(html)).toBe(
      "A heavy throw – warm.\n\n- 130 × 180 cm\n- Tom & Jerry's ❤\n\nLine\nbreak",
    );
  });

  it('drops scripts, styles and comments, and keeps encoded markup as text', () => {
    expect(htmlToText('<style>p{}</style><script>alert(1)</script><!-- note -->&lt;b&gt; is bold')).toBe(
      '<b> is bold',
    );
  });

  it('leaves a bare < in text alone', () => {
    expect(htmlToText('<p>1 < 2 and 3 > 2</p>')).toBe('1 < 2 and 3 > 2');
  });

  it('collapses whitespace and blank lines', () => {
    expect(htmlToText('\n\n<div>  a \t b  </div>\n\n\n<div>c</div>\n')).toBe('a b\nc');
  });
});

describe('decodeEntities', () => {
  it('decodes named, decimal and hex entities and leaves unknown or invalid ones', () => {
    expect(decodeEntities('&eacute;&#233;&#xE9;&bogus;&#xD800;&#0;')).toBe('ééé&bogus;&#xD800;&#0;');
  });
});

describe('parsePrice in the shop’s own notation', () => {
  it.each([
    ['R$ 89,90', 89.9, 'BRL'],
    ['R$1.234,56', 1234.56, 'BRL'],
    ['89,90 R$', 89.9, 'BRL'],
    ['r$ 10', 10, 'BRL'],
    ['1.234,56 €', 1234.56, 'EUR'],
    ['$1,299.00', 1299, 'USD'],
    ['MX$ 350', 350, 'MXN'],
    ['C$ 12.50', 12.5, 'CAD'],
    ['49,99 zł', 49.99, 'PLN'],
  ])('reads %j', (cell, amount, currency) => {
    const parsed = parsePrice(cell);
    expect(parsed).toMatchObject({ ok: true, currency });
    if (parsed.ok) expect(parsed.amount).toBeCloseTo(amount, 10);
  });

  it('reads a lone separator before three digits in the convention of the row’s currency', () => {
    expect(parsePrice('1.234', { currency: 'BRL' })).toMatchObject({ ok: true, amount: 1234 });
    expect(parsePrice('1.234', { currency: 'USD' })).toMatchObject({ ok: true, amount: 1.234 });
    expect(parsePrice('1,234', { currency: 'EUR' })).toMatchObject({ ok: true, amount: 1.234 });
    expect(parsePrice('1,234', { currency: 'USD' })).toMatchObject({ ok: true, amount: 1234 });
    // The cell's own currency wins over the row's.
    expect(parsePrice('R$ 1.234', { currency: 'USD' })).toMatchObject({ ok: true, amount: 1234 });
  });

  it('treats only ambiguous symbols as guesses a currency column may override', () => {
    expect(parsePrice('$3')).toMatchObject({ fromSymbol: true });
    expect(parsePrice('¥300')).toMatchObject({ fromSymbol: true });
    expect(parsePrice('R$ 3')).toMatchObject({ fromSymbol: false });
    expect(parsePrice('€3')).toMatchObject({ fromSymbol: false });
  });
});
