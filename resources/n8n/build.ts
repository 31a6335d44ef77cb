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

/** The shipped workflow ids (16 characters, like the ids n8n makes). */
export const WORKFLOW_IDS = {
  direct: 'ShowcaseDirect01',
  viaApp: 'ShowcaseViaApp01',
} as const;

export interface N8nConnection {
  node: string;
  type: 'main';
  index: number;
}

export interface N8nWorkflow {
  /**
   * Shipped: n8n 2.41.1's `import:workflow` fails on a file without an id (`null value in column "id"`).
   * A fixed id also makes a re-import update the same workflow instead of adding a copy.
   */
  id: string;
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
function body(name: string, helpers: string[] = [], prelude = ''): string {
  const code = codeFunction(name)
    .body.split('\n')
    .map((line) => line.replace(/^ {2}/, ''))
    .join('\n');
  return [prelude, ...helpers.map((helper) => codeFunction(helper).declaration), code]
    .filter((part) => part !== '')
    .join('\n\n');
}

const cfg = (key: string): string => `$('Config').first().json.${key}`;

class WorkflowBuilder {
  readonly nodes: N8nNode[] = [];
  readonly connections: Record<string, { main: N8nConnection[][] }> = {};
  readonly workflowName: string;
  readonly workflowId: string;
  constructor(workflowName: string, workflowId: string) {
    this.workflowName = workflowName;
    this.workflowId = workflowId;
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
      id: this.workflowId,
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

/**
 * Postgres through `executeQuery` with `$1 … $n` parameters: no column mapping is stored in the node,
 * so the editor's "Columns are outdated → Refresh" has nothing to rewrite (with the Insert operation it
 * re-typed the mapping from the live table and every run then failed). Values arrive as an array
 * expression; JSON columns are stringified here, since an array would otherwise reach Postgres as an
 * array literal.
 */
function postgresQuery(query: string, values: string): Record<string, unknown> {
  return { operation: 'executeQuery', query, options: { queryReplacement: `={{ ${values} }}` } };
}

function postgresInsert(source: 'n8n' | 'app'): Record<string, unknown> {
  const g = '$json.gallery';
  return postgresQuery(
    [
      'INSERT INTO product_galleries',
      '  (id, product_id, product_name, status, title, tagline, copy, hero_url, variation_urls, base_seed,',
      '   source, request_id, gallery, email_status)',
      "VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9::jsonb, $10, $11, $12, $13::jsonb, 'pending')",
      'ON CONFLICT (request_id) DO NOTHING',
      'RETURNING id',
    ].join('\n'),
    `[${g}.galleryId, ${g}.product.id, ${g}.product.name, ${g}.status, ${g}.copy.title, ${g}.copy.tagline, ` +
      `JSON.stringify(${g}.copy), ${g}.hero ? ${g}.hero.url : null, JSON.stringify(${g}.variations.map((v) => v.url)), ` +
      `${g}.seed, '${source}', $('Validate product').first().json.requestId, JSON.stringify(${g})]`,
  );
}

const findEarlierRun = () =>
  postgresQuery(
    'SELECT id, status, gallery, email_status, email_error FROM product_galleries WHERE request_id = $1',
    '[$json.requestId]',
  );

const updateEmailStatus = () =>
  postgresQuery(
    'UPDATE product_galleries SET email_status = $2, email_error = $3 WHERE id = $1',
    '[$json.galleryId, $json.emailStatus, $json.emailError]',
  );

function sendEmail(attachHero: boolean): Record<string, unknown> {
  const mail = (key: string) => `={{ $('Mail to send').first().json.email.${key} }}`;
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

/**
 * The nodes around a run that make the webhook idempotent and the e-mail's fate visible: the earlier run
 * with the same request id is looked up first (a replay answers with its gallery, and sends its e-mail
 * again only when that failed), and after the row is written the e-mail's outcome is stored and
 * answered (200 sent, 502 failed — with the gallery id either way).
 */
function addIdempotentEnds(
  w: WorkflowBuilder,
  options: { galleryNode: string; attachHero: boolean; x: number; afterInsert: string },
): void {
  const { x } = options;
  const postgres = { credentials: credentials('postgres'), alwaysOutputData: true };
  w.add('Find earlier run', 'n8n-nodes-base.postgres', 2.5, [880, 200], findEarlierRun(), postgres)
    .code('Check earlier run', [1100, 200], body('checkEarlierRun'))
    .add('Earlier run?', 'n8n-nodes-base.if', 2.2, [1320, 200], isTrue('={{ $json.replay }}'))
    .add('Earlier e-mail sent?', 'n8n-nodes-base.if', 2.2, [1540, -80], isTrue('={{ $json.emailSent }}'))
    .add(
      'Respond with earlier gallery',
      'n8n-nodes-base.respondToWebhook',
      1.1,
      [1760, -160],
      respondJson("={{ $('Check earlier run').first().json.response }}", 200),
    )
    .code(
      'Mail to send',
      [x, 100],
      body(
        'mailToSend',
        ['composeEmail'],
        `const GALLERY_NODE = '${options.galleryNode}';\nconst ATTACH_HERO = ${options.attachHero};`,
      ),
    )
    .code('Record e-mail status', [x + 660, 100], body('recordEmailStatus'))
    .add(
      'Update e-mail status',
      'n8n-nodes-base.postgres',
      2.5,
      [x + 880, 100],
      updateEmailStatus(),
      postgres,
    )
    .add(
      'Respond with gallery',
      'n8n-nodes-base.respondToWebhook',
      1.1,
      [x + 1100, 100],
      respondJson(
        "={{ $('Record e-mail status').first().json.response }}",
        "={{ $('Record e-mail status').first().json.statusCode }}",
      ),
    );
  w.connect('Product valid?', 'Find earlier run', 0)
    .chain('Find earlier run', 'Check earlier run', 'Earlier run?')
    .connect('Earlier run?', 'Earlier e-mail sent?', 0)
    .connect('Earlier e-mail sent?', 'Respond with earlier gallery', 0)
    .connect('Earlier e-mail sent?', 'Mail to send', 1)
    .connect(options.afterInsert, 'Mail to send')
    .chain('Record e-mail status', 'Update e-mail status', 'Respond with gallery');
}

export function buildDirectWorkflow(): N8nWorkflow {
  const w = new WorkflowBuilder('Product showcase (Ollama + ComfyUI)', WORKFLOW_IDS.direct);
  const [hookParams, hookExtra] = webhook(WEBHOOK_PATHS.direct);
  const s = 440; // the render steps start right of the idempotency check
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
    .code('Build copy request', [s + 1100, 300], body('buildCopyRequest'))
    .add(
      'Ollama chat',
      'n8n-nodes-base.httpRequest',
      4.2,
      [s + 1320, 300],
      httpJson(
        'POST',
        `={{ ${cfg('ollamaUrl')} }}/api/chat`,
        '={{ JSON.stringify($json.request) }}',
        600_000,
      ),
      softFail,
    )
    .code('Parse copy', [s + 1540, 300], body('parseCopy'))
    .add('Copy valid?', 'n8n-nodes-base.if', 2.2, [s + 1760, 300], isTrue('={{ $json.ok }}'))
    .add(
      'Respond backend error',
      'n8n-nodes-base.respondToWebhook',
      1.1,
      [s + 1980, 620],
      respondJson('={{ { error: $json.error } }}', '={{ $json.status || 502 }}'),
    )
    .code('Build hero job', [s + 1980, 300], body('buildHeroJob'))
    .add(
      'Queue hero',
      'n8n-nodes-base.httpRequest',
      4.2,
      [s + 2200, 300],
      httpJson('POST', `={{ ${cfg('comfyUrl')} }}/prompt`, '={{ JSON.stringify($json.request) }}', 60_000),
      softFail,
    )
    .add(
      'Wait for hero',
      'n8n-nodes-base.wait',
      1.1,
      [s + 2420, 300],
      { resume: 'timeInterval', amount: `={{ ${cfg('pollSeconds')} }}`, unit: 'seconds' },
      { webhookId: stableUuid('wait', 'hero') },
    )
    .add(
      'Hero history',
      'n8n-nodes-base.httpRequest',
      4.2,
      [s + 2640, 300],
      httpJson(
        'GET',
        `={{ ${cfg('comfyUrl')} }}/history/{{ $('Build hero job').first().json.promptId }}`,
        null,
        60_000,
      ),
      softFail,
    )
    .code('Read hero history', [s + 2860, 300], body('readHeroHistory'))
    .add('Hero pending?', 'n8n-nodes-base.if', 2.2, [s + 3080, 300], equals('={{ $json.state }}', 'pending'))
    .add('Hero rendered?', 'n8n-nodes-base.if', 2.2, [s + 3300, 400], equals('={{ $json.state }}', 'done'))
    .add('Merge hero and variations', 'n8n-nodes-base.merge', 3, [s + 4180, 200], { mode: 'append' })
    .code('Plan variations', [s + 3520, 500], body('planVariations'))
    .add('Loop over variations', 'n8n-nodes-base.splitInBatches', 3, [s + 3740, 500], {
      batchSize: 1,
      options: {},
    })
    .add(
      'Queue variation',
      'n8n-nodes-base.httpRequest',
      4.2,
      [s + 3960, 660],
      httpJson('POST', `={{ ${cfg('comfyUrl')} }}/prompt`, '={{ JSON.stringify($json.request) }}', 60_000),
      softFail,
    )
    .add(
      'Wait for variation',
      'n8n-nodes-base.wait',
      1.1,
      [s + 4180, 660],
      { resume: 'timeInterval', amount: `={{ ${cfg('pollSeconds')} }}`, unit: 'seconds' },
      { webhookId: stableUuid('wait', 'variation') },
    )
    .add(
      'Variation history',
      'n8n-nodes-base.httpRequest',
      4.2,
      [s + 4400, 660],
      httpJson(
        'GET',
        `={{ ${cfg('comfyUrl')} }}/history/{{ $('Loop over variations').first().json.promptId }}`,
        null,
        60_000,
      ),
      softFail,
    )
    .code('Read variation history', [s + 4620, 660], body('readVariationHistory'))
    .add(
      'Variation pending?',
      'n8n-nodes-base.if',
      2.2,
      [s + 4840, 660],
      equals('={{ $json.state }}', 'pending'),
    )
    .code('Assemble gallery', [s + 4400, 200], body('assembleGallery', ['composeEmail']))
    .add('Insert gallery row', 'n8n-nodes-base.postgres', 2.5, [s + 4620, 200], postgresInsert('n8n'), {
      credentials: credentials('postgres'),
      alwaysOutputData: true,
    })
    .add(
      'Download hero',
      'n8n-nodes-base.httpRequest',
      4.2,
      [s + 5060, 100],
      {
        method: 'GET',
        url: `={{ ${cfg('comfyUrl')} }}/view`,
        sendQuery: true,
        queryParameters: {
          parameters: [
            { name: 'filename', value: "={{ $('Mail to send').first().json.gallery.hero.filename }}" },
            { name: 'subfolder', value: "={{ $('Mail to send').first().json.gallery.hero.subfolder }}" },
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
    .add('Send gallery e-mail', 'n8n-nodes-base.emailSend', 2.1, [s + 5280, 100], sendEmail(true), {
      credentials: credentials('smtp'),
      ...softFail,
    });
  addIdempotentEnds(w, {
    galleryNode: 'Assemble gallery',
    attachHero: true,
    x: s + 4840,
    afterInsert: 'Insert gallery row',
  });

  w.chain('Webhook', 'Config', 'Validate product', 'Product valid?')
    .connect('Product valid?', 'Reject invalid payload', 1)
    .connect('Earlier run?', 'Build copy request', 1)
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
    .chain('Merge hero and variations', 'Assemble gallery', 'Insert gallery row')
    .chain('Mail to send', 'Download hero', 'Send gallery e-mail', 'Record e-mail status');
  return w.build();
}

export function buildViaAppWorkflow(): N8nWorkflow {
  const w = new WorkflowBuilder('Product showcase via the studio API', WORKFLOW_IDS.viaApp);
  const [hookParams, hookExtra] = webhook(WEBHOOK_PATHS.viaApp);
  const bearer = { authentication: 'genericCredentialType', genericAuthType: 'httpBearerAuth' };
  const s = 440;
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
      [s + 1100, 300],
      httpJson(
        'POST',
        `={{ ${cfg('appUrl')} }}/api/showcases`,
        `={{ JSON.stringify({ product: $('Validate product').first().json.product, callbackUrl: $execution.resumeUrl, options: { seed: $('Validate product').first().json.seed, variations: ${cfg('variations')} } }) }}`,
        60_000,
        bearer,
      ),
      { ...softFail, credentials: credentials('httpBearerAuth') },
    )
    .code('Check app answer', [s + 1320, 300], body('checkAppAnswer'))
    .add('App accepted?', 'n8n-nodes-base.if', 2.2, [s + 1540, 300], isTrue('={{ $json.ok }}'))
    .add(
      'Respond backend error',
      'n8n-nodes-base.respondToWebhook',
      1.1,
      [s + 1760, 620],
      respondJson('={{ { error: $json.error } }}', '={{ $json.status || 502 }}'),
    )
    .add(
      'Wait for app callback',
      'n8n-nodes-base.wait',
      1.1,
      [s + 1760, 300],
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
      [s + 1980, 300],
      httpJson(
        'GET',
        `={{ ${cfg('appUrl')} }}/api/galleries/{{ encodeURIComponent($('Check app answer').first().json.galleryId) }}`,
        null,
        60_000,
        bearer,
      ),
      { ...softFail, credentials: credentials('httpBearerAuth') },
    )
    .code('Read app gallery', [s + 2200, 300], body('readAppGallery', ['composeEmail']))
    .add('Gallery ready?', 'n8n-nodes-base.if', 2.2, [s + 2420, 300], isTrue('={{ $json.ok }}'))
    .add('Insert gallery row', 'n8n-nodes-base.postgres', 2.5, [s + 2640, 200], postgresInsert('app'), {
      credentials: credentials('postgres'),
      alwaysOutputData: true,
    })
    .add('Send gallery e-mail', 'n8n-nodes-base.emailSend', 2.1, [s + 3080, 100], sendEmail(false), {
      credentials: credentials('smtp'),
      ...softFail,
    });
  addIdempotentEnds(w, {
    galleryNode: 'Read app gallery',
    attachHero: false,
    x: s + 2860,
    afterInsert: 'Insert gallery row',
  });

  w.chain('Webhook', 'Config', 'Validate product', 'Product valid?')
    .connect('Product valid?', 'Reject invalid payload', 1)
    .connect('Earlier run?', 'Start showcase in app', 1)
    .chain('Start showcase in app', 'Check app answer', 'App accepted?')
    .connect('App accepted?', 'Wait for app callback', 0)
    .connect('App accepted?', 'Respond backend error', 1)
    .chain('Wait for app callback', 'Get gallery document', 'Read app gallery', 'Gallery ready?')
    .connect('Gallery ready?', 'Insert gallery row', 0)
    .connect('Gallery ready?', 'Respond backend error', 1)
    .chain('Mail to send', 'Send gallery e-mail', 'Record e-mail status');
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
