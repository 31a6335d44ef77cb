// The backend flags every engine-opening command takes (`--comfy URL`…, `--ollama URL`, and the team's
// `--pg URL` and `--s3 URL`): settings for this process only, on top of the stored ones.
import { type SettingsPatch, ShowcaseError } from '../../shared/index.ts';
import { parseS3Settings, type S3Settings } from '../engine/publish/index.ts';
import { terminalInline as safeText } from './terminal.ts';

export function backendOverrides(opts: {
  comfy?: string[];
  ollama?: string;
  pg?: string;
  s3?: string;
  s3Region?: string;
}): SettingsPatch {
  return {
    ...(opts.comfy?.length ? { comfyUrls: opts.comfy } : {}),
    ...(opts.ollama ? { ollamaUrl: opts.ollama } : {}),
    ...(opts.pg ? { postgresUrl: opts.pg } : {}),
    ...(opts.s3 ? { s3: s3FromFlag(opts.s3, opts.s3Region) } : {}),
  };
}

/** `http://host:9000/bucket` + keys from the environment → the S3 settings (secrets never on argv). */
export function s3FromFlag(url: string | undefined, region: string | undefined): S3Settings {
  if (!url) {
    throw new ShowcaseError('invalid_input', 'No team bucket given', {
      hint: 'Pass --s3 http://minio.studio.lan:9000/showcase (endpoint and bucket) and put the keys in SHOWCASE_S3_ACCESS_KEY and SHOWCASE_S3_SECRET_KEY',
      details: { field: 's3' },
    });
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ShowcaseError('invalid_input', `--s3: "${safeText(url)}" is not a URL`, {
      details: { field: 's3' },
    });
  }
  const bucket = parsed.pathname.replace(/^\/+|\/+$/g, '');
  if (!bucket || bucket.includes('/')) {
    throw new ShowcaseError(
      'invalid_input',
      '--s3 must name the bucket as its path: http://host:9000/<bucket>',
      {
        details: { field: 's3' },
      },
    );
  }
  const accessKey = process.env.SHOWCASE_S3_ACCESS_KEY ?? process.env.AWS_ACCESS_KEY_ID;
  const secretKey = process.env.SHOWCASE_S3_SECRET_KEY ?? process.env.AWS_SECRET_ACCESS_KEY;
  if (!accessKey || !secretKey) {
    throw new ShowcaseError('invalid_input', 'The team bucket needs its keys', {
      hint: 'Set SHOWCASE_S3_ACCESS_KEY and SHOWCASE_S3_SECRET_KEY (or AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY)',
      details: { field: 'SHOWCASE_S3_ACCESS_KEY' },
    });
  }
  return parseS3Settings({
    endpoint: `${parsed.protocol}//${parsed.host}`,
    bucket,
    accessKey,
    secretKey,
    ...(region ? { region } : {}),
  });
}
