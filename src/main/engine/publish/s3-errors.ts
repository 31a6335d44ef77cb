// Turns what the minio client throws (S3 error replies, socket errors, its own argument errors) into
// ShowcaseErrors an operator can act on. The secret key never appears: messages name the endpoint,
// the bucket and at most the first characters of the access key.
import { ShowcaseError } from '../../../shared/index.ts';
import { maskAccessKey } from './settings.ts';

export interface S3ErrorContext {
  /** What was being done, for the message: `upload products/mug/product_mug_hero.png`, `create the bucket` … */
  operation: string;
  endpoint: string;
  bucket: string;
  accessKey: string;
}

/** Socket-level failures: the server is down, unknown, or stopped answering. */
export const NETWORK_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EPIPE',
  'EPROTO',
  'UND_ERR_SOCKET',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
]);

/** Replies meaning "these credentials are not valid here" (as opposed to "valid but not allowed"). */
export const AUTH_ERROR_CODES: ReadonlySet<string> = new Set([
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'InvalidToken',
  'ExpiredToken',
  'TokenRefreshRequired',
  'InvalidSecurity',
]);

const DENIED_CODES: ReadonlySet<string> = new Set(['AccessDenied', 'AllAccessDisabled', 'AccountProblem']);
const REGION_CODES: ReadonlySet<string> = new Set([
  'PermanentRedirect',
  'TemporaryRedirect',
  'MovedPermanently',
  'AuthorizationHeaderMalformed',
  'IllegalLocationConstraintException',
  'InvalidRegion',
]);

/** The `code` an error carries (S3 error code or errno string), if any. */
export function errorCode(err: unknown): string | null {
  if (typeof err !== 'object' || err === null) return null;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && code !== '' ? code : null;
}

export function isNetworkError(err: unknown): boolean {
  const code = errorCode(err);
  if (code !== null && NETWORK_ERROR_CODES.has(code)) return true;
  // undici/fetch and some agents wrap the socket error.
  const cause = (err as { cause?: unknown } | null)?.cause;
  return cause !== undefined && cause !== err && errorCode(cause) !== null && isNetworkError(cause);
}

export function toS3Error(err: unknown, ctx: S3ErrorContext): ShowcaseError {
  if (err instanceof ShowcaseError) return err;
  const code = errorCode(err);
  const detail = err instanceof Error ? err.message : String(err);
  const base = { endpoint: ctx.endpoint, bucket: ctx.bucket, ...(code === null ? {} : { s3Code: code }) };

  if (err instanceof Error && err.name === 'AbortError') {
    return new ShowcaseError('interrupted', 'Publishing was cancelled', {
      hint: 'Publish again to continue; files already uploaded are skipped.',
      details: base,
      retryable: true,
      cause: err,
    });
  }
  if (isNetworkError(err)) {
    const why = code ?? errorCode((err as { cause?: unknown }).cause) ?? 'no answer';
    return new ShowcaseError(
      'backend_unreachable',
      `Cannot reach the S3 server at ${ctx.endpoint} (${why})`,
      {
        hint:
          'Check the endpoint URL in Settings → S3 and that the server is running; publishing again ' +
          'resumes where it stopped.',
        details: base,
        retryable: true,
        cause: err,
      },
    );
  }
  if (code !== null && AUTH_ERROR_CODES.has(code)) {
    const what =
      code === 'SignatureDoesNotMatch'
        ? 'the secret key does not match it'
        : code === 'InvalidAccessKeyId'
          ? 'the server does not know it'
          : 'its session token is invalid or expired';
    return new ShowcaseError(
      'auth_failed',
      `S3 rejected the access key "${maskAccessKey(ctx.accessKey)}" at ${ctx.endpoint}: ${what} (${code})`,
      {
        hint: 'Check the access key and secret key in Settings → S3.',
        details: base,
        cause: err,
      },
    );
  }
  if (code !== null && DENIED_CODES.has(code)) {
    return new ShowcaseError(
      'publish_error',
      `S3 denied access to bucket "${ctx.bucket}" while trying to ${ctx.operation} (${code})`,
      {
        hint:
          `Allow the access key "${maskAccessKey(ctx.accessKey)}" s3:ListBucket on the bucket and ` +
          `s3:GetObject and s3:PutObject on its objects (s3:CreateBucket too if the bucket does not exist ` +
          'yet), or pick a bucket the key may write to.',
        details: base,
        cause: err,
      },
    );
  }
  if (code === 'NoSuchBucket') {
    return new ShowcaseError(
      'publish_error',
      `The bucket "${ctx.bucket}" does not exist at ${ctx.endpoint}`,
      {
        hint: 'Create the bucket, or give the access key s3:CreateBucket so publishing can create it.',
        details: base,
        cause: err,
      },
    );
  }
  if (code !== null && REGION_CODES.has(code)) {
    return new ShowcaseError(
      'publish_error',
      `S3 answered ${code} while trying to ${ctx.operation}: the bucket lives in another region or at another endpoint`,
      {
        hint: 'Set the bucket’s region (and its regional endpoint) in Settings → S3.',
        details: base,
        cause: err,
      },
    );
  }
  if (code === 'InvalidBucketNameError' || (err instanceof Error && err.name === 'InvalidBucketNameError')) {
    return new ShowcaseError('invalid_input', `Invalid bucket name "${ctx.bucket}"`, {
      details: { ...base, fields: ['s3.bucket'] },
      cause: err,
    });
  }
  return new ShowcaseError('publish_error', `S3 could not ${ctx.operation}: ${detail}`, {
    hint: 'Publish again; if it keeps failing, check the S3 server’s logs for this request.',
    details: base,
    // Throttling and server errors pass; a malformed request would not.
    retryable:
      code === null || ['SlowDown', 'ServiceUnavailable', 'InternalError', 'RequestTimeout'].includes(code),
    cause: err,
  });
}
