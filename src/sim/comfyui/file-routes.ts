import { existsSync, statSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { parseMultipart, pyNormpath, SimFiles } from './files.ts';
import { empty, json, mimeTypes, type Reply, type RequestContext, type SimContext } from './http-reply.ts';
import { PyError } from './pyjson.ts';

export async function viewFile(sim: SimContext, ctx: RequestContext): Promise<Reply> {
  const { files } = sim;
  const q = ctx.url.searchParams;
  const rawName = q.get('filename');
  if (rawName === null) return empty(404);
  const { name, base } = files.annotated(rawName);
  if (!name) return empty(400);
  if (name.startsWith('/') || name.includes('..')) return empty(400);
  let dir = base ?? files.dirByType(q.get('type') ?? 'output');
  if (dir === null) return empty(400);
  const subfolder = q.get('subfolder');
  if (subfolder !== null) {
    const full = path.resolve(dir, subfolder);
    if (!SimFiles.inside(dir, full)) return empty(403);
    dir = full;
  }
  const filename = path.basename(name);
  const file = path.join(dir, filename);
  if (!existsSync(file) || !statSync(file).isFile()) return empty(404);
  const disposition = { 'Content-Disposition': `filename="${filename}"` };
  const preview = q.get('preview');
  const channel = q.get('channel') ?? 'rgba';
  if (preview !== null) {
    // The preview branch reads `channel` with an empty default (so only an explicit alpha forces webp).
    const previewChannel = q.get('channel') ?? '';
    const parts = preview.split(';');
    let format = parts[0] ?? '';
    if ((format !== 'webp' && format !== 'jpeg') || previewChannel.includes('a')) format = 'webp';
    const last = parts[parts.length - 1] ?? '';
    const quality = /^\d+$/.test(last) ? Number(last) : 90;
    let img = sharp(file);
    if (format === 'jpeg' || previewChannel === 'rgb') img = img.removeAlpha();
    const out =
      format === 'jpeg' ? await img.jpeg({ quality }).toBuffer() : await img.webp({ quality }).toBuffer();
    return { status: 200, body: out, contentType: `image/${format}`, headers: disposition };
  }
  if (channel === 'rgb') {
    const out = await sharp(file).removeAlpha().png().toBuffer();
    return { status: 200, body: out, contentType: 'image/png', headers: disposition };
  }
  if (channel === 'a') {
    const meta = await sharp(file).metadata();
    const alpha = meta.hasAlpha
      ? await sharp(file).extractChannel(3).raw().toBuffer()
      : Buffer.alloc((meta.width ?? 1) * (meta.height ?? 1), 255);
    const width = meta.width ?? 1;
    const height = meta.height ?? 1;
    const rgba = Buffer.alloc(width * height * 4);
    for (let i = 0; i < width * height; i++) rgba[i * 4 + 3] = alpha[i] ?? 255;
    const out = await sharp(rgba, { raw: { width, height, channels: 4 } })
      .png()
      .toBuffer();
    return { status: 200, body: out, contentType: 'image/png', headers: disposition };
  }
  const contentType = mimeTypes[path.extname(filename).toLowerCase()] ?? 'application/octet-stream';
  return { status: 200, body: await readFile(file), contentType, headers: disposition };
}

export async function uploadImage(sim: SimContext, ctx: RequestContext): Promise<Reply> {
  const { files } = sim;
  const body = await ctx.body();
  const contentType = ctx.headers['content-type'];
  const parts = parseMultipart(body, contentType);
  const fields = new Map<string, string>();
  let image: { filename: string | undefined; data: Buffer } | null = null;
  if (parts === null) {
    // A urlencoded form has no file part: `image.file` would not exist.
    const form = new URLSearchParams(body.toString('utf8'));
    if (form.has('image')) throw new PyError('AttributeError', "'str' object has no attribute 'file'");
    return empty(400);
  }
  for (const part of parts) {
    if (part.name !== 'image') fields.set(part.name, part.data.toString('utf8'));
    else if (part.filename === undefined) {
      // A plain text field called "image" has no `.file`: the server fails with a 500.
      throw new PyError('AttributeError', "'str' object has no attribute 'file'");
    } else image ??= { filename: part.filename, data: part.data };
  }
  const type = fields.get('type') ?? 'input';
  const dir = files.dirByType(type);
  if (dir === null) throw new PyError('UnboundLocalError', "cannot access local variable 'type_dir'");
  if (!image) return empty(400);
  let filename = image.filename ?? '';
  if (!filename) return empty(400);
  const subfolder = fields.get('subfolder') ?? '';
  const folder = path.resolve(dir, pyNormpath(subfolder));
  let filepath = path.resolve(folder, filename);
  if (!SimFiles.inside(dir, filepath)) return empty(400);
  await mkdir(folder, { recursive: true });
  const overwrite = fields.get('overwrite');
  let duplicate = false;
  if (overwrite !== 'true' && overwrite !== '1') {
    const ext = path.extname(filename);
    const stem = filename.slice(0, filename.length - ext.length);
    let i = 1;
    while (existsSync(filepath)) {
      if ((await readFile(filepath)).equals(image.data)) {
        duplicate = true;
        break;
      }
      filename = `${stem} (${i})${ext}`;
      filepath = path.join(folder, filename);
      i += 1;
    }
  }
  if (!duplicate) await writeFile(filepath, image.data);
  return json({ name: filename, subfolder, type });
}
