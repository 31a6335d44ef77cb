import { describe, expect, it } from 'vitest';
import { errorFields, errorInfo, jobErrorInfo } from '../../../src/renderer/state/errors.ts';
import { ShowcaseError } from '../../../src/shared/index.ts';

describe('operator-facing errors', () => {
  it('keeps the engine’s hint and falls back to a per-code one', () => {
    const withHint = errorInfo(
      new ShowcaseError('publish_error', 'S3 said 403', { hint: 'Check the bucket policy.' }),
    );
    expect(withHint).toMatchObject({
      code: 'publish_error',
      title: 'Publishing failed',
      hint: 'Check the bucket policy.',
    });
    const without = errorInfo(new ShowcaseError('model_missing', 'qwen.safetensors not found'));
    expect(without.hint).toMatch(/Install the model/);
    expect(errorInfo(new Error('boom'))).toMatchObject({ code: 'internal', message: 'boom' });
  });

  it('reads job failure strings: serialized errors, `code: message`, and common wording', () => {
    const serialized = JSON.stringify({
      code: 'timeout',
      message: 'hero took 600 s',
      hint: 'Raise the timeout.',
      retryable: true,
    });
    expect(jobErrorInfo(serialized)).toMatchObject({ code: 'timeout', hint: 'Raise the timeout.' });
    expect(jobErrorInfo('comfy_validation: node 4 ckpt_name not in list')).toMatchObject({
      code: 'comfy_validation',
      message: 'node 4 ckpt_name not in list',
    });
    expect(jobErrorInfo('torch.OutOfMemoryError: CUDA out of memory').code).toBe('out_of_memory');
    expect(jobErrorInfo('connect ECONNREFUSED 127.0.0.1:8188').code).toBe('backend_unreachable');
    expect(jobErrorInfo('something odd').code).toBe('internal');
  });

  it('lists the fields an invalid_input error names', () => {
    const err = new ShowcaseError('invalid_input', 'bad', {
      details: { fields: ['s3.endpoint', 'comfyUrls.1'] },
    });
    expect(errorFields(err)).toEqual(['s3.endpoint', 'comfyUrls.1']);
    expect(errorFields(new Error('x'))).toEqual([]);
  });
});
