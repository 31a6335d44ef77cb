import { describe, expect, it } from 'vitest';
import { allNodesCached, outcomeFromHistory } from '../../../../src/main/engine/comfy/history.ts';
import { HistoryEntrySchema } from '../../../../src/main/engine/comfy/schemas.ts';

const id = '0b4c5d6e-0000-4000-8000-000000000001';
const graph = { '9': { class_type: 'VAEDecode', inputs: {} }, '10': { class_type: 'SaveImage', inputs: {} } };

function entry(status: unknown, outputs: unknown = {}) {
  return HistoryEntrySchema.parse({
    prompt: [7, id, graph, { client_id: 'c1' }, ['10']],
    outputs,
    status,
    meta: { '10': { node_id: '10', display_node: '10', parent_node: null, real_node_id: '10' } },
  });
}

describe('outcomeFromHistory', () => {
  it('reads outputs, cached nodes and server timestamps of a success (§4 shape)', () => {
    const outcome = outcomeFromHistory(
      id,
      entry(
        {
          status_str: 'success',
          completed: true,
          messages: [
            ['execution_start', { prompt_id: id, timestamp: 1_000 }],
            ['execution_cached', { nodes: ['9', '10'], prompt_id: id, timestamp: 1_001 }],
            ['execution_success', { prompt_id: id, timestamp: 1_250 }],
          ],
        },
        {
          '10': {
            images: [
              { filename: 'job-42_00001_.png', subfolder: 'qwen', type: 'output', id: 'asset-1' },
              // an odd entry from a custom node is skipped, not fatal
              { url: 'nope' },
            ],
          },
          '12': { text: ['hello'] },
        },
      ),
    );
    expect(outcome).toEqual({
      ok: true,
      outputs: { '10': { images: [{ filename: 'job-42_00001_.png', subfolder: 'qwen', type: 'output' }] } },
      cachedNodes: ['9', '10'],
      graphNodeIds: ['9', '10'],
      startTimestamp: 1_000,
      endTimestamp: 1_250,
    });
    if (outcome.ok) expect(allNodesCached(outcome.graphNodeIds, outcome.cachedNodes)).toBe(true);
  });

  it('turns a recorded execution_error into the mapped error', () => {
    const outcome = outcomeFromHistory(
      id,
      entry({
        status_str: 'error',
        completed: false,
        messages: [
          ['execution_start', { prompt_id: id, timestamp: 1 }],
          [
            'execution_error',
            {
              prompt_id: id,
              node_id: '9',
              node_type: 'VAEDecode',
              exception_type: 'torch.OutOfMemoryError',
              exception_message: 'Allocation on device \nTIPS: …',
              traceback: ['…'],
              executed: [],
              current_inputs: {},
              current_outputs: [],
              timestamp: 2,
            },
          ],
        ],
      }),
    );
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) {
      expect(outcome.error.code).toBe('out_of_memory');
      expect(outcome.error.details).toMatchObject({ promptId: id, nodeId: '9', nodeType: 'VAEDecode' });
    }
  });

  it('turns execution_interrupted into interrupted', () => {
    const outcome = outcomeFromHistory(
      id,
      entry({
        status_str: 'error',
        completed: false,
        messages: [
          ['execution_interrupted', { prompt_id: id, node_id: '8', node_type: 'KSampler', executed: [] }],
        ],
      }),
    );
    expect(outcome.ok ? null : outcome.error.code).toBe('interrupted');
  });

  it('does not call a partly cached run cached', () => {
    expect(allNodesCached(['1', '2', '3'], ['1', '2'])).toBe(false);
    expect(allNodesCached(null, ['1'])).toBe(false);
  });
});
