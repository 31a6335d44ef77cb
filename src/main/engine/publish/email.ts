// The e-mail pack: one gallery as an HTML e-mail (with a plain-text alternative) — title, tagline,
// bullets, description, the thumbnail inline (cid), the hero attached (or every image when they all
// fit under the cap) and the public links when the gallery is published. Sent with nodemailer over the
// SMTP URL from Settings; the password in that URL never reaches a message or a log line.
import { basename } from 'node:path';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import { z } from 'zod';
import { parseOrThrow, ShowcaseError } from '../../../shared/index.ts';
import { escapeHtml, formatPrice, type GalleryDocument, localeTag, pageLabels } from '../showcase/index.ts';
import {
  type GalleryAsset,
  type GallerySource,
  loadGalleryDocument,
  readAssetBytes,
  usableAssets,
} from './assets.ts';
import { parseSmtpSettings, type SmtpSettingsInput, smtpConnection } from './settings.ts';

/**
 * The default cap on attached image bytes. Base64 makes a message about 4/3 of its attachments, so
 * 15 MiB of images stays under the 20–25 MB most mail servers accept.
 */
export const MAX_ATTACHMENT_BYTES = 15 * 1024 * 1024;
export const DEFAULT_SMTP_TIMEOUT_MS = 15_000;

const RecipientsSchema = z.array(z.email('must be an e-mail address')).min(1).max(50);

export interface RenderGalleryEmailOptions {
  /** Raw image bytes the message may carry (inline thumbnail included). Default 15 MiB. */
  maxAttachmentBytes?: number;
  /** Published channel variants ("Amazon – hero" → URL), listed after the gallery's own images. */
  channelLinks?: ReadonlyArray<{ label: string; url: string }>;
}

/** What goes into the message, decided from the document alone (sizes as recorded at compose time). */
export interface GalleryEmail {
  subject: string;
  html: string;
  text: string;
  /** The thumbnail shown inline, with its Content-ID; null when there is none or it does not fit. */
  inline: { asset: GalleryAsset; cid: string } | null;
  attachments: GalleryAsset[];
  /** Finished images left out because of the cap. */
  omitted: GalleryAsset[];
}

export interface SendGalleryEmailOptions extends GallerySource, RenderGalleryEmailOptions {
  outputRoot: string;
  to: readonly string[];
  /** `Settings['smtp']`: `{ url: 'smtp://user:pass@host:587', from: 'Studio <studio@example.com>' }`. */
  smtp: SmtpSettingsInput | null | undefined;
  /** Connection and greeting timeout (default 15 s). */
  timeoutMs?: number;
}

export interface EmailAttachmentSummary {
  filename: string;
  kind: GalleryAsset['kind'];
  bytes: number;
  /** The Content-ID when the image is shown inside the message. */
  cid: string | null;
}

export interface GalleryEmailResult {
  messageId: string;
  accepted: string[];
  attachments: EmailAttachmentSummary[];
  omitted: string[];
}

export async function sendGalleryEmail(options: SendGalleryEmailOptions): Promise<GalleryEmailResult> {
  const settings = parseSmtpSettings(options.smtp);
  const to = parseOrThrow(RecipientsSchema, options.to, 'to');
  const connection = smtpConnection(settings);
  const document = await loadGalleryDocument(options);
  const email = renderGalleryEmail(document, options);

  const parts: Array<{ asset: GalleryAsset; cid: string | null }> = [
    ...(email.inline ? [{ asset: email.inline.asset, cid: email.inline.cid }] : []),
    ...email.attachments.map((asset) => ({ asset, cid: null })),
  ];
  const attachments = await Promise.all(
    parts.map(async ({ asset, cid }) => ({
      // The name the recipient sees: the file's own name, not its folder under the output root.
      filename: basename(asset.filename),
      content: await readAssetBytes(options.outputRoot, asset),
      contentType: 'image/png',
      ...(cid === null ? {} : { cid, contentDisposition: 'inline' as const }),
    })),
  );

  const timeout = options.timeoutMs ?? DEFAULT_SMTP_TIMEOUT_MS;
  const transportOptions: SMTPTransport.Options = {
    host: connection.host,
    port: connection.port,
    secure: connection.secure,
    ignoreTLS: connection.ignoreTLS,
    requireTLS: connection.requireTLS,
    ...(connection.auth ? { auth: connection.auth } : {}),
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: Math.max(timeout, 60_000),
    // The message is built from our own buffers only: no file paths or URLs are ever fetched.
    disableFileAccess: true,
    disableUrlAccess: true,
    logger: false,
  };
  // Loaded on first send: every engine process would otherwise pay for nodemailer at start-up.
  const { default: nodemailer } = await import('nodemailer');
  const transport = nodemailer.createTransport(transportOptions);
  let info: SMTPTransport.SentMessageInfo;
  try {
    info = await transport.sendMail({
      from: settings.from,
      to: [...to],
      subject: email.subject,
      html: email.html,
      text: email.text,
      attachments,
    });
  } catch (err) {
    throw toSmtpError(err, connection.redacted, to);
  } finally {
    transport.close();
  }

  const accepted = info.accepted.map(addressOf);
  const rejected = info.rejected.map(addressOf);
  if (rejected.length > 0) {
    throw new ShowcaseError(
      'publish_error',
      `The mail server rejected ${rejected.length === 1 ? 'the recipient' : 'recipients'} ${rejected.join(', ')}` +
        (accepted.length > 0 ? `; the message went to ${accepted.join(', ')}` : ''),
      {
        hint: 'Check the rejected addresses and send to them again (only them).',
        details: { messageId: info.messageId, accepted, rejected },
      },
    );
  }
  return {
    messageId: info.messageId,
    accepted,
    attachments: parts.map(({ asset, cid }) => ({
      filename: basename(asset.filename),
      kind: asset.kind,
      bytes: asset.bytes as number,
      cid,
    })),
    omitted: email.omitted.map((a) => basename(a.filename)),
  };
}

