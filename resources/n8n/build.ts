// Builds the two shipped n8n workflows from one description, so node names, connections and the Code
// nodes' JavaScript (code-nodes-*.js) stay consistent. Run `node resources/n8n/build.ts` after an edit;
// `node resources/n8n/build.ts --check` exits 1 when the committed JSON differs from a fresh build
// (the structural test does the same comparison).
//
// Node types, typeVersions and parameter names follow ../shared/protocols/n8n.md (the "ship" column)
// and were run on a real n8n 2.41.1 by the n8n test tier (scripts/test-n8n.sh).

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';

import {
  addIdempotentEnds,
  body,
  cfg,
  credentials,
  equals,
  httpJson,
  isTrue,
  type N8nWorkflow,
  postgresInsert,
  respondJson,
  sendEmail,
  softFail,
  stableUuid,
  WEBHOOK_PATHS,
  WORKFLOW_FILES,
  WORKFLOW_IDS,
  WorkflowBuilder,
  webhook,
} from './workflow-builder.ts';

export {
  CREDENTIAL_NAMES,
  type N8nConnection,
  type N8nNode,
  type N8nWorkflow,
  WEBHOOK_PATHS,
  WORKFLOW_FILES,
  WORKFLOW_IDS,
} from './workflow-builder.ts';

const HERE = dirname(fileURLToPath(import.meta.url));

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
