// `showcase templates list|lint`.
import { resolve } from 'node:path';
import { ShowcaseError } from '../../../shared/index.ts';
import { ComfyClient } from '../../engine/comfy/index.ts';
import {
  defaultObjectInfoPath,
  defaultTemplatesDir,
  lintLibrary,
  loadTemplates,
  type ObjectInfo,
  parseObjectInfo,
  readObjectInfoFile,
} from '../../engine/templates/index.ts';
import { table } from '../progress.ts';

export async function listCommand(opts: { json?: boolean }): Promise<void> {
  const library = await loadTemplates();
  const summaries = library.list();
  if (opts.json) {
    console.log(JSON.stringify(summaries, null, 2));
    return;
  }
  const rows = summaries.map((t) => [
    t.id,
    t.kind,
    t.family,
    Object.entries(t.params)
      .map(([name, spec]) => {
        const range =
          spec.min !== undefined || spec.max !== undefined ? ` ${spec.min ?? ''}–${spec.max ?? ''}` : '';
        return spec.default !== undefined
          ? `${name}=${String(spec.default).slice(0, 24)}${range}`
          : `${name}${range}`;
      })
      .join(', '),
  ]);
  console.log(table(['id', 'kind', 'family', 'params (default range)'], rows));
  console.log(`\n${summaries.length} templates in ${defaultTemplatesDir()}`);
}

async function liveObjectInfo(url: string): Promise<ObjectInfo> {
  const client = new ComfyClient({ url });
  try {
    return parseObjectInfo(await client.objectInfo());
  } finally {
    await client.close();
  }
}

export async function lintCommand(opts: {
  objectInfo?: string;
  comfy?: string;
  json?: boolean;
}): Promise<void> {
  if (opts.objectInfo && opts.comfy) {
    throw new ShowcaseError('invalid_input', 'Use either --object-info FILE or --comfy URL, not both');
  }
  const library = await loadTemplates();
  // A file given on the command line is relative to where the operator is; the default ships with the app.
  const source = opts.comfy ?? (opts.objectInfo ? resolve(opts.objectInfo) : defaultObjectInfoPath());
  const objectInfo = opts.comfy ? await liveObjectInfo(opts.comfy) : await readObjectInfoFile(source);
  const issues = lintLibrary(library, objectInfo);
  if (opts.json) {
    console.log(JSON.stringify({ source, issues }, null, 2));
  } else if (issues.length === 0) {
    console.log(`${library.size} templates lint clean against ${source}`);
  } else {
    for (const i of issues) {
      const where = [i.nodeId ? `node ${i.nodeId}` : null, i.input ? `input ${i.input}` : null]
        .filter(Boolean)
        .join(' ');
      console.log(`${i.severity.padEnd(7)} ${i.templateId}${where ? ` (${where})` : ''}: ${i.message}`);
    }
  }
  const errors = issues.filter((i) => i.severity === 'error').length;
  if (errors > 0) {
    console.error(`${errors} error(s) in the template library`);
    process.exitCode = 1;
  }
}