/** Builds the subject, the HTML and text bodies and picks the images to carry. Pure. */
export function renderGalleryEmail(
  document: GalleryDocument,
  options: RenderGalleryEmailOptions = {},
): GalleryEmail {
  const cap = options.maxAttachmentBytes ?? MAX_ATTACHMENT_BYTES;
  if (!Number.isFinite(cap) || cap < 0) {
    throw new ShowcaseError('invalid_input', `maxAttachmentBytes must be a number ≥ 0, got ${cap}`, {
      details: { field: 'maxAttachmentBytes' },
    });
  }
  const { product, copy } = document;
  const title = copy?.title ?? product.name;
  const tagline = copy?.tagline ?? '';
  const bullets = copy?.bullets ?? [];
  const description = copy?.description ?? product.description ?? '';
  const language = localeTag(copy?.language ?? product.language ?? 'en');
  const t = pageLabels(language);

  // Budget: the inline thumbnail first, then every other image if they all fit, else the hero alone.
  const images = usableAssets(document);
  const bytes = (a: GalleryAsset) => a.bytes ?? 0;
  let budget = cap;
  const thumbnail = images.find((a) => a.kind === 'thumbnail');
  const inlineAsset = thumbnail && bytes(thumbnail) <= budget ? thumbnail : null;
  if (inlineAsset) budget -= bytes(inlineAsset);
  const rest = images.filter((a) => a !== thumbnail);
  const hero = rest.find((a) => a.kind === 'hero');
  const attachments =
    rest.reduce((n, a) => n + bytes(a), 0) <= budget ? rest : hero && bytes(hero) <= budget ? [hero] : [];
  const omitted = images.filter((a) => a !== inlineAsset && !attachments.includes(a));
  const inline = inlineAsset ? { asset: inlineAsset, cid: `thumbnail.${product.id}@product-showcase` } : null;

  const pageUrl = httpUrl(document.publishedUrl);
  const imageLinks = document.assets
    .filter((a) => a.status === 'done')
    .map((a) => ({ label: assetLabel(a), url: httpUrl(a.remoteUrl), filename: basename(a.filename) }))
    .filter((l): l is { label: string; url: string; filename: string } => l.url !== null);

  const subject = t
    .subject(title)
    .replace(/[\r\n\t]+/g, ' ')
    .trim();
  const channelLinks = (options.channelLinks ?? [])
    .map((l) => ({ label: l.label, url: httpUrl(l.url) }))
    .filter((l): l is { label: string; url: string } => l.url !== null);
  const eyebrow = [product.brand, product.category].filter((s): s is string => Boolean(s)).join(' · ');
  const attachedNote =
    attachments.length === 0
      ? null
      : attachments.length === rest.length
        ? `${attachments.length === 1 ? 'The image is' : `All ${attachments.length} images are`} attached.`
        : `The hero image is attached${omitted.length > 0 ? '; the others are too large to attach together' : ''}.`;
  const unpublishedNote = pageUrl ? null : t.notPublished;
  const price = formatPrice(product.price, language);

  const font = 'font-family: system-ui, -apple-system, Segoe UI, Roboto, Helvetica, Arial, sans-serif;';
  const thumbHtml = inline
    ? `<img src="cid:${escapeHtml(inline.cid)}" alt="${escapeHtml(title)}" width="${thumbWidth(inline.asset)}" ` +
      `style="display:block; border:0; border-radius:10px; max-width:100%; height:auto; margin:0 0 20px;">`
    : '';
  const linksHtml = pageUrl
    ? `<p style="margin:0 0 16px;"><a href="${escapeHtml(pageUrl)}" style="display:inline-block; padding:11px 20px; ` +
      `border-radius:999px; background:#9b5f2a; color:#ffffff; text-decoration:none; font-weight:600;">` +
      `${escapeHtml(t.viewShowcase)}</a></p>\n<p style="margin:0 0 6px; color:#6d675e; font-size:13px;">${escapeHtml(t.orOpen)} ` +
      `<a href="${escapeHtml(pageUrl)}" style="color:#9b5f2a;">${escapeHtml(pageUrl)}</a></p>` +
      (imageLinks.length > 0
        ? `\n<p style="margin:18px 0 6px; font-weight:600;">${escapeHtml(t.images)}</p>\n<ul style="margin:0; padding-left:20px;">\n${imageLinks
            .map(
              (l) =>
                `<li style="margin:0 0 4px;"><a href="${escapeHtml(l.url)}" style="color:#9b5f2a;">${escapeHtml(l.label)}</a></li>`,
            )
            .join('\n')}\n</ul>`
        : '') +
      (channelLinks.length > 0
        ? `\n<p style="margin:18px 0 6px; font-weight:600;">${escapeHtml(t.channelImages)}</p>\n<ul style="margin:0; padding-left:20px;">\n${channelLinks
            .map(
              (l) =>
                `<li style="margin:0 0 4px;"><a href="${escapeHtml(l.url)}" style="color:#9b5f2a;">${escapeHtml(l.label)}</a></li>`,
            )
            .join('\n')}\n</ul>`
        : '')
    : `<p style="margin:0; padding:12px 14px; border-radius:10px; background:#fbefd3; color:#8a5a00;">${escapeHtml(
        unpublishedNote ?? '',
      )}</p>`;

  const html = `<!doctype html>
<html lang="${escapeHtml(language)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
</head>
<body style="margin:0; padding:0; background:#f7f5f1;">
${tagline ? `<div style="display:none; max-height:0; overflow:hidden;">${escapeHtml(tagline)}</div>\n` : ''}<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f7f5f1;">
<tr><td align="center" style="padding:28px 12px;">
<table role="presentation" width="600" cellpadding="0" cellspacing="0" style="width:100%; max-width:600px; background:#ffffff; border-radius:16px; ${font} color:#1d1b18; line-height:1.55;">
<tr><td style="padding:32px 36px 8px;">
${thumbHtml}${eyebrow ? `<p style="margin:0 0 6px; color:#9b5f2a; font-size:12px; letter-spacing:.08em; text-transform:uppercase; font-weight:600;">${escapeHtml(eyebrow)}</p>\n` : ''}<h1 style="margin:0 0 8px; font-size:26px; line-height:1.2;">${escapeHtml(title)}</h1>
${tagline ? `<p style="margin:0 0 16px; font-size:17px; color:#6d675e;">${escapeHtml(tagline)}</p>\n` : ''}${price ? `<p style="margin:0 0 16px; font-size:17px; font-weight:600;">${escapeHtml(price)}</p>\n` : ''}</td></tr>
${
  bullets.length > 0
    ? `<tr><td style="padding:0 36px 8px;"><ul style="margin:0; padding-left:20px;">\n${bullets
        .map((b) => `<li style="margin:0 0 6px;">${escapeHtml(b)}</li>`)
        .join('\n')}\n</ul></td></tr>\n`
    : ''
}${description ? `<tr><td style="padding:8px 36px 8px;">\n${htmlParagraphs(description)}\n</td></tr>\n` : ''}<tr><td style="padding:16px 36px 8px;">
${linksHtml}
</td></tr>
${
  attachedNote
    ? `<tr><td style="padding:8px 36px 0; color:#6d675e; font-size:13px;">${escapeHtml(attachedNote)}</td></tr>\n`
    : ''
}<tr><td style="padding:24px 36px 28px; color:#9a948a; font-size:12px;">${escapeHtml(t.sentWith(document.app.name))}</td></tr>
</table>
</td></tr>
</table>
</body>
</html>
`;

  const lines: string[] = [title];
  if (tagline) lines.push(tagline);
  if (price) lines.push(price);
  if (bullets.length > 0) lines.push('', ...bullets.map((b) => `- ${b}`));
  if (description) lines.push('', description.trim());
  lines.push('');
  if (pageUrl) {
    lines.push(`${t.viewShowcase}: ${pageUrl}`);
    if (imageLinks.length > 0)
      lines.push('', `${t.images}:`, ...imageLinks.map((l) => `- ${l.label}: ${l.url}`));
    if (channelLinks.length > 0)
      lines.push('', `${t.channelImages}:`, ...channelLinks.map((l) => `- ${l.label}: ${l.url}`));
  } else {
    lines.push(unpublishedNote ?? '');
  }
  if (attachedNote) lines.push('', attachedNote);
  lines.push('', `-- ${t.sentWith(document.app.name)}`);

  return { subject, html, text: `${lines.join('\n')}\n`, inline, attachments, omitted };
}

