// Builds the two shipped n8n workflows from one description, so node names, connections and the Code
// nodes' JavaScript (code-nodes.js) stay consistent. Run `node resources/n8n/build.ts` after an edit;
// `node resources/n8n/build.ts --check` exits 1 when the committed JSON differs from a fresh build
// (the structural test does the same comparison).
//
// Node types, typeVersions and parameter names follow ../shared/protocols/n8n.md (the "ship" column)
// and were run on a real n8n 2.41.1 by the n8n test tier (scripts/test-n8n.sh).

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';

export interface N8nNode {
  id: string;
  name: string;
  type: string;
  typeVersion: number;
  position: [number, number];
  parameters: Record<string, unknown>;
  webhookId?: string;
  credentials?: Record<string, { id: null; name: string }>;
  onError?: 'continueRegularOutput';
  alwaysOutputData?: boolean;
}

export interface N8nConnection {
  node: string;
  type: 'main';
  index: number;
}

export interface N8nWorkflow {
  name: string;
  nodes: N8nNode[];
  connections: Record<string, { main: N8nConnection[][] }>;
  settings: Record<string, unknown>;
  pinData: Record<string, never>;
  meta: Record<string, unknown>;
  active: false;
  tags: [];
}

/** The credential names the workflows reference (a team creates credentials with exactly these names). */
export const CREDENTIAL_NAMES = {
  postgres: 'Showcase Postgres',
  smtp: 'Showcase SMTP',
  httpBearerAuth: 'Showcase API token',
} as const;

export const WEBHOOK_PATHS = {
  direct: 'product-showcase',
  viaApp: 'product-showcase-via-app',
} as const;

const HERE = dirname(fileURLToPath(import.meta.url));
export const WORKFLOW_FILES = {
  direct: join(HERE, 'product-showcase.json'),
  viaApp: join(HERE, 'product-showcase-via-app.json'),
} as const;

/** Stable UUID-shaped ids (a rebuild must not change the file). */
function stableUuid(...parts: string[]): string {
  const h = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const CODE_NODES = join(HERE, 'code-nodes.js');

/** `export function <name>(…) { … }` in code-nodes.js, read from the source text. */
function codeFunction(name: string): { declaration: string; body: string } {
  const source = readFileSync(CODE_NODES, 'utf8');
  const start = source.indexOf(`\nexport function ${name}(`);
  if (start < 0) throw new Error(`code-nodes.js has no function ${name}`);
  const from = source.indexOf('{\n', start) + 2;
  const end = source.indexOf('\n}\n', from);
  if (end < 0) throw new Error(`code-nodes.js: ${name} does not end with a "}" line`);
  return { declaration: source.slice(start + '\nexport '.length, end + 2), body: source.slice(from, end) };
}

/**
 * A Code node's jsCode: the body of `name` (not its signature), dedented, preceded by the helper
 * functions it calls. Read from the source text rather than Function#toString, whose output depends
 * on the loader (a bundler's transform rewrites it).
 */
function body(name: string, helpers: string[] = []): string {
  const code = codeFunction(name)
    .body.split('\n')
    .map((line) => line.replace(/^ {2}/, ''))
    .join('\n');
  return [...helpers.map((helper) => codeFunction(helper).declaration), code].join('\n\n');
}

const cfg = (key: string): string => `$('Config').first().json.${key}`;

class WorkflowBuilder {
  readonly nodes: N8nNode[] = [];
  readonly connections: Record<string, { main: N8nConnection[][] }> = {};
  readonly workflowName: string;
  constructor(workflowName: string) {
    this.workflowName = workflowName;
  }

  add(
    name: string,
    type: string,
    typeVersion: number,
    position: [number, number],
    parameters: Record<string, unknown>,
    extra: Partial<N8nNode> = {},
  ): this {
    this.nodes.push({
      id: stableUuid(this.workflowName, name),
      name,
      type,
      typeVersion,
      position,
      parameters,
      ...extra,
    });
    return this;
  }

  code(name: string, position: [number, number], jsCode: string): this {
    return this.add(name, 'n8n-nodes-base.code', 2, position, { jsCode });
  }

  /** from[output] → to[input] */
  connect(from: string, to: string, output = 0, input = 0): this {
    const entry = this.connections[from] ?? { main: [] };
    this.connections[from] = entry;
    const outputs = entry.main;
    while (outputs.length <= output) outputs.push([]);
    outputs[output]?.push({ node: to, type: 'main', index: input });
    return this;
  }

  chain(...names: string[]): this {
    for (let i = 1; i < names.length; i++) this.connect(names[i - 1] as string, names[i] as string);
    return this;
  }

  build(): N8nWorkflow {
    return {
      name: this.workflowName,
      nodes: this.nodes,
      connections: this.connections,
      settings: { executionOrder: 'v1' },
      pinData: {},
      meta: { templateCredsSetupCompleted: false },
      active: false,
      tags: [],
    };
  }
}

function webhook(path: string): [Record<string, unknown>, Partial<N8nNode>] {
  return [
    { httpMethod: 'POST', path, responseMode: 'responseNode', options: {} },
    { webhookId: stableUuid('webhook', path) },
  ];
}

function ifCondition(
  leftValue: string,
  operator: Record<string, unknown>,
  rightValue: unknown = '',
): Record<string, unknown> {
  return {
    conditions: {
      options: { caseSensitive: true, leftValue: '', typeValidation: 'strict', version: 2 },
      conditions: [
        { id: stableUuid('condition', leftValue, String(rightValue)), leftValue, rightValue, operator },
      ],
      combinator: 'and',
    },
    options: {},
  };
}
const isTrue = (expression: string) =>
  ifCondition(expression, { type: 'boolean', operation: 'true', singleValue: true });
const equals = (expression: string, value: string) =>
  ifCondition(expression, { type: 'string', operation: 'equals' }, value);

/** An HTTP Request whose failures become data (statusCode / error) that a Code node turns into a clear answer. */
function httpJson(
  method: 'GET' | 'POST',
  url: string,
  jsonBody: string | null,
  timeoutMs: number,
  auth: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    method,
    url,
    ...auth,
    ...(jsonBody === null ? {} : { sendBody: true, specifyBody: 'json', jsonBody }),
    options: { timeout: timeoutMs, response: { response: { fullResponse: true, neverError: true } } },
  };
}
const softFail = { onError: 'continueRegularOutput' } as const;

