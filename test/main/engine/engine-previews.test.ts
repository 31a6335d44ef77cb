// Live previews through the whole engine: the studio asks ComfyUI for them (the comfyPreviewMethod
// setting, default auto); a server that ignores the request (0.3.64 started without
// --preview-method) is named once in a `backend.notice` with the fix, in the engine's events and in
// the CLI's output.
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventPayload } from '../../../src/shared/index.ts';
import { type Sims, startSims } from '../../fixtures/sims.ts';

const BIN = resolve(import.meta.dirname, '../../../bin/showcase');
const SMALL = { 'qwen-image': { width: 256, height: 256, megapixels: 0.25 } };

let sims: Sims | null = null;
afterEach(async () => {
  await sims?.close();
  sims = null;
});

function product(id: string) {
  return {
    id,
    name: `Lamp ${id}`,
    description: 'A brass desk lamp with a linen shade.',
    category: 'Lighting',
  };
}

/** Renders one product; returns its gallery's final status. */
async function runOne(s: Sims, id: string): Promise<string> {
  const { imported } = s.engine.addProducts([product(id)]);
  const [galleryId] = await s.engine.start(imported.map((p) => p.id));
  await s.engine.whenIdle();
  return s.engine.showcase(galleryId ?? '').gallery.status;
}

const count = (s: Sims, event: string) => s.events.filter((e) => e.event === event).length;

describe('live previews in the engine', () => {
  it('a stock 2026 ComfyUI (no --preview-method) streams previews because the studio asks', async () => {
    sims = await startSims({ engine: { overrides: { templateParams: SMALL, variations: 0 } } });
    expect(await runOne(sims, 'lamp-a')).toBe('complete');
    expect(count(sims, 'job.preview')).toBeGreaterThan(0);
    expect(count(sims, 'backend.notice')).toBe(0);
  });

  it('a stock 0.3.64 ComfyUI renders without previews; the engine says so once, with the fix', async () => {
    sims = await startSims({
      comfy: { version: '0.3.64' },
      engine: { overrides: { templateParams: SMALL, variations: 1 } },
    });
    // Every image still renders.
    expect(await runOne(sims, 'lamp-b')).toBe('complete');
    expect(await runOne(sims, 'lamp-c')).toBe('complete');
    expect(count(sims, 'job.preview')).toBe(0);
    const notices = sims.events
      .filter((e) => e.event === 'backend.notice')
      .map((e) => e.payload as EventPayload<'backend.notice'>);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({ backend: 'comfy', url: sims.comfy.url, code: 'previews_off' });
    expect(notices[0]?.message).toContain(sims.comfy.url);
    expect(notices[0]?.hint).toContain('--preview-method auto');
  });

  it('asks for nothing with comfyPreviewMethod "none", so nothing is reported', async () => {
    sims = await startSims({
      comfy: { version: '0.3.64' },
      engine: { overrides: { templateParams: SMALL, variations: 0, comfyPreviewMethod: 'none' } },
    });
    await runOne(sims, 'lamp-d');
    expect(count(sims, 'backend.notice')).toBe(0);
  });
});

describe('the CLI', () => {
  // A spawned `generate`: Node's start-up and two products take seconds, more on a busy machine.
  it('prints the previews note once, in plain output, and the run still completes', {
    timeout: 120_000,
  }, async () => {
    sims = await startSims({ comfy: { version: '0.3.64' }, openEngine: false });
    const sheet = join(sims.dir, 'two.csv');
    await writeFile(
      sheet,
      'id,name,description,category\nlamp-e,Lamp E,A brass desk lamp.,Lighting\nlamp-f,Lamp F,A glass desk lamp.,Lighting\n',
    );
    const args = ['generate', sheet, '--out', join(sims.dir, 'out'), '--variations', '1'];
    args.push('--comfy', sims.comfy.url, '--ollama', sims.ollama.url);
    const { stdout } = await promisify(execFile)(BIN, args, { timeout: 120_000 });
    const notes = stdout.split('\n').filter((l) => l.startsWith('Note: '));
    expect(notes).toHaveLength(1);
    expect(notes[0]).toContain(`ComfyUI at ${sims.comfy.url}`);
    expect(stdout).toContain('What to do: Start ComfyUI with --preview-method auto');
  });
});
