import { describe, expect, it } from 'vitest';
import {
  executionError,
  isConnectionError,
  isOutOfMemory,
  validationError,
} from '../../../../src/main/engine/comfy/errors.ts';
import { modelFolderFor } from '../../../../src/main/engine/comfy/models.ts';
import { PromptRejectedSchema } from '../../../../src/main/engine/comfy/schemas.ts';

// The 400 reply of §2, verbatim in shape.
const missingUnetReply = {
  error: {
    type: 'prompt_outputs_failed_validation',
    message: 'Prompt outputs failed validation',
    details: '',
    extra_info: {},
  },
  node_errors: {
    '1': {
      errors: [
        {
          type: 'value_not_in_list',
          message: 'Value not in list',
          details: "unet_name: 'qwen_image_fp8_e4m3fn.safetensors' not in []",
          extra_info: {
            input_name: 'unet_name',
            input_config: [[], {}],
            received_value: 'qwen_image_fp8_e4m3fn.safetensors',
          },
        },
      ],
      dependent_outputs: ['10'],
      class_type: 'UNETLoader',
    },
  },
};

function rejected(body: unknown) {
  const parsed = PromptRejectedSchema.parse(body);
  if (typeof parsed.error === 'string') throw new Error('expected an error object');
  return validationError(parsed.error, parsed.node_errors, 400);
}

describe('validationError', () => {
  it('maps a missing model file to model_missing with the folder ComfyUI expects', () => {
    const err = rejected(missingUnetReply);
    expect(err.code).toBe('model_missing');
    expect(err.message).toContain(
      "Node 1 (UNETLoader) input unet_name: 'qwen_image_fp8_e4m3fn.safetensors' not in []",
    );
    expect(err.hint).toContain('qwen_image_fp8_e4m3fn.safetensors');
    expect(err.hint).toContain('models/diffusion_models/');
    expect(err.details).toMatchObject({
      type: 'prompt_outputs_failed_validation',
      nodeErrors: {
        '1': {
          classType: 'UNETLoader',
          dependentOutputs: ['10'],
          errors: [{ type: 'value_not_in_list', inputName: 'unet_name' }],
        },
      },
      missingModels: [
        {
          nodeId: '1',
          classType: 'UNETLoader',
          inputName: 'unet_name',
          filename: 'qwen_image_fp8_e4m3fn.safetensors',
          folder: 'models/diffusion_models/',
        },
      ],
    });
  });

  it('keeps other validation failures as comfy_validation naming node, class and input', () => {
    const err = rejected({
      error: {
        type: 'prompt_outputs_failed_validation',
        message: 'Prompt outputs failed validation',
        details: '',
      },
      node_errors: {
        '7': {
          errors: [
            {
              type: 'value_bigger_than_max',
              message: 'Value 99999 bigger than max of 16384',
              details: 'width',
              extra_info: { input_name: 'width', received_value: 99999 },
            },
          ],
          dependent_outputs: ['10'],
          class_type: 'EmptySD3LatentImage',
        },
        // a COMBO miss that is not a model file stays a validation error
        '8': {
          errors: [
            {
              type: 'value_not_in_list',
              message: 'Value not in list',
              details: "sampler_name: 'eulerx' not in ['euler']",
              extra_info: { input_name: 'sampler_name', received_value: 'eulerx' },
            },
          ],
          dependent_outputs: ['10'],
          class_type: 'KSampler',
        },
      },
    });
    expect(err.code).toBe('comfy_validation');
    expect(err.message).toContain(
      'Node 7 (EmptySD3LatentImage) input width: Value 99999 bigger than max of 16384',
    );
    expect(err.message).toContain("Node 8 (KSampler) input sampler_name: 'eulerx' not in ['euler']");
    expect(err.retryable).toBe(false);
  });

  it('reports graph-level errors (no node_errors) by their message', () => {
    const err = rejected({
      error: { type: 'prompt_no_outputs', message: 'Prompt has no outputs', details: '', extra_info: {} },
      node_errors: {},
    });
    expect(err.code).toBe('comfy_validation');
    expect(err.message).toContain('Prompt has no outputs');
    expect(err.details).toMatchObject({ type: 'prompt_no_outputs', nodeErrors: {} });
  });
});

describe('modelFolderFor', () => {
  it('knows the loader folders of §10/§11', () => {
    expect(modelFolderFor('UNETLoader', 'unet_name')).toBe('models/diffusion_models/');
    expect(modelFolderFor('CLIPLoader', 'clip_name')).toBe('models/text_encoders/');
    expect(modelFolderFor('VAELoader', 'vae_name')).toBe('models/vae/');
    expect(modelFolderFor('CheckpointLoaderSimple', 'ckpt_name')).toBe('models/checkpoints/');
    expect(modelFolderFor('LoraLoaderModelOnly', 'lora_name')).toBe('models/loras/');
    expect(modelFolderFor('CLIPVisionLoader', 'clip_name')).toBe('models/clip_vision/');
    expect(modelFolderFor('KSampler', 'sampler_name')).toBeNull();
  });
});

describe('executionError', () => {
  const base = {
    prompt_id: 'p1',
    node_id: '8',
    node_type: 'KSampler',
    traceback: [],
  };

  it('maps torch.OutOfMemoryError to a retryable out_of_memory', () => {
    const err = executionError({
      ...base,
      exception_type: 'torch.OutOfMemoryError',
      exception_message: 'Allocation on device \nThis error means you ran out of memory on your GPU.',
    });
    expect(err.code).toBe('out_of_memory');
    expect(err.retryable).toBe(true);
    expect(err.details).toMatchObject({
      nodeId: '8',
      nodeType: 'KSampler',
      exceptionType: 'torch.OutOfMemoryError',
    });
  });

  it('detects OOM from the message alone', () => {
    expect(isOutOfMemory('RuntimeError', 'CUDA out of memory. Tried to allocate 2.00 GiB')).toBe(true);
    expect(isOutOfMemory('RuntimeError', 'Allocation on device')).toBe(true);
    expect(isOutOfMemory('RuntimeError', 'shape mismatch')).toBe(false);
  });

  it('keeps other exceptions as comfy_execution with the node and exception', () => {
    const err = executionError({
      ...base,
      exception_type: 'RuntimeError',
      exception_message: 'shape mismatch\n',
    });
    expect(err.code).toBe('comfy_execution');
    expect(err.message).toContain('node 8 (KSampler)');
    expect(err.message).toContain('RuntimeError: shape mismatch');
    expect(err.details).toEqual({
      promptId: 'p1',
      nodeId: '8',
      nodeType: 'KSampler',
      exceptionType: 'RuntimeError',
      exceptionMessage: 'shape mismatch\n',
    });
  });

  it('maps a model deleted after validation to model_missing', () => {
    const err = executionError({
      ...base,
      node_type: 'CheckpointLoaderSimple',
      exception_type: 'FileNotFoundError',
      exception_message:
        "Model in folder 'checkpoints' with filename 'sd_xl_base_1.0.safetensors' not found.",
    });
    expect(err.code).toBe('model_missing');
    expect(err.hint).toContain('models/checkpoints/');
  });
});

describe('isConnectionError', () => {
  it('finds the code through causes', () => {
    const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    expect(isConnectionError(new TypeError('fetch failed', { cause }))).toBe(true);
    expect(isConnectionError(new Error('nope'))).toBe(false);
  });
});
