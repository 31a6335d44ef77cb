// The JavaScript of every Code node in the shipped n8n workflows. Each exported function is one node:
// build.ts copies the function's body (not its name or braces) into the node's `jsCode`, so a body may
// only use what n8n's Code node provides ($input, $('Node') …) and the helpers build.ts puts in front
// of it (composeEmail). Regenerate the workflow JSON with `node resources/n8n/build.ts`.
/* global $, $input */

/** Config (product-showcase.json): the installation's backend addresses and render settings. */
export function showcaseConfig() {
  // Settings of this n8n installation. Edit the values (keep the keys) after import, or set them
  // before import with `node resources/n8n/configure.ts` — see docs/n8n.md, "Configuration".
  // n8n Variables ($vars) would be the natural home for these but need an Enterprise licence.
  const config = {
    ollamaUrl: 'http://127.0.0.1:11434',
    ollamaModel: 'llama3.2',
    comfyUrl: 'http://127.0.0.1:8188',
    comfyPublicUrl: '',
    width: 1328,
    height: 1328,
    steps: 20,
    cfg: 2.5,
    variationDenoise: 0.45,
    promptPrefix: '',
    pollSeconds: 2,
    maxPolls: 600,
    mailFrom: 'Product Showcase <showcase@example.com>',
    mailTo: 'marketing@example.com',
  };
  // Links in the e-mail point at comfyPublicUrl (what the recipients can open); empty = comfyUrl.
  const trim = (url) => String(url).replace(/\/+$/, '');
  config.ollamaUrl = trim(config.ollamaUrl);
  config.comfyUrl = trim(config.comfyUrl);
  config.comfyPublicUrl = trim(config.comfyPublicUrl || config.comfyUrl);
  return [{ json: config }];
}

/** Config (product-showcase-via-app.json): where the studio's local API runs. */
export function viaAppConfig() {
  // Settings of this n8n installation. Edit the values (keep the keys) after import, or set them
  // before import with `node resources/n8n/configure.ts` — see docs/n8n.md, "Configuration".
  // The API token is not here: it is the "Showcase API token" credential (Bearer Auth).
  const config = {
    appUrl: 'http://127.0.0.1:7860',
    appPublicUrl: '',
    variations: 4,
    waitMinutes: 60,
    mailFrom: 'Product Showcase <showcase@example.com>',
    mailTo: 'marketing@example.com',
  };
  const trim = (url) => String(url).replace(/\/+$/, '');
  config.appUrl = trim(config.appUrl);
  config.appPublicUrl = trim(config.appPublicUrl || config.appUrl);
  return [{ json: config }];
}