function htmlParagraphs(text: string): string {
  return text
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .map((p) => `<p style="margin:0 0 12px;">${escapeHtml(p).replace(/\n/g, '<br>')}</p>`)
    .join('\n');
}

function assetLabel(a: GalleryAsset): string {
  return a.kind === 'variation' ? `Variation ${a.idx}` : a.kind.charAt(0).toUpperCase() + a.kind.slice(1);
}

function thumbWidth(a: GalleryAsset): number {
  return Math.min(a.width ?? 160, 160);
}

/** Only http(s) links go into the message; anything else in a tampered document is dropped. */
function httpUrl(url: string | null): string | null {
  return url !== null && /^https?:\/\/[^\s]+$/i.test(url) ? url : null;
}

function addressOf(entry: string | { address: string }): string {
  return typeof entry === 'string' ? entry : entry.address;
}

const UNREACHABLE_SMTP_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ECONNREFUSED']);

function toSmtpError(err: unknown, server: string, to: readonly string[]): ShowcaseError {
  if (err instanceof ShowcaseError) return err;
  const e = (typeof err === 'object' && err !== null ? err : {}) as {
    code?: string;
    responseCode?: number;
    response?: string;
    rejected?: Array<string | { address: string }>;
    command?: string;
    message?: string;
  };
  const reason = (e.response ?? e.message ?? String(err)).trim();
  const details = {
    server,
    ...(e.code ? { smtpCode: e.code } : {}),
    ...(e.responseCode ? { responseCode: e.responseCode } : {}),
  };
  if (e.code !== undefined && UNREACHABLE_SMTP_CODES.has(e.code)) {
    return new ShowcaseError('backend_unreachable', `Cannot reach the mail server ${server}: ${reason}`, {
      hint: 'Check the SMTP URL in Settings (host and port) and that the server is running.',
      details,
      retryable: true,
      cause: err,
    });
  }
  if (e.code === 'EAUTH' || e.code === 'ENOAUTH') {
    return new ShowcaseError('auth_failed', `The mail server ${server} rejected the login: ${reason}`, {
      hint: 'Check the user name and password in the SMTP URL in Settings.',
      details,
      cause: err,
    });
  }
  if (e.code === 'EENVELOPE' && (e.command === 'MAIL FROM' || /^Invalid sender/.test(e.message ?? ''))) {
    return new ShowcaseError(
      'publish_error',
      `The mail server ${server} refused the sender address: ${reason}`,
      {
        hint: 'Set a sender ("from") address in Settings that this server lets you send as.',
        details,
        cause: err,
      },
    );
  }
  if (e.code === 'EENVELOPE') {
    const rejected = (e.rejected ?? []).map(addressOf);
    const who = rejected.length > 0 ? rejected.join(', ') : to.join(', ');
    return new ShowcaseError('publish_error', `The mail server rejected the recipients ${who}: ${reason}`, {
      hint: 'Check the addresses (and that the sender address is allowed to send through this server).',
      details: { ...details, rejected: rejected.length > 0 ? rejected : [...to] },
      cause: err,
    });
  }
  if (e.code === 'ETLS') {
    return new ShowcaseError('publish_error', `TLS with the mail server ${server} failed: ${reason}`, {
      hint: 'Use smtps:// for port 465, smtp:// for 587/25; the server certificate must be valid.',
      details,
      cause: err,
    });
  }
  return new ShowcaseError('publish_error', `The mail server ${server} refused the message: ${reason}`, {
    hint:
      e.responseCode === 552 || e.code === 'EMESSAGE'
        ? 'The message may be too large: lower the attachment limit or publish the gallery and send links.'
        : 'Check the sender address in Settings and the mail server’s logs.',
    details,
    retryable: e.responseCode !== undefined && e.responseCode >= 400 && e.responseCode < 500,
    cause: err,
  });
}
