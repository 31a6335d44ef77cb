// The Code nodes of the direct workflow that talk to the backends: the Ollama copy request and its
// parsing, the ComfyUI hero and variation graphs and the /history polls. One exported function per node.
// build.ts copies each function's body (not its name or braces) into the node's `jsCode`, so a body
// may only use what n8n's Code node provides ($input, $('Node') …) and the helpers build.ts puts in
// front of it (composeEmail). Regenerate the workflow JSON with `node resources/n8n/build.ts`.
/* global $, $input */

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
