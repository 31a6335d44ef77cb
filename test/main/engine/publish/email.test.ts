// The e-mail pack against a real smtp-server on 127.0.0.1, every message parsed with mailparser; the
// published variant uses links from a real publish to an s3rver child process.
import { createHash } from 'node:crypto';
import { createServer } from 'node:net';
import { basename } from 'node:path';
import type { Attachment } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type GalleryPublishResult,
  publishGallery,
  renderGalleryEmail,
  sendGalleryEmail,
} from '../../../../src/main/engine/publish/index.ts';
import { ShowcaseError } from '../../../../src/shared/index.ts';
import { type GalleryFixture, writeGalleryFixture } from '../../../fixtures/gallery.ts';
import { type S3Peer, startS3Peer } from '../../../fixtures/s3.ts';
import { type SmtpPeer, startSmtpPeer } from '../../../fixtures/smtp.ts';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const FROM = 'Showcase Studio <studio@example.com>';

/** The fixture gallery's folder under the output root (showcase/files.ts). */
const FOLDER = 'galleries/evil-mug/g-evil-mug';
const byName = (a: Attachment, b: Attachment) => (a.filename ?? '').localeCompare(b.filename ?? '');

async function expectShowcaseError(promise: Promise<unknown>, code: string): Promise<ShowcaseError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ShowcaseError);
  expect((err as ShowcaseError).code).toBe(code);
  return err as ShowcaseError;
}

/** href values in the HTML, un-escaped. */
const hrefs = (html: string) =>
  [...html.matchAll(/href="([^"]+)"/g)].map((m) => (m[1] as string).replaceAll('&amp;', '&'));

let smtp: SmtpPeer;
let s3: S3Peer;
let gallery: GalleryFixture;
let published: GalleryPublishResult;

beforeAll(async () => {
  [smtp, s3, gallery] = await Promise.all([
    startSmtpPeer({
      rejectRecipient: (a) => a.startsWith('nobody@'),
      rejectSender: (a) => a.startsWith('spoofed@'),
    }),
    startS3Peer(),
    writeGalleryFixture({
      id: 'evil-mug',
      title: 'Mug <script>alert("x")</script> & "Co"',
      tagline: "Tea & <b>biscuits</b>, isn't it",
    }),
  ]);
  published = await publishGallery({
    s3: s3.settings({ bucket: 'mail-bucket', publicBaseUrl: `${s3.endpoint}/mail-bucket` }),
    outputRoot: gallery.outputRoot,
    document: gallery.document,
  });
});

afterAll(async () => {
  await smtp?.stop();
  await s3?.dispose();
  await gallery?.cleanup();
});

