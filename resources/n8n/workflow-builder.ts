import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

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
export function stableUuid(...parts: string[]): string {
  const h = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The Code nodes' JavaScript, by what the nodes do (a function name is unique across the files). */
const CODE_NODE_FILES = ['code-nodes-intake.js', 'code-nodes-render.js', 'code-nodes-gallery.js'].map((f) =>
  join(HERE, f),
);

/** `export function <name>(…) { … }` in one of the code-nodes-*.js files, read from the source text. */
function codeFunction(name: string): { declaration: string; body: string } {
  for (const file of CODE_NODE_FILES) {
    const source = readFileSync(file, 'utf8');
    const start = source.indexOf(`\nexport function ${name}(`);
    if (start < 0) continue;
    const from = source.indexOf('{\n', start) + 2;
    const end = source.indexOf('\n}\n', from);
    if (end < 0) throw new Error(`${file}: ${name} does not end with a "}" line`);
    return { declaration: source.slice(start + '\nexport '.length, end + 2), body: source.slice(from, end) };
  }
  throw new Error(`no code-nodes-*.js file has a function ${name}`);
}

/**
 * A Code node's jsCode: the body of `name` (not its signature), dedented, preceded by the helper
 * functions it calls. Read from the source text rather than Function#toString, whose output depends
 * on the loader (a bundler's transform rewrites it).
 */
export function body(name: string, helpers: string[] = [], prelude = ''): string {
  const code = codeFunction(name)
    .body.split('\n')
    .map((line) => line.replace(/^ {2}/, ''))
    .join('\n');
  return [prelude, ...helpers.map((helper) => codeFunction(helper).declaration), code]
    .filter((part) => part !== '')
    .join('\n\n');
}

export const cfg = (key: string): string => `$('Config').first().json.${key}`;

export class WorkflowBuilder {
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

export function webhook(path: string): [Record<string, unknown>, Partial<N8nNode>] {
  return [
    { httpMethod: 'POST', path, responseMode: 'responseNode', options: {} },
    { webhookId: stableUuid('webhook', path) },
  ];
}

export function ifCondition(
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
export const isTrue = (expression: string) =>
  ifCondition(expression, { type: 'boolean', operation: 'true', singleValue: true });
export const equals = (expression: string, value: string) =>
  ifCondition(expression, { type: 'string', operation: 'equals' }, value);

/** An HTTP Request whose failures become data (statusCode / error) that a Code node turns into a clear answer. */
export function httpJson(
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
export const softFail = { onError: 'continueRegularOutput' } as const;

export const respondJson = (
  responseBody: string,
  responseCode: number | string,
): Record<string, unknown> => ({
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
export function postgresQuery(query: string, values: string): Record<string, unknown> {
  return { operation: 'executeQuery', query, options: { queryReplacement: `={{ ${values} }}` } };
}

export function postgresInsert(source: 'n8n' | 'app'): Record<string, unknown> {
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

export const findEarlierRun = () =>
  postgresQuery(
    'SELECT id, status, gallery, email_status, email_error FROM product_galleries WHERE request_id = $1',
    '[$json.requestId]',
  );

export const updateEmailStatus = () =>
  postgresQuery(
    'UPDATE product_galleries SET email_status = $2, email_error = $3 WHERE id = $1',
    '[$json.galleryId, $json.emailStatus, $json.emailError]',
  );

export function sendEmail(attachHero: boolean): Record<string, unknown> {
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

export const credentials = (type: keyof typeof CREDENTIAL_NAMES) => ({
  [type]: { id: null, name: CREDENTIAL_NAMES[type] },
});

/**
 * The nodes around a run that make the webhook idempotent and the e-mail's fate visible: the earlier run
 * with the same request id is looked up first (a replay answers with its gallery, and sends its e-mail
 * again only when that failed), and after the row is written the e-mail's outcome is stored and
 * answered (200 sent, 502 failed — with the gallery id either way).
 */
export function addIdempotentEnds(
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
