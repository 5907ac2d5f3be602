// Answers the proxy makes itself (a session title): no model is tried and nothing goes upstream, but
// the request is logged like any other (0 attempts) and every dialect encodes it from its events.
import type { CatalogModel } from '../catalog/model-info.ts';
import { collectAnswer, type AnswerEvent } from '../chat/answer.ts';
import type { Clock } from '../clock.ts';
import type { OutcomeBus } from '../routing/attempt-outcome.ts';
import { stageStream } from '../streams/stage.ts';
import type { LocalAnswer, Routed, RouteTarget } from './routed-chat.ts';

/** The model a local answer names (`X-Proxy-Model`, the Responses `model`, the request log). */
export const LOCAL_MODEL: CatalogModel = {
  id: 'ollama-openrouter-proxy/local',
  name: 'local:latest',
  title: 'Answered by the proxy',
  contextLength: 0,
  free: true,
  capabilities: { completion: true, tools: false, vision: false, thinking: false, embedding: false, structuredOutputs: true, jsonMode: true },
  created: 0,
  family: 'local',
  parameterSize: '',
};

/** Serves `events` as the committed answer to `target`, reporting the request on the bus. */
export function answerLocally(bus: OutcomeBus, clock: Clock, target: RouteTarget, events: readonly AnswerEvent[]): Routed<LocalAnswer> {
  const request = bus.request(target.requestedModel, target.api);
  const whole = collectAnswer(events);
  bus.emit({ kind: 'request-start', request });
  bus.emit({ kind: 'first-content', request });
  bus.emit({ kind: 'request-end', request, status: 200, model: LOCAL_MODEL.id, ...(whole.usage !== undefined ? { usage: whole.usage } : {}) });
  const now = clock.monotonic();
  return {
    value: { reply: (encoder) => ReadableStream.from([[...events]]).pipeThrough(stageStream(encoder)), cancel: async () => {}, whole: () => whole },
    model: LOCAL_MODEL,
    attempts: 0,
    timing: { startedAt: now, headersAt: now },
  };
}
