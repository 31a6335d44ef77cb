// The custom-scheme file servers, with real files and real Request objects (what protocol.handle gets).
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  APP_ENTRY_URL,
  createStaticHandler,
  FILE_BASE_URL,
  galleryFilePath,
} from '../../../src/main/electron/app-protocol.ts';
import { ElectronBridge } from '../../../src/renderer/bridge/electron.ts';

let dir: string;
let renderer: string;
let output: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'showcase-proto-'));
  renderer = join(dir, 'renderer');
  output = join(dir, 'output');
  await mkdir(join(renderer, 'assets'), { recursive: true });
  await mkdir(output, { recursive: true });
  await writeFile(join(renderer, 'index.html'), '<!doctype html><title>studio</title>');
  await writeFile(join(renderer, 'assets', 'app.js'), 'console.log(1)');
  await writeFile(join(dir, 'secret.txt'), 'outside the root');
  await writeFile(join(output, 'product_a_hero.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
  await writeFile(join(output, 'product_a.html'), '<html></html>');
  await writeFile(join(output, 'run.sh'), 'echo hi');
  await symlink(join(dir, 'secret.txt'), join(output, 'link.png'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const app = () =>
  createStaticHandler({
    root: renderer,
    host: 'app',
    index: 'index.html',
    headers: { 'content-security-policy': 'the-csp' },
  });

describe('showcase://app', () => {
  it('serves the entry page with the CSP and the right type', async () => {
    const res = await app()(new Request(APP_ENTRY_URL));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toBe('the-csp');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await res.text()).toContain('<title>studio</title>');
    const root = await app()(new Request('showcase://app/'));
    expect(root.status).toBe(200);
    const js = await app()(new Request('showcase://app/assets/app.js'));
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  });

  it('never serves anything outside its folder', async () => {
    for (const url of [
      'showcase://app/../secret.txt',
      'showcase://app/..%2fsecret.txt',
      'showcase://app/%2e%2e/secret.txt',
      'showcase://app/assets/..%2f..%2fsecret.txt',
      'showcase://app/%00index.html',
      'showcase://app/assets',
      'showcase://other/index.html',
    ]) {
      const res = await app()(new Request(url));
      expect(res.status, url).toBe(404);
    }
    expect((await app()(new Request(APP_ENTRY_URL, { method: 'POST', body: 'x' }))).status).toBe(405);
  });
});

describe('showcase-file://files', () => {
  const files = () => createStaticHandler({ root: () => output, host: 'files' });

  it('serves gallery images and refuses symlinks that leave the output root', async () => {
    const res = await files()(new Request(`${FILE_BASE_URL}product_a_hero.png?v=abc`));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect((await files()(new Request(`${FILE_BASE_URL}link.png`))).status).toBe(404);
  });

  it('is the base the renderer ElectronBridge builds image URLs on', () => {
    const bridge = new ElectronBridge({ invoke: async () => ({ result: null }), onEvent: () => () => {} });
    expect(bridge.fileUrl('product_a_hero.png')).toBe(`${FILE_BASE_URL}product_a_hero.png`);
  });

  it('resolves only gallery files of known kinds for "open with the OS"', async () => {
    expect(await galleryFilePath(output, `${FILE_BASE_URL}product_a.html`)).toBe(
      join(output, 'product_a.html'),
    );
    expect(await galleryFilePath(output, `${FILE_BASE_URL}run.sh`)).toBeNull();
    expect(await galleryFilePath(output, `${FILE_BASE_URL}..%2fsecret.txt`)).toBeNull();
    expect(await galleryFilePath(output, `${FILE_BASE_URL}link.png`)).toBeNull();
    expect(await galleryFilePath(output, 'https://example.com/product_a.html')).toBeNull();
  });
});
