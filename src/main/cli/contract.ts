// The CLI calls the engine the way every adapter does: the contract's input schema parses the
// arguments (its limits and messages, as over HTTP and IPC), then the method's handler runs.
import type { MethodInput, MethodName, MethodOutput } from '../../shared/index.ts';
import { dispatch } from '../contract/index.ts';
import type { Engine } from '../engine/engine.ts';

export async function call<M extends MethodName>(
  engine: Engine,
  method: M,
  input: MethodInput<M>,
): Promise<MethodOutput<M>> {
  // dispatch() validated the input with this method's schema and ran this method's handler.
  return (await dispatch(engine.handlers, method, input)) as MethodOutput<M>;
}
