// The Code nodes that finish a run: the gallery (assembled here, or read from the studio's API) and
// its e-mail (composeEmail, a helper put in front of the nodes that need it).
// build.ts copies each function's body (not its name or braces) into the node's `jsCode`, so a body
// may only use what n8n's Code node provides ($input, $('Node') …) and the helpers build.ts puts in
// front of it (composeEmail). Regenerate the workflow JSON with `node resources/n8n/build.ts`.
/* global $, $input */

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
