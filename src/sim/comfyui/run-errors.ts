// How a simulated run ends badly: the restart that kills it, the interrupt, and the
// execution_interrupted / execution_error message a failed node produces (with ComfyUI's OOM tips).
import { isPlainObject, PyError, pyStr } from './pyjson.ts';

/** Raised into a run when the server restarts: the job vanishes without further messages. */
export class Killed extends Error {
  constructor() {
    super('simulator restarted');
    this.name = 'Killed';
  }
}

export class Interrupted extends Error {
  constructor() {
    super('Processing interrupted');
    this.name = 'InterruptProcessingException';
  }
}

export const OOM_TYPE = 'torch.OutOfMemoryError';
export const OOM_TIPS =
  'This error means you ran out of memory on your GPU.\n\nTIPS: If the workflow worked before you might have accidentally set the batch_size to a large number.';

export interface NodeFailure {
  id: string;
  classType: string;
  error: unknown;
  inputs: Record<string, unknown>;
}

/** The status message that ends a run at `failure`: `[event, data, broadcast to every client]`. */
export function failureMessage(
  failure: NodeFailure,
  promptId: string,
  executed: readonly string[],
  graphIds: string[],
): [string, Record<string, unknown>, boolean] {
  const { id, classType, error } = failure;
  if (error instanceof Interrupted) {
    const data = { prompt_id: promptId, node_id: id, node_type: classType, executed: [...executed] };
    return ['execution_interrupted', data, true];
  }
  const pyType = error instanceof PyError ? error.pyType : 'Exception';
  const text = error instanceof Error ? error.message : String(error);
  const data = {
    prompt_id: promptId,
    node_id: id,
    node_type: classType,
    executed: [...executed],
    exception_message: `${text}\n${pyType === OOM_TYPE ? OOM_TIPS : ''}`,
    exception_type: pyType,
    traceback: [
      `  File "sim/comfyui/engine.ts", in execute\n    (simulated ${classType} node ${id})\n`,
      `${pyType}: ${text}\n`,
    ],
    current_inputs: formatInputs(failure.inputs),
    current_outputs: graphIds,
  };
  return ['execution_error', data, false];
}

/** `current_inputs`: each input as a list of formatted values (objects as their str()). */
function formatInputs(inputs: Record<string, unknown>): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const [name, value] of Object.entries(inputs)) {
    if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) out[name] = [value];
    else if (isPlainObject(value) && typeof value.kind === 'string') out[name] = [`<${value.kind} object>`];
    else out[name] = [pyStr(value)];
  }
  return out;
}
