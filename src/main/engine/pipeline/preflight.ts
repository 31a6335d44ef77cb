// The pre-flight of every run (start, resume, re-run), whatever adapter asked for it: probe every
// backend, then check the family's templates against EACH ComfyUI server's /object_info. A server
// that lacks a model file gets no work that needs it (its lane refuses those templates) and the
// log says which server lacks what; when no reachable server has them, nothing starts and one
// message names every server and every missing file with its folder.
//
// A server that answers with an error status is reported as "answered HTTP 500", never as
// "unreachable": the operator looks for a different problem in each case.
import { ShowcaseError, type TemplateFamily, toShowcaseError } from '../../../shared/index.ts';
import { familiesUsedBy } from '../showcase/index.ts';
import { lintLibrary, parseObjectInfo, type TemplateLibrary } from '../templates/index.ts';
import type { BackendPool, ComfyBackend } from './backends.ts';

/** /object_info is large (megabytes on a real server): reuse a server's answer this long. */
const OBJECT_INFO_TTL_MS = 15_000;

interface MissingOnBackend {
  backend: ComfyBackend;
  /** "UNETLoader.unet_name: model file … is not installed on the server — put it in …" */
  lines: string[];
  templates: Set<string>;
}

export class Preflight {
  private readonly pool: BackendPool;
  private readonly templates: TemplateLibrary;
  private readonly log: (line: string) => void;
  /** Per server: its missing-model lines by template id, and when /object_info was read. */
  private readonly cache = new Map<ComfyBackend, { at: number; perTemplate: Map<string, string[]> }>();
  /** The /object_info read each server's "lacks model files" line was last logged for. */
  private readonly loggedAt = new Map<string, number>();

  constructor(pool: BackendPool, templates: TemplateLibrary, log: (line: string) => void) {
    this.pool = pool;
    this.templates = templates;
    this.log = log;
  }

  /** Probes every backend; throws when no ComfyUI server can take work, saying why for each. */
  async probe(): Promise<ComfyBackend[]> {
    await this.pool.probe();
    let online = this.pool.comfy.filter((b) => b.lane.online && !b.lane.retired);
    // A server that was merely slow to answer (busy loading a model) gets a second look.
    if (online.length === 0 && this.pool.comfy.some((b) => b.probeError?.code === 'timeout')) {
      await this.pool.probe();
      online = this.pool.comfy.filter((b) => b.lane.online && !b.lane.retired);
    }
    if (online.length > 0) return online;
    const reasons = this.pool.comfy.map((b) => describeDown(b));
    const answered = this.pool.comfy.some((b) => b.probeError?.code === 'backend_error');
    throw new ShowcaseError(
      answered ? 'backend_error' : 'backend_unreachable',
      `No ComfyUI server can take work: ${reasons.join('; ')}`,
      {
        hint: answered
          ? 'The server is running but failing: look at its console output, restart it, then run again'
          : 'Start ComfyUI (python main.py --listen 127.0.0.1) or set the ComfyUI URL in Settings',
        retryable: true,
        details: { urls: this.pool.comfy.map((b) => b.url) },
      },
    );
  }