const respondJson = (responseBody: string, responseCode: number | string): Record<string, unknown> => ({
  respondWith: 'json',
  responseBody,
  options: { responseCode },
});

function postgresInsert(source: string): Record<string, unknown> {
  const g = (path: string) => `={{ $json.gallery.${path} }}`;
  const value: Record<string, string> = {
    id: g('galleryId'),
    product_id: g('product.id'),
    product_name: g('product.name'),
    status: g('status'),
    title: g('copy.title'),
    tagline: g('copy.tagline'),
    copy: '={{ JSON.stringify($json.gallery.copy) }}',
    hero_url: '={{ $json.gallery.hero ? $json.gallery.hero.url : null }}',
    variation_urls: '={{ JSON.stringify($json.gallery.variations.map((v) => v.url)) }}',
    base_seed: g('seed'),
    source,
  };
  const schema = Object.keys(value).map((id) => ({
    id,
    displayName: id,
    required: ['id', 'product_id', 'product_name', 'status', 'copy', 'variation_urls', 'source'].includes(id),
    defaultMatch: id === 'id',
    display: true,
    type: id === 'base_seed' ? 'number' : 'string',
    canBeUsedToMatch: true,
  }));
  return {
    operation: 'insert',
    schema: { __rl: true, mode: 'list', value: 'public' },
    table: { __rl: true, mode: 'name', value: 'product_galleries' },
    columns: { mappingMode: 'defineBelow', value, matchingColumns: [], schema },
    options: {},
  };
}

function sendEmail(attachHero: boolean): Record<string, unknown> {
  const mail = (key: string) =>
    `={{ $('${attachHero ? 'Assemble gallery' : 'Read app gallery'}').first().json.email.${key} }}`;
  return {
    fromEmail: `={{ ${cfg('mailFrom')} }}`,
    toEmail: `={{ ${cfg('mailTo')} }}`,
    subject: mail('subject'),
    emailFormat: 'both',
    text: mail('text'),
    html: mail('html'),
    options: { appendAttribution: false, ...(attachHero ? { attachments: 'hero' } : {}) },
  };
}

const credentials = (type: keyof typeof CREDENTIAL_NAMES) => ({
  [type]: { id: null, name: CREDENTIAL_NAMES[type] },
});

