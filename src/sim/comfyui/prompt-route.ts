import type { QueueItem } from './engine.ts';
import {
  json,
  type Reply,
  type RequestContext,
  SENSITIVE_KEYS,
  type SimContext,
  UUID_RE,
} from './http-reply.ts';
import { isPlainObject, PyError, PyFloat, pyBool, pyContains, pyFloat, pyStr } from './pyjson.ts';
import { validatePrompt } from './validate.ts';

export async function postPrompt(sim: SimContext, ctx: RequestContext): Promise<Reply> {
  const { engine } = sim;
  const body = await ctx.json();
  let number: number;
  let numberIsFloat = false;
  if (pyContains(body, 'number')) {
    number = pyFloat((body as Record<string, unknown>).number);
    numberIsFloat = true;
  } else {
    number = engine.counter;
    if (pyContains(body, 'front') && pyBool((body as Record<string, unknown>).front)) number = -number;
    engine.counter += 1;
  }
  if (!pyContains(body, 'prompt')) {
    const error = {
      type: 'no_prompt',
      message: 'No prompt provided',
      details: 'No prompt provided',
      extra_info: {},
    };
    return json({ error, node_errors: {} }, 400);
  }
  if (!isPlainObject(body)) throw new PyError('TypeError', 'string indices must be integers');

  let promptId: string;
  if (sim.version === '0.3.64') {
    promptId = Object.hasOwn(body, 'prompt_id') ? pyStr(body.prompt_id) : sim.uuid();
  } else if (body.prompt_id === undefined || body.prompt_id === null) {
    promptId = sim.uuid();
  } else if (typeof body.prompt_id !== 'string' || !UUID_RE.test(body.prompt_id)) {
    const error = {
      type: 'invalid_prompt_id',
      message: 'Invalid prompt_id',
      details: `prompt_id must be a lowercase hyphenated UUID, got ${pyStr(body.prompt_id)}`,
      extra_info: {},
    };
    return json({ error, node_errors: {} }, 400);
  } else {
    promptId = body.prompt_id;
  }

  const result = validatePrompt(body.prompt, body.partial_execution_targets, {
    catalog: sim.catalog(),
    version: sim.version,
    imageExists: (name) => sim.files.imageExists(name),
  });
  let extraData: Record<string, unknown> = {};
  if (Object.hasOwn(body, 'extra_data')) {
    if (!isPlainObject(body.extra_data)) throw new PyError('TypeError', 'extra_data must be a dict');
    extraData = body.extra_data;
  }
  if (Object.hasOwn(body, 'client_id')) extraData.client_id = body.client_id;
  if (!result.ok) return json({ error: result.error, node_errors: result.nodeErrors }, 400);

  for (const key of SENSITIVE_KEYS) delete extraData[key];
  if (sim.version === '2026') extraData.create_time = sim.now();
  const item: QueueItem = {
    number,
    numberIsFloat,
    promptId,
    prompt: body.prompt as Record<string, unknown>,
    extraData,
    outputs: result.outputs,
    floatInputs: result.floatInputs,
  };
  sim.stats.promptsAccepted += 1;
  sim.stats.promptIds.push(promptId);
  sim.faults.onPromptAccepted(promptId);
  // The real server answers before any WS frame of this prompt (its status broadcast included):
  // frames are held until the reply is out. The opt-in fault lets them run ahead instead.
  const eventsFirstMs = sim.faults.takeEventsBeforeReply();
  const release = eventsFirstMs === null ? sim.holdEvents() : undefined;
  engine.put(item);
  if (eventsFirstMs !== null && eventsFirstMs > 0) await new Promise((r) => setTimeout(r, eventsFirstMs));
  return {
    ...json({
      prompt_id: promptId,
      number: numberIsFloat ? new PyFloat(number) : number,
      node_errors: result.nodeErrors,
    }),
    ...(release ? { after: release } : {}),
  };
}
