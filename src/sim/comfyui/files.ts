// The simulator's output/, input/ and temp/ folders: annotated names (` [output]`), SaveImage file
// naming with counters continued from disk (comfyui.md §9.3), and a small multipart/form-data reader
// for POST /upload/image.
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PyError } from './pyjson.ts';

export type FolderType = 'output' | 'input' | 'temp';

const imageExtensions = new Set(['.png', '.jpg', '.jpeg', '.webp', '.gif', '.bmp', '.tif', '.tiff', '.avif']);

export class SimFiles {
  readonly output: string;
  readonly input: string;
  readonly temp: string;
  /** Where a real server would keep its model files (never created: models are an inventory). */
  readonly modelsRoot: string;

  /** The temp directory this instance created (removed by `dispose`); null for a caller's folder. */
  private readonly ownedRoot: string | null;

  private constructor(output: string, ownedRoot: string | null) {
    this.ownedRoot = ownedRoot;
    this.output = path.resolve(output);
    const parent = path.dirname(this.output);
    this.input = path.join(parent, 'input');
    this.temp = path.join(parent, 'temp');
    this.modelsRoot = path.join(parent, 'models');
    for (const dir of [this.output, this.input, this.temp]) mkdirSync(dir, { recursive: true });
  }

  /** `outputDir` (or a fresh temp dir's `output/`), with `input/` and `temp/` beside it. */
  static async create(outputDir?: string): Promise<SimFiles> {
    if (outputDir !== undefined) return new SimFiles(outputDir, null);
    const root = await mkdtemp(path.join(tmpdir(), 'comfy-sim-'));
    return new SimFiles(path.join(root, 'output'), root);
  }

  /** Removes the temp directory `create` made (a caller's own output folder is left alone). */
  async dispose(): Promise<void> {
    if (this.ownedRoot) await rm(this.ownedRoot, { recursive: true, force: true });
  }

  dirByType(type: string): string | null {
    if (type === 'output') return this.output;
    if (type === 'input') return this.input;
    if (type === 'temp') return this.temp;
    return null;
  }

  /** Splits `name [output]` style annotations: returns the bare name and the folder it points at. */
  annotated(name: string): { name: string; base: string | null } {
    for (const type of ['output', 'input', 'temp'] as const) {
      const suffix = ` [${type}]`;
      if (name.endsWith(suffix)) return { name: name.slice(0, -suffix.length), base: this.dirByType(type) };
    }
    return { name, base: null };
  }

  /** The absolute path LoadImage reads for `name` (input/ unless annotated). */
  imagePath(name: string): string {
    const { name: bare, base } = this.annotated(name);
    return path.resolve(base ?? this.input, bare);
  }

  imageExists(name: string): boolean {
    return existsSync(this.imagePath(name));
  }

  /** Top-level image files of input/, sorted (LoadImage's COMBO list). */
  inputFiles(): string[] {
    let names: string[];
    try {
      names = readdirSync(this.input);
    } catch {
      return [];
    }
    return names
      .filter((n) => imageExtensions.has(path.extname(n).toLowerCase()))
      .filter((n) => {
        try {
          return statSync(path.join(this.input, n)).isFile();
        } catch {
          return false;
        }
      })
      .sort();
  }

  /** temp/ is wiped whenever the server starts. */
  wipeTemp(): void {
    rmSync(this.temp, { recursive: true, force: true });
    mkdirSync(this.temp, { recursive: true });
  }

  /** True when `candidate` is `base` or inside it. */
  static inside(base: string, candidate: string): boolean {
    const rel = path.relative(base, candidate);
    return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
  }