/** Validate product: checks the webhook body and normalises `product_info`. */
export function validateProduct() {
  // The webhook body must be {"product_info": {"name": "…", …}, "seed"?: n, "request_id"?: "…"}. A missing
  // or wrongly typed field is answered with a 400 naming it, before any backend, database or mail
  // server is touched: a price given as text or a seed of -5 is refused, never silently dropped.
  const hook = $('Webhook').first().json;
  const body = hook.body;
  const reject = (field, message) => [
    { json: { ok: false, status: 400, error: { code: 'invalid_input', field, message } } },
  ];
  const kind = (value) => (value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`);
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return reject('body', 'The request body must be a JSON object: {"product_info": {"name": "…"}}');
  }
  const info = body.product_info;
  if (info === null || typeof info !== 'object' || Array.isArray(info)) {
    return reject('product_info', 'product_info is required: an object with at least a "name"');
  }
  if (info.name !== undefined && typeof info.name !== 'string') {
    return reject('product_info.name', `product_info.name must be a string, not ${kind(info.name)}`);
  }
  const name = typeof info.name === 'string' ? info.name.trim() : '';
  if (name === '') return reject('product_info.name', 'product_info.name is required (a non-empty string)');
  if (name.length > 300)
    return reject('product_info.name', 'product_info.name must be at most 300 characters');

  const limits = { id: 256, handle: 256, description: 20000, category: 300, brand: 300, audience: 500 };
  for (const [key, max] of Object.entries(limits)) {
    const value = info[key];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string')
      return reject(`product_info.${key}`, `product_info.${key} must be a string, not ${kind(value)}`);
    if (value.length > max)
      return reject(`product_info.${key}`, `product_info.${key} must be at most ${max} characters`);
  }
  for (const key of ['materials', 'colors', 'tags']) {
    const value = info[key];
    if (value === undefined || value === null) continue;
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
      return reject(`product_info.${key}`, `product_info.${key} must be an array of strings`);
    }
  }
  const price = info.price;
  if (price !== undefined && price !== null) {
    if (typeof price !== 'object' || Array.isArray(price)) {
      return reject(
        'product_info.price',
        `product_info.price must be an object like {"amount": 24.5, "currency": "EUR"}, not ${kind(price)}`,
      );
    }
    if (typeof price.amount !== 'number' || !Number.isFinite(price.amount) || price.amount < 0) {
      return reject('product_info.price.amount', 'product_info.price.amount must be a number ≥ 0');
    }
    if (typeof price.currency !== 'string' || !/^[A-Z]{3}$/.test(price.currency)) {
      return reject(
        'product_info.price.currency',
        'product_info.price.currency must be a 3-letter ISO code like "EUR"',
      );
    }
  }
  // ComfyUI accepts seeds up to 2^64-1, JSON numbers are exact only up to 2^53-1.
  if (body.seed !== undefined && body.seed !== null && !(Number.isSafeInteger(body.seed) && body.seed >= 0)) {
    return reject(
      'seed',
      `seed must be a whole number from 0 to 9007199254740991, not ${JSON.stringify(body.seed)}`,
    );
  }
  // The request id makes a retry safe: a second call with the same id answers with the first run's gallery.
  const headerId =
    typeof hook.headers?.['idempotency-key'] === 'string' ? hook.headers['idempotency-key'] : undefined;
  const givenId = body.request_id ?? headerId;
  if (
    givenId !== undefined &&
    givenId !== null &&
    (typeof givenId !== 'string' || !/^[A-Za-z0-9._:-]{1,128}$/.test(givenId))
  ) {
    return reject('request_id', 'request_id must be 1–128 letters, digits, ".", "_", ":" or "-"');
  }

  const text = (value, max) => (typeof value === 'string' ? value.trim().slice(0, max) : '');
  const list = (value) =>
    Array.isArray(value)
      ? value
          .filter((v) => v.trim() !== '')
          .map((v) => v.trim().slice(0, 200))
          .slice(0, 50)
      : [];
  // Same id rule as the app: [A-Za-z0-9_-], everything else becomes "-", at most 64 characters.
  const rawId = text(info.id, 256) || text(info.handle, 256) || name;
  const id =
    rawId
      .replace(/[^A-Za-z0-9_-]/g, '-')
      .replace(/-+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 64) || 'product';
  const product = {
    id,
    name,
    description: text(info.description, 20000),
    category: text(info.category, 300),
    brand: text(info.brand, 300),
    audience: text(info.audience, 500),
    materials: list(info.materials),
    colors: list(info.colors),
    tags: list(info.tags),
  };
  if (price !== undefined && price !== null)
    product.price = { amount: price.amount, currency: price.currency };
  const seed = typeof body.seed === 'number' ? body.seed : Math.floor(Math.random() * 2 ** 31);
  const hex = (n) => Array.from({ length: n }, () => Math.floor(Math.random() * 16).toString(16)).join('');
  const variant = '89ab'[Math.floor(Math.random() * 4)];
  const galleryId = `${hex(8)}-${hex(4)}-4${hex(3)}-${variant}${hex(3)}-${hex(12)}`;
  // Without a request id every call is a new run (the gallery id stands in, so nothing matches).
  return [{ json: { ok: true, product, seed, galleryId, requestId: givenId ?? galleryId } }];
}

/**
 * Check earlier run: the row an earlier call with the same request id wrote (none: a new run). A replay
 * answers with that run's gallery; its e-mail is sent again only if it failed the first time.
 */
export function checkEarlierRun() {
  const row = $input.first().json;
  if (!row?.id) return [{ json: { replay: false } }];
  const gallery = typeof row.gallery === 'string' ? JSON.parse(row.gallery) : row.gallery;
  if (!gallery) return [{ json: { replay: false } }];
  const email = { status: row.email_status || 'unknown', error: row.email_error || null };
  return [
    {
      json: {
        replay: true,
        emailSent: email.status === 'sent',
        gallery,
        response: { ...gallery, email, replayed: true },
      },
    },
  ];
}

/**
 * Mail to send: the gallery and its e-mail, from this run (GALLERY_NODE, set by build.ts) or from the
 * earlier run being replayed. Not a node of its own; build.ts puts GALLERY_NODE in front of the body.
 */
export function mailToSend() {
  const earlier = $('Check earlier run').first().json;
  if (earlier.replay) {
    return [
      {
        json: {
          gallery: earlier.gallery,
          email: composeEmail({ ...earlier.gallery, attachHero: ATTACH_HERO }),
          replayed: true,
        },
      },
    ];
  }
  const fresh = $(GALLERY_NODE).first().json;
  return [{ json: { gallery: fresh.gallery, email: fresh.email, replayed: false } }];
}

/** Record e-mail status: what the mail server said, and the webhook's answer (502 when it refused). */
export function recordEmailStatus() {
  const sent = $input.first().json;
  const { gallery, replayed } = $('Mail to send').first().json;
  const failed = sent && sent.error !== undefined && sent.error !== null;
  const error = failed
    ? typeof sent.error === 'string'
      ? sent.error
      : sent.error.message || JSON.stringify(sent.error)
    : null;
  const email = { status: failed ? 'failed' : 'sent', error };
  const response = { ...gallery, email, replayed };
  if (failed) {
    // The gallery is made and stored: a retry with the same request_id sends only the e-mail again.
    response.error = {
      code: 'email_failed',
      message: `The gallery ${gallery.galleryId} is stored, but the e-mail could not be sent: ${error}`,
      retry:
        'POST the same body with the same request_id to send the e-mail again (nothing is rendered twice)',
    };
  }
  return [
    {
      json: {
        galleryId: gallery.galleryId,
        emailStatus: email.status,
        emailError: error,
        statusCode: failed ? 502 : 200,
        response,
      },
    },
  ];
}

/** Build copy request: the Ollama /api/chat body (structured output via a JSON Schema in `format`). */
export function buildCopyRequest() {
  const config = $('Config').first().json;
  // Read from the validation, not the input: the idempotency check sits in between.
  const { product, seed } = $('Validate product').first().json;
  const schema = {
    type: 'object',
    properties: {
      title: { type: 'string' },
      tagline: { type: 'string' },
      bullets: { type: 'array', items: { type: 'string' }, minItems: 3, maxItems: 5 },
      description: { type: 'string' },
      hero_prompt: { type: 'string' },
      variation_prompts: { type: 'array', items: { type: 'string' }, minItems: 4, maxItems: 4 },
    },
    required: ['title', 'tagline', 'bullets', 'description', 'hero_prompt', 'variation_prompts'],
  };
  const facts = [
    `Name: ${product.name}`,
    product.brand && `Brand: ${product.brand}`,
    product.category && `Category: ${product.category}`,
    product.description && `Description: ${product.description}`,
    product.materials.length > 0 && `Materials: ${product.materials.join(', ')}`,
    product.colors.length > 0 && `Colours: ${product.colors.join(', ')}`,
    product.audience && `Audience: ${product.audience}`,
    product.price && `Price: ${product.price.amount} ${product.price.currency}`,
  ].filter(Boolean);
  const request = {
    model: config.ollamaModel,
    stream: false,
    // keep_alive 0 unloads the model right after this answer, so ComfyUI gets the VRAM back.
    keep_alive: 0,
    format: schema,
    options: { temperature: 0.7, seed, num_ctx: 4096, num_predict: 1024 },
    messages: [
      {
        role: 'system',
        content:
          'You write e-commerce product copy and image prompts. Answer with JSON only, matching this schema: ' +
          JSON.stringify(schema) +
          '. bullets: 3 to 5 short benefit statements. hero_prompt: one studio product photo prompt. ' +
          'variation_prompts: exactly 4 prompts for variations of that photo (angle, colourway, setting, detail).',
      },
      { role: 'user', content: `Write the showcase for this product.\n${facts.join('\n')}` },
    ],
  };
  return [{ json: { request } }];
}

/** Parse copy: Ollama's answer → validated copy, or a 502 item naming what was wrong. */
export function parseCopy() {
  const res = $input.first().json;
  const { product } = $('Validate product').first().json;
  const fail = (message) => [{ json: { ok: false, status: 502, error: { code: 'backend_error', message } } }];
  if (res.error) return fail(`Ollama is unreachable: ${res.error.message || JSON.stringify(res.error)}`);
  if (res.statusCode !== 200) {
    return fail(`Ollama answered HTTP ${res.statusCode}: ${JSON.stringify(res.body).slice(0, 300)}`);
  }
  const answer = typeof res.body === 'string' ? JSON.parse(res.body) : res.body;
  if (answer.done_reason && answer.done_reason !== 'stop') {
    return fail(`Ollama stopped early (done_reason "${answer.done_reason}"); the JSON is cut off`);
  }
  let draft;
  try {
    draft = JSON.parse(answer.message.content);
  } catch (err) {
    return fail(`Ollama returned invalid JSON: ${err.message}`);
  }
  const str = (value) => (typeof value === 'string' ? value.trim() : '');
  const strings = (value) => (Array.isArray(value) ? value.map(str).filter((s) => s !== '') : []);
  const copy = {
    title: str(draft.title),
    tagline: str(draft.tagline),
    bullets: strings(draft.bullets).slice(0, 5),
    description: str(draft.description),
  };
  const missing = ['title', 'tagline', 'description'].filter((key) => copy[key] === '');
  if (copy.bullets.length === 0) missing.push('bullets');
  if (missing.length > 0) return fail(`Ollama's JSON lacks ${missing.join(', ')}`);
  // Prompts are less critical than the copy: fall back to the product name rather than fail.
  const hero = str(draft.hero_prompt) || `studio product photograph of ${product.name}`;
  const themes = strings(draft.variation_prompts);
  const fallbacks = [
    'from a different angle',
    'in another colourway',
    'in a lifestyle setting',
    'close-up detail',
  ];
  const variations = [0, 1, 2, 3].map((i) => themes[i] || `${hero}, ${fallbacks[i]}`);
  return [{ json: { ok: true, copy, prompts: { hero, variations }, model: answer.model || '' } }];
}

/** Build hero job: the Qwen-Image text-to-image graph (protocols/comfyui.md §10a) with its prompt_id. */
export function buildHeroJob() {
  const config = $('Config').first().json;
  const { product, seed, galleryId } = $('Validate product').first().json;
  const { prompts } = $('Parse copy').first().json;
  // The client makes the prompt_id (a lowercase UUID v4, which 2026 ComfyUI builds require), so
  // the history can be polled by id.
  const hex = (n) => Array.from({ length: n }, () => Math.floor(Math.random() * 16).toString(16)).join('');
  const promptId = `${hex(8)}-${hex(4)}-4${hex(3)}-${'89ab'[Math.floor(Math.random() * 4)]}${hex(3)}-${hex(12)}`;
  const prompt = [config.promptPrefix, prompts.hero].filter(Boolean).join(', ');
  // A unique filename_prefix per job: ComfyUI replays cached results without writing a new file.
  const filenamePrefix = `showcase-n8n/${product.id}_${galleryId.slice(0, 8)}_hero`;
  const graph = {
    1: {
      class_type: 'UNETLoader',
      inputs: { unet_name: 'qwen_image_fp8_e4m3fn.safetensors', weight_dtype: 'default' },
    },
    2: {
      class_type: 'CLIPLoader',
      inputs: { clip_name: 'qwen_2.5_vl_7b_fp8_scaled.safetensors', type: 'qwen_image', device: 'default' },
    },
    3: { class_type: 'VAELoader', inputs: { vae_name: 'qwen_image_vae.safetensors' } },
    4: { class_type: 'ModelSamplingAuraFlow', inputs: { model: ['1', 0], shift: 3.1 } },
    5: { class_type: 'CLIPTextEncode', inputs: { clip: ['2', 0], text: prompt } },
    6: { class_type: 'CLIPTextEncode', inputs: { clip: ['2', 0], text: '' } },
    7: {
      class_type: 'EmptySD3LatentImage',
      inputs: { width: config.width, height: config.height, batch_size: 1 },
    },
    8: {
      class_type: 'KSampler',
      inputs: {
        model: ['4', 0],
        positive: ['5', 0],
        negative: ['6', 0],
        latent_image: ['7', 0],
        seed,
        steps: config.steps,
        cfg: config.cfg,
        sampler_name: 'euler',
        scheduler: 'simple',
        denoise: 1,
      },
    },
    9: { class_type: 'VAEDecode', inputs: { samples: ['8', 0], vae: ['3', 0] } },
    10: { class_type: 'SaveImage', inputs: { images: ['9', 0], filename_prefix: filenamePrefix } },
  };
  return [
    {
      json: {
        promptId,
        seed,
        prompt,
        request: { prompt: graph, client_id: `n8n-showcase-${galleryId}`, prompt_id: promptId },
      },
    },
  ];
}

/** Read hero history: one poll of /history/{prompt_id} → pending, done (with the image) or error. */
export function readHeroHistory() {
  const config = $('Config').first().json;
  const job = $('Build hero job').first().json;
  const queued = $('Queue hero').first().json;
  const history = $input.first().json;
  const result = (state, extra) => [
    {
      json: {
        kind: 'hero',
        idx: 0,
        state,
        promptId: job.promptId,
        seed: job.seed,
        prompt: job.prompt,
        ...extra,
      },
    },
  ];
  const failed = (message) => result('error', { status: 502, error: { code: 'backend_error', message } });
  const explain = (res) =>
    res.error
      ? res.error.message || JSON.stringify(res.error)
      : `HTTP ${res.statusCode} ${JSON.stringify(res.body)}`;
  if (queued.error || queued.statusCode !== 200) {
    return failed(`ComfyUI refused the hero graph: ${explain(queued).slice(0, 500)}`);
  }
  if (history.error || history.statusCode !== 200) {
    return failed(`ComfyUI /history failed: ${explain(history).slice(0, 300)}`);
  }
  // /history/{id} stays {} until the job has finished (pending, running or unknown). The poll count
  // rides on the item that goes round the Wait loop.
  const entry = history.body ? history.body[job.promptId] : undefined;
  if (!entry) {
    const polls = ($('Wait for hero').first().json.polls || 0) + 1;
    if (polls >= config.maxPolls) return failed(`The hero was not finished after ${polls} polls`);
    return result('pending', { polls });
  }
  const status = entry.status || {};
  if (status.status_str !== 'success' || status.completed !== true) {
    const messages = Array.isArray(status.messages) ? status.messages : [];
    const error = messages.find((m) => m[0] === 'execution_error' || m[0] === 'execution_interrupted');
    const why = error ? error[1].exception_message || error[0] : status.status_str;
    return failed(`ComfyUI could not render the hero: ${String(why).slice(0, 300)}`);
  }
  const images = Object.values(entry.outputs || {})
    .flatMap((output) => (output && Array.isArray(output.images) ? output.images : []))
    .filter((image) => image.type === 'output');
  if (images.length === 0) return failed('ComfyUI finished the hero without an output image');
  const image = images[0];
  const subfolder = image.subfolder || '';
  const query = `filename=${encodeURIComponent(image.filename)}&subfolder=${encodeURIComponent(subfolder)}&type=output`;
  return result('done', {
    filename: image.filename,
    subfolder,
    url: `${config.comfyPublicUrl}/view?${query}`,
  });
}

/** Plan variations: four img2img jobs (qwen-image.variation) that start from the hero. */
export function planVariations() {
  const config = $('Config').first().json;
  const { product, seed, galleryId } = $('Validate product').first().json;
  const { prompts } = $('Parse copy').first().json;
  const hero = $input.first().json;
  const hex = (n) => Array.from({ length: n }, () => Math.floor(Math.random() * 16).toString(16)).join('');
  const uuid = () =>
    `${hex(8)}-${hex(4)}-4${hex(3)}-${'89ab'[Math.floor(Math.random() * 4)]}${hex(3)}-${hex(12)}`;
  // LoadImage reads from ComfyUI's output/ folder with the " [output]" annotation.
  const source = `${hero.subfolder ? `${hero.subfolder}/` : ''}${hero.filename} [output]`;
  // Rescale to the hero's own pixel count so the variation keeps its size.
  const megapixels = Math.round(((config.width * config.height) / 1048576) * 10000) / 10000;
  return prompts.variations.map((theme, i) => {
    const idx = i + 1;
    const variationSeed = (seed + idx) % Number.MAX_SAFE_INTEGER;
    const promptId = uuid();
    const prompt = [config.promptPrefix, theme].filter(Boolean).join(', ');
    const graph = {
      1: {
        class_type: 'UNETLoader',
        inputs: { unet_name: 'qwen_image_fp8_e4m3fn.safetensors', weight_dtype: 'default' },
      },
      2: {
        class_type: 'CLIPLoader',
        inputs: { clip_name: 'qwen_2.5_vl_7b_fp8_scaled.safetensors', type: 'qwen_image', device: 'default' },
      },
      3: { class_type: 'VAELoader', inputs: { vae_name: 'qwen_image_vae.safetensors' } },
      4: { class_type: 'ModelSamplingAuraFlow', inputs: { model: ['1', 0], shift: 3.1 } },
      5: { class_type: 'CLIPTextEncode', inputs: { clip: ['2', 0], text: prompt } },
      6: { class_type: 'CLIPTextEncode', inputs: { clip: ['2', 0], text: '' } },
      7: { class_type: 'LoadImage', inputs: { image: source } },
      8: {
        class_type: 'ImageScaleToTotalPixels',
        inputs: { image: ['7', 0], upscale_method: 'lanczos', megapixels },
      },
      9: { class_type: 'VAEEncode', inputs: { pixels: ['8', 0], vae: ['3', 0] } },
      10: {
        class_type: 'KSampler',
        inputs: {
          model: ['4', 0],
          positive: ['5', 0],
          negative: ['6', 0],
          latent_image: ['9', 0],
          seed: variationSeed,
          steps: config.steps,
          cfg: config.cfg,
          sampler_name: 'euler',
          scheduler: 'simple',
          denoise: config.variationDenoise,
        },
      },
      11: { class_type: 'VAEDecode', inputs: { samples: ['10', 0], vae: ['3', 0] } },
      12: {
        class_type: 'SaveImage',
        inputs: {
          images: ['11', 0],
          filename_prefix: `showcase-n8n/${product.id}_${galleryId.slice(0, 8)}_variation_${idx}`,
        },
      },
    };
    return {
      json: {
        idx,
        seed: variationSeed,
        prompt,
        promptId,
        request: { prompt: graph, client_id: `n8n-showcase-${galleryId}`, prompt_id: promptId },
      },
    };
  });
}

/** Read variation history: like the hero's, but a failed variation is recorded, not fatal. */
export function readVariationHistory() {
  const config = $('Config').first().json;
  const job = $('Loop over variations').first().json;
  const queued = $('Queue variation').first().json;
  const history = $input.first().json;
  const result = (state, extra) => [
    {
      json: {
        kind: 'variation',
        idx: job.idx,
        state,
        promptId: job.promptId,
        seed: job.seed,
        prompt: job.prompt,
        ...extra,
      },
    },
  ];
  const explain = (res) =>
    res.error
      ? res.error.message || JSON.stringify(res.error)
      : `HTTP ${res.statusCode} ${JSON.stringify(res.body)}`;
  if (queued.error || queued.statusCode !== 200) {
    return result('error', { error: `ComfyUI refused the graph: ${explain(queued).slice(0, 500)}` });
  }
  if (history.error || history.statusCode !== 200) {
    return result('error', { error: `ComfyUI /history failed: ${explain(history).slice(0, 300)}` });
  }
  const entry = history.body ? history.body[job.promptId] : undefined;
  if (!entry) {
    const polls = ($('Wait for variation').first().json.polls || 0) + 1;
    if (polls >= config.maxPolls) return result('error', { error: `Not finished after ${polls} polls` });
    return result('pending', { polls });
  }
  const status = entry.status || {};
  if (status.status_str !== 'success' || status.completed !== true) {
    const messages = Array.isArray(status.messages) ? status.messages : [];
    const error = messages.find((m) => m[0] === 'execution_error' || m[0] === 'execution_interrupted');
    const why = error ? error[1].exception_message || error[0] : status.status_str;
    return result('error', { error: `ComfyUI could not render it: ${String(why).slice(0, 300)}` });
  }
  const images = Object.values(entry.outputs || {})
    .flatMap((output) => (output && Array.isArray(output.images) ? output.images : []))
    .filter((image) => image.type === 'output');
  if (images.length === 0) return result('error', { error: 'ComfyUI finished without an output image' });
  const image = images[0];
  const subfolder = image.subfolder || '';
  const query = `filename=${encodeURIComponent(image.filename)}&subfolder=${encodeURIComponent(subfolder)}&type=output`;
  return result('done', {
    filename: image.filename,
    subfolder,
    url: `${config.comfyPublicUrl}/view?${query}`,
  });
}

/**
 * composeEmail(gallery) → { subject, text, html }, with every product text HTML-escaped. Not a node of
 * its own: build.ts puts this function in front of "Assemble gallery" and "Read app gallery".
 */
export function composeEmail(gallery) {
  const esc = (value) =>
    String(value ?? '').replace(
      /[&<>"']/g,
      (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c],
    );
  const images = [
    gallery.hero && { label: 'Hero', url: gallery.hero.url },
    ...gallery.variations.map((v) => ({ label: `Variation ${v.idx}`, url: v.url })),
  ].filter((image) => image?.url);
  const subject = `Product showcase: ${gallery.copy.title}`;
  const text = [
    gallery.copy.title,
    gallery.copy.tagline,
    '',
    ...gallery.copy.bullets.map((b) => `- ${b}`),
    '',
    gallery.copy.description,
    '',
    ...images.map((image) => `${image.label}: ${image.url}`),
    gallery.page ? `Gallery page: ${gallery.page}` : '',
    `Gallery ${gallery.galleryId} (${gallery.status})`,
  ].join('\n');
  const html = [
    `<h1>${esc(gallery.copy.title)}</h1>`,
    `<p><em>${esc(gallery.copy.tagline)}</em></p>`,
    gallery.attachHero ? '<p><img src="cid:hero" alt="Hero image" style="max-width:480px"></p>' : '',
    `<ul>${gallery.copy.bullets.map((b) => `<li>${esc(b)}</li>`).join('')}</ul>`,
    `<p>${esc(gallery.copy.description)}</p>`,
    `<ul>${images.map((image) => `<li><a href="${esc(image.url)}">${esc(image.label)}</a></li>`).join('')}</ul>`,
    gallery.page ? `<p><a href="${esc(gallery.page)}">Gallery page</a></p>` : '',
    `<p style="color:#666">Gallery ${esc(gallery.galleryId)} (${esc(gallery.status)})</p>`,
  ].join('\n');
  return { subject, text, html };
}

/** Assemble gallery: hero + variations + copy → the gallery the webhook answers with, and the e-mail. */
export function assembleGallery() {
  const { product, seed, galleryId } = $('Validate product').first().json;
  const { copy, prompts, model } = $('Parse copy').first().json;
  const items = $input.all().map((item) => item.json);
  const hero = items.find((item) => item.kind === 'hero');
  const variations = items
    .filter((item) => item.kind === 'variation')
    .sort((a, b) => a.idx - b.idx)
    .map((v) => ({
      idx: v.idx,
      status: v.state === 'done' ? 'done' : 'failed',
      filename: v.filename || null,
      subfolder: v.subfolder || '',
      url: v.url || null,
      seed: v.seed,
      prompt: v.prompt,
      error: v.error || null,
    }));
  const complete =
    variations.length === prompts.variations.length && variations.every((v) => v.status === 'done');
  const gallery = {
    galleryId,
    status: complete ? 'complete' : 'partial',
    product,
    copy,
    model,
    seed,
    hero: {
      filename: hero.filename,
      subfolder: hero.subfolder,
      url: hero.url,
      seed: hero.seed,
      prompt: hero.prompt,
    },
    variations,
    createdAt: new Date().toISOString(),
  };
  return [{ json: { gallery, email: composeEmail({ ...gallery, attachHero: true }) } }];
}

/** Check app answer: POST /api/showcases must answer 202 with at least one gallery id. */
export function checkAppAnswer() {
  const res = $input.first().json;
  const fail = (status, message) => [
    { json: { ok: false, status, error: { code: 'backend_error', message } } },
  ];
  if (res.error)
    return fail(502, `The studio API is unreachable: ${res.error.message || JSON.stringify(res.error)}`);
  const body = res.body || {};
  if (res.statusCode !== 202) {
    const why = body.error ? body.error.message : JSON.stringify(body).slice(0, 300);
    return fail(502, `The studio API answered HTTP ${res.statusCode}: ${why}`);
  }
  const galleryIds = Array.isArray(body.galleryIds) ? body.galleryIds : [];
  if (galleryIds.length === 0) {
    return fail(502, `The studio started no showcase: ${JSON.stringify(body.errors || []).slice(0, 300)}`);
  }
  return [{ json: { ok: true, galleryId: galleryIds[0], galleryIds } }];
}

/** Read app gallery: the gallery document fetched from the app → the gallery and the e-mail. */
export function readAppGallery() {
  const config = $('Config').first().json;
  const { galleryId } = $('Check app answer').first().json;
  const res = $input.first().json;
  const fail = (status, message) => [
    { json: { ok: false, status, error: { code: 'backend_error', message } } },
  ];
  // The callback only wakes this execution up; the gallery is read back over the authenticated API,
  // so a forged callback cannot inject content.
  if (res.error)
    return fail(502, `The studio API is unreachable: ${res.error.message || JSON.stringify(res.error)}`);
  if (res.statusCode === 404) {
    return fail(504, `The studio did not finish gallery ${galleryId} within ${config.waitMinutes} minutes`);
  }
  if (res.statusCode !== 200) return fail(502, `The studio API answered HTTP ${res.statusCode}`);
  const doc = typeof res.body === 'string' ? JSON.parse(res.body) : res.body;
  // /files/ on the studio API needs the token too: recipients open the links from a studio session.
  const fileUrl = (filename) => `${config.appPublicUrl}/files/${encodeURIComponent(filename)}`;
  const asset = (a) => ({
    idx: a.idx,
    status: a.status,
    filename: a.filename,
    url: a.status === 'done' ? fileUrl(a.filename) : null,
    seed: a.seed,
    prompt: a.prompt,
    error: a.error,
  });
  const assets = Array.isArray(doc.assets) ? doc.assets : [];
  const hero = assets.find((a) => a.kind === 'hero');
  const copy = doc.copy || { title: doc.product.name, tagline: '', bullets: [], description: '' };
  const gallery = {
    galleryId: doc.galleryId,
    status: doc.status.state,
    product: doc.product,
    copy: { title: copy.title, tagline: copy.tagline, bullets: copy.bullets, description: copy.description },
    seed: doc.seeds.base,
    hero: hero ? asset(hero) : null,
    variations: assets.filter((a) => a.kind === 'variation').map(asset),
    page: doc.publishedUrl || fileUrl(doc.files.html),
    createdAt: doc.generatedAt,
  };
  return [{ json: { ok: true, gallery, email: composeEmail({ ...gallery, attachHero: false }) } }];
}
