// The language and money of the shop: a Brazilian sheet (Portuguese headers, `R$ 89,90`, idioma
// pt-BR) into a studio whose settings are English and euros. The prices stay in reais, the copy — the
// deterministic fallback too, when the model answers prose — is Portuguese, and the pages say so.
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readGalleryDocument } from '../../../src/main/engine/showcase/index.ts';
import { type Sims, startSims } from '../../fixtures/sims.ts';

/** Real renders, sharp work and subprocesses: generous on a shared, loaded machine. */
const SLOW = 180_000;

const SHEET = resolve(import.meta.dirname, '../../../resources/samples/produtos_pt-BR.csv');

let sims: Sims | null = null;
afterEach(async () => {
  await sims?.close();
  sims = null;
});

describe('a pt-BR catalog', () => {
  it(
    'keeps BRL prices, writes the fallback copy in Portuguese and renders pt-BR pages',
    async () => {
      sims = await startSims({
        engine: {
          overrides: {
            variations: 1,
            copyLanguage: 'en',
            currency: 'EUR',
            templateParams: { 'qwen-image': { width: 512, height: 512 } },
          },
        },
      });
      const { engine } = sims;
      const { imported, errors } = engine.importSheet(await readFile(SHEET, 'utf8'), 'produtos_pt-BR.csv');
      expect(errors).toEqual([]);
      expect(imported.map((p) => [p.id, p.price, p.language])).toEqual([
        ['cafeteira-aurora', { amount: 189.9, currency: 'BRL' }, 'pt-BR'],
        ['rede-praia-bahia', { amount: 1234.56, currency: 'BRL' }, 'pt-BR'],
        ['garrafa-trilha', { amount: 89.9, currency: 'BRL' }, 'pt-BR'],
      ]);

      // The model answers prose every time: the copy falls back to the deterministic one.
      sims.ollama.faults.invalidJsonNext(100);
      const [galleryId = ''] = await engine.start(['garrafa-trilha']);
      await engine.whenIdle();
      const { gallery } = engine.showcase(galleryId);
      expect(gallery.copy).toMatchObject({ source: 'fallback', language: 'pt-BR' });
      expect(gallery.copy?.bullets).toEqual([
        'Feito de aço inox',
        'Disponível em verde-musgo',
        'Feito para trilheiros',
        'Por Serra Verde',
      ]);

      const html = await readFile(gallery.htmlPath ?? '', 'utf8');
      expect(html).toContain('<html lang="pt-BR">');
      // Intl's pt-BR currency format: "R$ 89,90" (with a no-break space).
      expect(html).toMatch(/R\$\u00a089,90/);
      expect(html).toContain('Sobre este produto');
      expect(html).toContain('Em resumo');
      expect(html).toMatch(/Gerado em \d{1,2} de [a-zç]+ de \d{4}/);
      // The brand is not pasted twice into the title.
      expect(html).toContain('<title>Garrafa Trilha 750 ml · Serra Verde</title>');

      const index = await readFile(join(engine.outputRoot, 'index.html'), 'utf8');
      expect(index).toContain('<html lang="pt-BR">');
      expect(index).toMatch(/1 produto</);

      const doc = await readGalleryDocument(gallery.jsonPath ?? '');
      expect(doc.product.price).toEqual({ amount: 89.9, currency: 'BRL' });
    },
    SLOW,
  );
});
