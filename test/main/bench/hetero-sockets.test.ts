import { describe, expect, it } from 'vitest';
import { HETERO_GPUS, heteroModels } from '../../../src/main/bench/hetero-bench.ts';
import { earliestFinishPolicy } from '../../../src/main/bench/hetero-policies.ts';
import { validateOnSockets } from '../../../src/main/bench/hetero-sockets.ts';

describe('placement over real sockets', () => {
  it('places a mixed catalog on four simulated GPUs (one too small for Qwen-Image) and ends', async () => {
    // A Qwen-Image prompt on the 16 GB simulator would fail with an out-of-memory execution error and
    // reject the run; every job must end for the promise to settle.
    const r = await validateOnSockets(HETERO_GPUS, heteroModels(5, 0.6), earliestFinishPolicy, 0.004);
    expect(r.products).toBe(5);
    expect(r.simulatorsMs).toBeGreaterThan(0);
    expect(r.modelMs).toBeGreaterThan(0);
  }, 60_000);
});
