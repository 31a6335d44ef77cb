// `demo --products N` beyond the bundled samples: deterministic, varied fictional products so a demo of
// 200 renders 200 showcases (the sample sheets hold only a dozen).

const NOUNS = [
  'Lamp',
  'Mug',
  'Tote',
  'Planter',
  'Kettle',
  'Stool',
  'Candle',
  'Backpack',
  'Vase',
  'Clock',
  'Bottle',
  'Throw',
];
const ADJECTIVES = [
  'Harbor',
  'Alder',
  'Cinder',
  'Meadow',
  'Fjord',
  'Saffron',
  'Quarry',
  'Willow',
  'Basalt',
  'Juniper',
];
const MATERIALS = ['oak', 'linen', 'stoneware', 'brass', 'recycled steel', 'wool', 'glass', 'cork'];
const COLORS = ['sage', 'rust', 'sand', 'ink blue', 'charcoal', 'cream', 'moss green', 'terracotta'];
const CATEGORIES = ['Home', 'Kitchen', 'Outdoor', 'Bags', 'Lighting', 'Home & Garden'];
const BRANDS = ['Northwind Studio', 'Fjelltopp Goods', 'Lumen & Loom', 'Harbor Field Co.'];

const pick = <T>(list: readonly T[], i: number): T => list[i % list.length] as T;

/** A JSON product sheet with `count` synthetic products, numbered from `from` (ids `demo-0012` …). */
export function syntheticSheet(count: number, from = 1): string {
  const products = Array.from({ length: count }, (_, k) => {
    const n = from + k;
    const name = `${pick(ADJECTIVES, n * 7)} ${pick(NOUNS, n)} No. ${n}`;
    const material = pick(MATERIALS, n * 3);
    return {
      id: `demo-${String(n).padStart(4, '0')}`,
      name,
      description: `A ${material} ${pick(NOUNS, n).toLowerCase()} made to be used every day and kept for years.`,
      category: pick(CATEGORIES, n),
      brand: pick(BRANDS, n * 5),
      materials: [material],
      colors: [pick(COLORS, n), pick(COLORS, n + 3)],
      price: { amount: 19 + ((n * 37) % 180), currency: 'EUR' },
      tags: ['demo'],
    };
  });
  return JSON.stringify({ products }, null, 2);
}