export function buildDirectWorkflow(): N8nWorkflow {
  const w = new WorkflowBuilder('Product showcase (Ollama + ComfyUI)');
  const [hookParams, hookExtra] = webhook(WEBHOOK_PATHS.direct);
  w.add('Webhook', 'n8n-nodes-base.webhook', 2, [0, 300], hookParams, hookExtra)
    .code('Config', [220, 300], body('showcaseConfig'))
    .code('Validate product', [440, 300], body('validateProduct'))
    .add('Product valid?', 'n8n-nodes-base.if', 2.2, [660, 300], isTrue('={{ $json.ok }}'))
    .add(
      'Reject invalid payload',
      'n8n-nodes-base.respondToWebhook',
      1.1,
      [880, 520],
      respondJson('={{ { error: $json.error } }}', 400),
    )
    .code('Build copy request', [880, 200], body('buildCopyRequest'))
    .add(
      'Ollama chat',
      'n8n-nodes-base.httpRequest',
      4.2,
      [1100, 200],
      httpJson(
        'POST',
        `={{ ${cfg('ollamaUrl')} }}/api/chat`,
        '={{ JSON.stringify($json.request) }}',
        600_000,
      ),
      softFail,
    )
    .code('Parse copy', [1320, 200], body('parseCopy'))
    .add('Copy valid?', 'n8n-nodes-base.if', 2.2, [1540, 200], isTrue('={{ $json.ok }}'))
    .add(
      'Respond backend error',
      'n8n-nodes-base.respondToWebhook',
      1.1,
      [1760, 520],
      respondJson('={{ { error: $json.error } }}', '={{ $json.status || 502 }}'),
    )
    .code('Build hero job', [1760, 200], body('buildHeroJob'))
    .add(
      'Queue hero',
      'n8n-nodes-base.httpRequest',
      4.2,
      [1980, 200],
      httpJson('POST', `={{ ${cfg('comfyUrl')} }}/prompt`, '={{ JSON.stringify($json.request) }}', 60_000),
      softFail,
    )
    .add(
      'Wait for hero',
      'n8n-nodes-base.wait',
      1.1,
      [2200, 200],
      { resume: 'timeInterval', amount: `={{ ${cfg('pollSeconds')} }}`, unit: 'seconds' },
      { webhookId: stableUuid('wait', 'hero') },
    )
    .add(
      'Hero history',
      'n8n-nodes-base.httpRequest',
      4.2,
      [2420, 200],
      httpJson(
        'GET',
        `={{ ${cfg('comfyUrl')} }}/history/{{ $('Build hero job').first().json.promptId }}`,
        null,
        60_000,
      ),
      softFail,
    )
    .code('Read hero history', [2640, 200], body('readHeroHistory'))
    .add('Hero pending?', 'n8n-nodes-base.if', 2.2, [2860, 200], equals('={{ $json.state }}', 'pending'))
    .add('Hero rendered?', 'n8n-nodes-base.if', 2.2, [3080, 300], equals('={{ $json.state }}', 'done'))
    .add('Merge hero and variations', 'n8n-nodes-base.merge', 3, [3960, 100], { mode: 'append' })
    .code('Plan variations', [3300, 400], body('planVariations'))
    .add('Loop over variations', 'n8n-nodes-base.splitInBatches', 3, [3520, 400], {
      batchSize: 1,
      options: {},
    })
    .add(
      'Queue variation',
      'n8n-nodes-base.httpRequest',
      4.2,
      [3740, 560],
      httpJson('POST', `={{ ${cfg('comfyUrl')} }}/prompt`, '={{ JSON.stringify($json.request) }}', 60_000),
      softFail,
    )
    .add(
      'Wait for variation',
      'n8n-nodes-base.wait',
      1.1,
      [3960, 560],
      { resume: 'timeInterval', amount: `={{ ${cfg('pollSeconds')} }}`, unit: 'seconds' },
      { webhookId: stableUuid('wait', 'variation') },
    )
    .add(
      'Variation history',
      'n8n-nodes-base.httpRequest',
      4.2,
      [4180, 560],
      httpJson(
        'GET',
        `={{ ${cfg('comfyUrl')} }}/history/{{ $('Loop over variations').first().json.promptId }}`,
        null,
        60_000,
      ),
      softFail,
    )
    .code('Read variation history', [4400, 560], body('readVariationHistory'))
    .add('Variation pending?', 'n8n-nodes-base.if', 2.2, [4620, 560], equals('={{ $json.state }}', 'pending'))
    .code('Assemble gallery', [4180, 100], body('assembleGallery', ['composeEmail']))
    .add('Insert gallery row', 'n8n-nodes-base.postgres', 2.5, [4400, 100], postgresInsert('n8n'), {
      credentials: credentials('postgres'),
    })
    .add(
      'Download hero',
      'n8n-nodes-base.httpRequest',
      4.2,
      [4620, 100],
      {
        method: 'GET',
        url: `={{ ${cfg('comfyUrl')} }}/view`,
        sendQuery: true,
        queryParameters: {
          parameters: [
            { name: 'filename', value: "={{ $('Assemble gallery').first().json.gallery.hero.filename }}" },
            { name: 'subfolder', value: "={{ $('Assemble gallery').first().json.gallery.hero.subfolder }}" },
            { name: 'type', value: 'output' },
          ],
        },
        options: {
          timeout: 60_000,
          response: { response: { responseFormat: 'file', outputPropertyName: 'hero' } },
        },
      },
      softFail,
    )
    .add('Send gallery e-mail', 'n8n-nodes-base.emailSend', 2.1, [4840, 100], sendEmail(true), {
      credentials: credentials('smtp'),
    })
    .add(
      'Respond with gallery',
      'n8n-nodes-base.respondToWebhook',
      1.1,
      [5060, 100],
      respondJson("={{ $('Assemble gallery').first().json.gallery }}", 200),
    );

  w.chain('Webhook', 'Config', 'Validate product', 'Product valid?')
    .connect('Product valid?', 'Build copy request', 0)
    .connect('Product valid?', 'Reject invalid payload', 1)
    .chain('Build copy request', 'Ollama chat', 'Parse copy', 'Copy valid?')
    .connect('Copy valid?', 'Build hero job', 0)
    .connect('Copy valid?', 'Respond backend error', 1)
    .chain(
      'Build hero job',
      'Queue hero',
      'Wait for hero',
      'Hero history',
      'Read hero history',
      'Hero pending?',
    )
    .connect('Hero pending?', 'Wait for hero', 0)
    .connect('Hero pending?', 'Hero rendered?', 1)
    // The hero waits in the Merge (input 0) while the variations render; the loop's "done" output
    // (output 0) brings the four results as input 1.
    .connect('Hero rendered?', 'Merge hero and variations', 0, 0)
    .connect('Hero rendered?', 'Plan variations', 0)
    .connect('Hero rendered?', 'Respond backend error', 1)
    .chain('Plan variations', 'Loop over variations')
    .connect('Loop over variations', 'Merge hero and variations', 0, 1)
    .connect('Loop over variations', 'Queue variation', 1)
    .chain(
      'Queue variation',
      'Wait for variation',
      'Variation history',
      'Read variation history',
      'Variation pending?',
    )
    .connect('Variation pending?', 'Wait for variation', 0)
    .connect('Variation pending?', 'Loop over variations', 1)
    .chain('Merge hero and variations', 'Assemble gallery', 'Insert gallery row', 'Download hero')
    .chain('Download hero', 'Send gallery e-mail', 'Respond with gallery');
  return w.build();
}