describe('sendGalleryEmail', () => {
  it('sends the published gallery: subject, escaped copy, links, inline thumbnail and every image attached', async () => {
    const before = smtp.mails.length;
    const result = await sendGalleryEmail({
      document: published.document,
      outputRoot: gallery.outputRoot,
      to: ['buyer@example.com', 'boss@example.com'],
      smtp: { url: smtp.url, from: FROM },
    });
    const [mail] = (await smtp.waitForMails(before + 1)).slice(before);
    if (!mail) throw new Error('no mail');
    const { parsed } = mail;

    expect(result.accepted.sort()).toEqual(['boss@example.com', 'buyer@example.com']);
    expect(parsed.messageId).toBe(result.messageId);
    expect(mail.envelope).toEqual({
      from: 'studio@example.com',
      to: ['buyer@example.com', 'boss@example.com'],
    });
    expect(parsed.subject).toBe('Product showcase: Mug <script>alert("x")</script> & "Co"');

    const html = parsed.html || '';
    expect(html).toContain('Mug &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;Co&quot;');
    expect(html).toContain('Tea &amp; &lt;b&gt;biscuits&lt;/b&gt;, isn&#39;t it');
    expect(html).not.toContain('<script>');
    expect(html).toContain('<li style="margin:0 0 6px;">Dishwasher safe</li>');
    expect(html).toContain('<p style="margin:0 0 12px;">The raw foot keeps it steady on any table.</p>');
    expect(html).not.toContain('not published yet');

    // Links: the published page and every image's public URL, in the HTML and in the text part.
    const links = hrefs(html);
    expect(links).toContain(published.url);
    for (const asset of published.assets) {
      expect(links).toContain(asset.url);
      expect(parsed.text).toContain(asset.url);
    }
    expect(parsed.text).toContain(`View the showcase: ${published.url}`);
    expect(parsed.text).toContain('- Holds 350 ml');
    expect(parsed.text).toContain('Mug <script>alert("x")</script> & "Co"');

    // The thumbnail is inline under the Content-ID the HTML references.
    const cid = 'thumbnail.evil-mug@product-showcase';
    expect(html).toContain(`src="cid:${cid}"`);
    const attachments = [...parsed.attachments].sort(byName);
    const inline = attachments.find((a) => a.contentId === `<${cid}>`);
    expect(inline?.filename).toBe('product_evil-mug_thumbnail.png');
    expect(inline?.contentDisposition).toBe('inline');

    // Everything fits under 15 MiB: all seven images arrive, byte for byte.
    // Attached under the files' own names (not their gallery folder).
    expect(attachments.map((a) => a.filename)).toEqual(
      [...gallery.files.keys()].map((f) => basename(f)).sort(),
    );
    for (const a of attachments) {
      expect(a.contentType).toBe('image/png');
      expect(sha(a.content)).toBe(sha(gallery.files.get(`${FOLDER}/${a.filename}`) as Buffer));
    }
    expect(result.omitted).toEqual([]);
    expect(result.attachments.filter((a) => a.cid !== null).map((a) => a.filename)).toEqual([
      'product_evil-mug_thumbnail.png',
    ]);
  });

  it('an unpublished gallery says so, and over the cap only the hero is attached', async () => {
    const hero = gallery.document.assets.find((a) => a.kind === 'hero');
    const thumb = gallery.document.assets.find((a) => a.kind === 'thumbnail');
    const cap = (hero?.bytes ?? 0) + (thumb?.bytes ?? 0) + 10;
    const before = smtp.mails.length;
    const result = await sendGalleryEmail({
      jsonPath: gallery.jsonPath,
      outputRoot: gallery.outputRoot,
      to: ['buyer@example.com'],
      smtp: { url: smtp.url, from: FROM },
      maxAttachmentBytes: cap,
    });
    const [mail] = (await smtp.waitForMails(before + 1)).slice(before);
    const parsed = mail?.parsed;
    expect(parsed?.html).toContain('This gallery is not published yet');
    expect(parsed?.text).toContain('This gallery is not published yet');
    expect(hrefs(parsed?.html || '').filter((h) => h.startsWith('http'))).toEqual([]);
    expect(parsed?.text).toContain(
      'The hero image is attached; the others are too large to attach together.',
    );

    const attachments = [...(parsed?.attachments ?? [])].sort(byName);
    expect(attachments.map((a) => a.filename)).toEqual([
      'product_evil-mug_hero.png',
      'product_evil-mug_thumbnail.png',
    ]);
    for (const a of attachments)
      expect(sha(a.content)).toBe(sha(gallery.files.get(`${FOLDER}/${a.filename}`) as Buffer));
    expect(result.omitted.sort()).toEqual(
      [...gallery.files.keys()]
        .filter((f) => !/_(hero|thumbnail)\.png$/.test(f))
        .map((f) => basename(f))
        .sort(),
    );
  });

  it('with a cap below the hero nothing but the thumbnail travels', () => {
    const thumb = gallery.document.assets.find((a) => a.kind === 'thumbnail');
    const email = renderGalleryEmail(gallery.document, { maxAttachmentBytes: (thumb?.bytes ?? 0) + 1 });
    expect(email.inline?.asset.filename).toBe(`${FOLDER}/product_evil-mug_thumbnail.png`);
    expect(email.attachments).toEqual([]);
    expect(email.omitted).toHaveLength(6);
    const none = renderGalleryEmail(gallery.document, { maxAttachmentBytes: 0 });
    expect([none.inline, none.attachments.length, none.omitted.length]).toEqual([null, 0, 7]);
    expect(none.html).not.toContain('cid:');
  });

  it('drops links that are not http(s)', () => {
    const tampered = {
      ...published.document,
      publishedUrl: 'javascript:alert(1)',
      assets: published.document.assets.map((a) => ({ ...a, remoteUrl: 'javascript:alert(2)' })),
    };
    const email = renderGalleryEmail(tampered);
    expect(email.html).not.toContain('javascript:');
    expect(email.text).not.toContain('javascript:');
    expect(email.html).toContain('not published yet');
  });

  it('a rejected recipient is publish_error naming it; the others still get the message', async () => {
    const before = smtp.mails.length;
    const err = await expectShowcaseError(
      sendGalleryEmail({
        document: published.document,
        outputRoot: gallery.outputRoot,
        to: ['nobody@example.com', 'buyer@example.com'],
        smtp: { url: smtp.url, from: FROM },
      }),
      'publish_error',
    );
    expect(err.message).toContain('nobody@example.com');
    expect(err.details).toMatchObject({ accepted: ['buyer@example.com'], rejected: ['nobody@example.com'] });
    const [mail] = (await smtp.waitForMails(before + 1)).slice(before);
    expect(mail?.envelope.to).toEqual(['buyer@example.com']);

    const all = await expectShowcaseError(
      sendGalleryEmail({
        document: published.document,
        outputRoot: gallery.outputRoot,
        to: ['nobody@example.com'],
        smtp: { url: smtp.url, from: FROM },
      }),
      'publish_error',
    );
    expect(all.details?.rejected).toEqual(['nobody@example.com']);
  });

  it('a refused sender address is publish_error about the sender, not the recipients', async () => {
    const err = await expectShowcaseError(
      sendGalleryEmail({
        document: gallery.document,
        outputRoot: gallery.outputRoot,
        to: ['buyer@example.com'],
        smtp: { url: smtp.url, from: 'spoofed@example.com' },
      }),
      'publish_error',
    );
    expect(err.message).toMatch(/refused the sender address: 553 Sender spoofed@example.com not allowed/);
    expect(err.hint).toMatch(/sender/);
  });

  it('an unreachable server is backend_unreachable', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const p = (probe.address() as { port: number }).port;
        probe.close(() => resolve(p));
      });
    });
    const err = await expectShowcaseError(
      sendGalleryEmail({
        document: gallery.document,
        outputRoot: gallery.outputRoot,
        to: ['buyer@example.com'],
        smtp: { url: `smtp://127.0.0.1:${port}`, from: FROM },
      }),
      'backend_unreachable',
    );
    expect(err.message).toContain(`127.0.0.1:${port}`);
    expect(err.retryable).toBe(true);
  });

  it('logs in with the credentials from the URL; a wrong password is auth_failed and never shown', async () => {
    const secured = await startSmtpPeer({ users: { studio: 'p@ss word' } });
    try {
      await sendGalleryEmail({
        document: gallery.document,
        outputRoot: gallery.outputRoot,
        to: ['buyer@example.com'],
        smtp: {
          url: `smtp://studio:${encodeURIComponent('p@ss word')}@127.0.0.1:${secured.port}`,
          from: FROM,
        },
        maxAttachmentBytes: 0,
      });
      const [mail] = await secured.waitForMails(1);
      expect(mail?.user).toBe('studio');

      const err = await expectShowcaseError(
        sendGalleryEmail({
          document: gallery.document,
          outputRoot: gallery.outputRoot,
          to: ['buyer@example.com'],
          smtp: { url: `smtp://studio:wrong-secret@127.0.0.1:${secured.port}`, from: FROM },
        }),
        'auth_failed',
      );
      expect(err.message).toContain(`smtp://studio:***@127.0.0.1:${secured.port}`);
      expect(JSON.stringify({ ...err.toJSON(), message: err.message })).not.toContain('wrong-secret');
    } finally {
      await secured.stop();
    }
  });

  it('bad input is invalid_input naming the field', async () => {
    const bad = await expectShowcaseError(
      sendGalleryEmail({
        document: gallery.document,
        outputRoot: gallery.outputRoot,
        to: ['buyer@example.com', 'not an address'],
        smtp: { url: smtp.url, from: FROM },
      }),
      'invalid_input',
    );
    expect(bad.details?.fields).toEqual(['to.1']);
    const url = await expectShowcaseError(
      sendGalleryEmail({
        document: gallery.document,
        outputRoot: gallery.outputRoot,
        to: ['buyer@example.com'],
        smtp: { url: 'http://127.0.0.1:25', from: FROM },
      }),
      'invalid_input',
    );
    expect(url.details?.fields).toEqual(['smtp.url']);
    await expectShowcaseError(
      sendGalleryEmail({
        document: gallery.document,
        outputRoot: gallery.outputRoot,
        to: ['a@b.co'],
        smtp: null,
      }),
      'invalid_input',
    );
  });
});
