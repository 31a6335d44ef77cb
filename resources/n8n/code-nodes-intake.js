// The Code nodes that take a request in: each workflow's Config, product validation, the idempotent
// replay check and the e-mail bookkeeping. One exported function per node.
// build.ts copies each function's body (not its name or braces) into the node's `jsCode`, so a body
// may only use what n8n's Code node provides ($input, $('Node') …) and the helpers build.ts puts in
// front of it (composeEmail). Regenerate the workflow JSON with `node resources/n8n/build.ts`.
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