  /**
   * SaveImage's path rule: sub-folders from the prefix, `%width%`/`%height%`/date substitutions,
   * counter = 1 + the highest counter among `<prefix>_<digits>_…` files already in that folder.
   */
  saveImagePath(
    dir: string,
    filenamePrefix: string,
    width: number,
    height: number,
    now: Date,
  ): { folder: string; filename: string; counter: number; subfolder: string } {
    let prefix = filenamePrefix;
    if (prefix.includes('%')) prefix = substituteVars(prefix, width, height, now);
    const norm = pyNormpath(prefix);
    const subfolder = pyDirname(norm);
    const filename = norm.slice(norm.lastIndexOf('/') + 1);
    const folder = path.resolve(dir, subfolder);
    if (!SimFiles.inside(dir, folder)) {
      throw new PyError(
        'Exception',
        `**** ERROR: Saving image outside the output folder is not allowed.\n full_output_folder: ${folder}\n         output_dir: ${dir}`,
      );
    }
    let counter = 1;
    let entries: string[] = [];
    try {
      entries = readdirSync(folder);
    } catch {
      mkdirSync(folder, { recursive: true });
    }
    const want = filename.toLowerCase();
    for (const entry of entries) {
      const head = entry.slice(0, filename.length + 1);
      if (head.slice(0, -1).toLowerCase() !== want || !head.endsWith('_')) continue;
      const digits = Number.parseInt(entry.slice(filename.length + 1).split('_')[0] ?? '', 10);
      const n = /^\d+$/.test(entry.slice(filename.length + 1).split('_')[0] ?? '') ? digits : 0;
      counter = Math.max(counter, n + 1);
    }
    return { folder, filename, counter, subfolder };
  }
}

function substituteVars(input: string, width: number, height: number, now: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return input
    .replaceAll('%width%', String(width))
    .replaceAll('%height%', String(height))
    .replaceAll('%year%', String(now.getFullYear()))
    .replaceAll('%month%', two(now.getMonth() + 1))
    .replaceAll('%day%', two(now.getDate()))
    .replaceAll('%hour%', two(now.getHours()))
    .replaceAll('%minute%', two(now.getMinutes()))
    .replaceAll('%second%', two(now.getSeconds()));
}

/** Python `os.path.normpath` on a POSIX server. */
export function pyNormpath(p: string): string {
  if (p === '') return '.';
  const absolute = p.startsWith('/');
  const parts: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..' && parts.length > 0 && parts[parts.length - 1] !== '..') parts.pop();
    else if (part === '..' && absolute) continue;
    else parts.push(part);
  }
  const joined = parts.join('/');
  if (absolute) return `/${joined}`;
  return joined === '' ? '.' : joined;
}

/** Python `os.path.dirname`: '' when there is no slash. */
export function pyDirname(p: string): string {
  const i = p.lastIndexOf('/');
  if (i < 0) return '';
  const head = p.slice(0, i + 1);
  return /^\/+$/.test(head) ? head : head.replace(/\/+$/, '');
}

export interface FormPart {
  name: string;
  filename: string | undefined;
  contentType: string | undefined;
  data: Buffer;
}

/** Parses a multipart/form-data body. Returns null when the content type is not multipart. */
export function parseMultipart(body: Buffer, contentType: string | undefined): FormPart[] | null {
  if (!contentType || !/^multipart\/form-data/i.test(contentType)) return null;
  const match = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  const boundary = match?.[1] ?? match?.[2]?.trim();
  if (!boundary) return [];
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: FormPart[] = [];
  let pos = body.indexOf(delimiter);
  while (pos >= 0) {
    let start = pos + delimiter.length;
    if (body[start] === 0x2d && body[start + 1] === 0x2d) break; // closing "--boundary--"
    if (body[start] === 0x0d && body[start + 1] === 0x0a) start += 2;
    const next = body.indexOf(delimiter, start);
    if (next < 0) break;
    let end = next;
    if (body[end - 2] === 0x0d && body[end - 1] === 0x0a) end -= 2;
    const chunk = body.subarray(start, end);
    const headerEnd = chunk.indexOf('\r\n\r\n');
    if (headerEnd >= 0) {
      const headers = chunk.subarray(0, headerEnd).toString('utf8');
      const data = chunk.subarray(headerEnd + 4);
      const disposition = /content-disposition:([^\r\n]*)/i.exec(headers)?.[1] ?? '';
      const name = /\bname="([^"]*)"/i.exec(disposition)?.[1];
      const filename = /\bfilename="([^"]*)"/i.exec(disposition)?.[1];
      const type = /content-type:\s*([^\r\n]*)/i.exec(headers)?.[1]?.trim();
      if (name !== undefined) parts.push({ name, filename, contentType: type, data: Buffer.from(data) });
    }
    pos = next;
  }
  return parts;
}