  /**
   * Marks, on each reachable server's lane, the templates of `family` it cannot run. Throws
   * `model_missing` when no reachable server can run all of them.
   */
  async checkModels(family: TemplateFamily, backends?: ComfyBackend[]): Promise<void> {
    const candidates = backends ?? this.pool.comfy.filter((b) => b.lane.online && !b.lane.retired);
    const families = familiesUsedBy(family);
    const wanted = this.templates.all().filter((t) => families.includes(t.family));
    const results = await Promise.all(candidates.map((b) => this.missingOn(b, wanted)));
    const checked = results.filter((r): r is MissingOnBackend => r !== null);
    for (const r of checked) {
      // Only this family's templates change; another family checked earlier keeps its marks.
      const cannot = new Set(
        [...(r.backend.lane.cannotRun ?? [])].filter((id) => !wanted.some((t) => t.id === id)),
      );
      for (const id of r.templates) cannot.add(id);
      r.backend.lane.cannotRun = cannot;
    }
    const lacking = checked.filter((r) => r.templates.size > 0);
    if (lacking.length === 0) return;
    const able = candidates.filter((b) => !lacking.some((r) => r.backend === b));
    if (able.length > 0) {
      for (const r of lacking) {
        const at = this.cache.get(r.backend)?.at ?? 0;
        // Once per /object_info read: a pre-flight right before a run would say it twice.
        const key = `${r.backend.url} ${[...r.templates].join(',')}`;
        if (this.loggedAt.get(key) === at) continue;
        this.loggedAt.set(key, at);
        this.log(
          `ComfyUI at ${r.backend.url} lacks model files for ${[...r.templates].join(', ')}: that work goes to ${able.map((b) => b.url).join(', ')}\n  ${r.lines.join('\n  ')}`,
        );
      }
      return;
    }
    const text = lacking
      .map((r) => `ComfyUI at ${r.backend.url} is missing model files:\n  ${r.lines.join('\n  ')}`)
      .join('\n');
    throw new ShowcaseError('model_missing', text, {
      hint: 'Download the files into those folders (see docs/operations.md), then run again',
      details: {
        files: [...new Set(lacking.flatMap((r) => r.lines))],
        backends: lacking.map((r) => r.backend.url),
      },
    });
  }

  /**
   * What `models.preflight` answers: every ComfyUI server, whether it answered, and the model files
   * of `family` it lacks. Throws as `probe` and `checkModels` do when no server can take the work.
   */
  async report(family: TemplateFamily) {
    const online = await this.probe();
    await this.checkModels(family, online);
    const families = familiesUsedBy(family);
    const wanted = this.templates.all().filter((t) => families.includes(t.family));
    return this.pool.comfy.map((backend) => {
      const cached = this.cache.get(backend);
      const missing = cached ? filterTo(backend, cached.perTemplate, wanted).lines : [];
      return { url: backend.url, online: online.includes(backend), missing };
    });
  }

  private async missingOn(
    backend: ComfyBackend,
    wanted: ReturnType<TemplateLibrary['all']>,
  ): Promise<MissingOnBackend | null> {
    const cached = this.cache.get(backend);
    if (cached && Date.now() - cached.at < OBJECT_INFO_TTL_MS) {
      return filterTo(backend, cached.perTemplate, wanted);
    }
    let info: ReturnType<typeof parseObjectInfo>;
    try {
      info = parseObjectInfo(await backend.client.objectInfo());
    } catch (err) {
      // Cannot tell: let it work; a missing model then fails its job with a named error.
      this.log(`ComfyUI at ${backend.url}: could not read /object_info (${toShowcaseError(err).message})`);
      return null;
    }
    const issues = lintLibrary(this.templates.all(), info).filter(
      (i) => i.severity === 'error' && i.message.includes('is not installed'),
    );
    const perTemplate = new Map<string, string[]>();
    for (const issue of issues) {
      const line = issue.message.replace(/ \(the server lists:.*$/, '');
      const lines = perTemplate.get(issue.templateId) ?? [];
      if (!lines.includes(line)) lines.push(line);
      perTemplate.set(issue.templateId, lines);
    }
    this.cache.set(backend, { at: Date.now(), perTemplate });
    return filterTo(backend, perTemplate, wanted);
  }
}

function filterTo(
  backend: ComfyBackend,
  perTemplate: Map<string, string[]>,
  wanted: ReturnType<TemplateLibrary['all']>,
): MissingOnBackend {
  const templates = new Set(wanted.map((t) => t.id).filter((id) => perTemplate.has(id)));
  const lines = [...new Set([...templates].flatMap((id) => perTemplate.get(id) ?? []))];
  return { backend, lines, templates };
}

function describeDown(b: ComfyBackend): string {
  const e = b.probeError;
  if (!e) return `ComfyUI at ${b.url} did not answer`;
  // "ComfyUI answered GET /system_stats with HTTP 500: …" / "ComfyUI at … is unreachable (ECONNREFUSED)"
  if (e.message.includes(b.url)) return e.message;
  return `ComfyUI at ${b.url}: ${e.message.replace(/^ComfyUI\s+/, '')}`;
}