export function buildViaAppWorkflow(): N8nWorkflow {
  const w = new WorkflowBuilder('Product showcase via the studio API');
  const [hookParams, hookExtra] = webhook(WEBHOOK_PATHS.viaApp);
  const bearer = { authentication: 'genericCredentialType', genericAuthType: 'httpBearerAuth' };
  w.add('Webhook', 'n8n-nodes-base.webhook', 2, [0, 300], hookParams, hookExtra)
    .code('Config', [220, 300], body('viaAppConfig'))
    .code('Validate product', [440, 300], body('validateProduct'))
    .add('Product valid?', 'n8n-nodes-base.if', 2.2, [660, 300], isTrue('={{ $json.ok }}'))
    .add(
      'Reject invalid payload',
      'n8n-nodes-base.respondToWebhook',
      1.1,
      [880, 520],
      respondJson('={{ { error: $json.error } }}', 400),
    )
    .add(
      'Start showcase in app',
      'n8n-nodes-base.httpRequest',
      4.2,
      [880, 200],
      httpJson(
        'POST',
        `={{ ${cfg('appUrl')} }}/api/showcases`,
        `={{ JSON.stringify({ product: $json.product, callbackUrl: $execution.resumeUrl, options: { seed: $json.seed, variations: ${cfg('variations')} } }) }}`,
        60_000,
        bearer,
      ),
      { ...softFail, credentials: credentials('httpBearerAuth') },
    )
    .code('Check app answer', [1100, 200], body('checkAppAnswer'))
    .add('App accepted?', 'n8n-nodes-base.if', 2.2, [1320, 200], isTrue('={{ $json.ok }}'))
    .add(
      'Respond backend error',
      'n8n-nodes-base.respondToWebhook',
      1.1,
      [1540, 520],
      respondJson('={{ { error: $json.error } }}', '={{ $json.status || 502 }}'),
    )
    .add(
      'Wait for app callback',
      'n8n-nodes-base.wait',
      1.1,
      [1540, 200],
      {
        resume: 'webhook',
        httpMethod: 'POST',
        responseMode: 'onReceived',
        limitWaitTime: true,
        limitType: 'afterTimeInterval',
        resumeAmount: `={{ ${cfg('waitMinutes')} }}`,
        resumeUnit: 'minutes',
        options: {},
      },
      { webhookId: stableUuid('wait', 'app callback') },
    )
    .add(
      'Get gallery document',
      'n8n-nodes-base.httpRequest',
      4.2,
      [1760, 200],
      httpJson(
        'GET',
        `={{ ${cfg('appUrl')} }}/api/galleries/{{ encodeURIComponent($('Check app answer').first().json.galleryId) }}`,
        null,
        60_000,
        bearer,
      ),
      { ...softFail, credentials: credentials('httpBearerAuth') },
    )
    .code('Read app gallery', [1980, 200], body('readAppGallery', ['composeEmail']))
    .add('Gallery ready?', 'n8n-nodes-base.if', 2.2, [2200, 200], isTrue('={{ $json.ok }}'))
    .add('Insert gallery row', 'n8n-nodes-base.postgres', 2.5, [2420, 100], postgresInsert('app'), {
      credentials: credentials('postgres'),
    })
    .add('Send gallery e-mail', 'n8n-nodes-base.emailSend', 2.1, [2640, 100], sendEmail(false), {
      credentials: credentials('smtp'),
    })
    .add(
      'Respond with gallery',
      'n8n-nodes-base.respondToWebhook',
      1.1,
      [2860, 100],
      respondJson("={{ $('Read app gallery').first().json.gallery }}", 200),
    );

  w.chain('Webhook', 'Config', 'Validate product', 'Product valid?')
    .connect('Product valid?', 'Start showcase in app', 0)
    .connect('Product valid?', 'Reject invalid payload', 1)
    .chain('Start showcase in app', 'Check app answer', 'App accepted?')
    .connect('App accepted?', 'Wait for app callback', 0)
    .connect('App accepted?', 'Respond backend error', 1)
    .chain('Wait for app callback', 'Get gallery document', 'Read app gallery', 'Gallery ready?')
    .connect('Gallery ready?', 'Insert gallery row', 0)
    .connect('Gallery ready?', 'Respond backend error', 1)
    .chain('Insert gallery row', 'Send gallery e-mail', 'Respond with gallery');
  return w.build();
}

export function renderWorkflow(workflow: N8nWorkflow): string {
  return `${JSON.stringify(workflow, null, 2)}\n`;
}

/** Whether the committed file holds exactly the built workflow (formatting aside: Biome formats it). */
export function isUpToDate(path: string, workflow: N8nWorkflow): boolean {
  try {
    return isDeepStrictEqual(JSON.parse(readFileSync(path, 'utf8')), JSON.parse(renderWorkflow(workflow)));
  } catch {
    return false;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const workflows = [
    { path: WORKFLOW_FILES.direct, workflow: buildDirectWorkflow() },
    { path: WORKFLOW_FILES.viaApp, workflow: buildViaAppWorkflow() },
  ];
  if (process.argv.includes('--check')) {
    const stale = workflows.filter((w) => !isUpToDate(w.path, w.workflow));
    for (const w of stale) console.error(`${w.path} is out of date: run node resources/n8n/build.ts`);
    process.exit(stale.length > 0 ? 1 : 0);
  }
  for (const w of workflows) {
    writeFileSync(w.path, renderWorkflow(w.workflow));
    console.log(`wrote ${w.path}`);
  }
  // The repository's formatter owns the final layout of the JSON.
  const biome = join(HERE, '..', '..', 'node_modules', '.bin', 'biome');
  if (existsSync(biome))
    spawnSync(biome, ['format', '--write', ...workflows.map((w) => w.path)], { stdio: 'ignore' });
}
