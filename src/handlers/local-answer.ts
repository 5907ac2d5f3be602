// Answers the proxy makes itself (session titles), in the client's API and stream form, with no
// upstream request. The answer is built as neutral answer events (chat/answer.ts); until the
// dialects encode those events (issue 20), a small adapter below turns them into the OpenAI chunks
// today's encoders read.
import type { CatalogModel } from '../catalog/model-info.ts';
import { collectAnswer, type AnswerEvent } from '../chat/answer.ts';
import type { ChunkPart } from '../chat/parts.ts';
import type { ChatChunkChoice, ChatCompletion, Usage } from '../chat/wire.ts';
import type { ChatDialect, ChatIntent } from '../dialects/dialect.ts';
import type { ParsedRequest, Reply } from '../http/url-router.ts';
import { partSourceOf, partSourceStream } from '../streams/part-source.ts';
import { routingHeaders, type HandlerContext } from './context.ts';

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

/** Serves a local answer's events in a dialect: streamed or whole, logged like a routed answer (0 attempts). */
export function serveLocalAnswer<I extends ChatIntent>(context: HandlerContext, request: ParsedRequest, dialect: ChatDialect<I>, intent: I, events: AnswerEvent[]): Reply {
  const { clock } = context;
  const now = clock.monotonic();
  const answer = { model: LOCAL_MODEL, timing: { startedAt: now, headersAt: now }, clock };
  const frame = { id: `local-${Math.floor(clock.wall())}`, created: Math.floor(clock.wall() / 1000), model: LOCAL_MODEL.id };
  const parts = toChunkParts(events, frame);
  const entry = context.requests.begin({ api: dialect.api, requested: intent.requestedModel });
  entry.firstToken();
  const usage = collectAnswer(events).usage;
  entry.end({ status: 200, model: LOCAL_MODEL.id, ...(usage ? { tokens: { prompt: usage.prompt_tokens ?? 0, completion: usage.completion_tokens ?? 0 } } : {}) });
  request.note?.({ requested: intent.requestedModel, model: LOCAL_MODEL.id, attempts: 0 });
  const headers = routingHeaders(LOCAL_MODEL, 0);
  if (intent.stream) return { stream: partSourceStream(partSourceOf([parts]), dialect.encodeStream(intent, answer)), contentType: dialect.streamContentType, headers };
  const build = dialect.nonStream;
  if (build.from === 'completion') return { json: build.build(intent, toCompletion(events, frame)), headers };
  return { json: build.build(intent, parts, answer), headers };
}

// ---- ADAPTER: delete when the dialects encode AnswerEvents (issue 20) ------------------------------
// Events → the OpenAI chunks (ChatPart) and completion that today's encoders and builders read.

interface Frame {
  id: string;
  created: number;
  model: string;
}

/** Answer events as OpenAI chat chunks: one per text or reasoning event, and a final one with the finish reason and usage. */
export function toChunkParts(events: readonly AnswerEvent[], frame: Frame): ChunkPart[] {
  const chunk = (delta: NonNullable<ChatChunkChoice['delta']>, finish: string | null, usage?: Usage): ChunkPart => {
    const value = { id: frame.id, object: 'chat.completion.chunk', created: frame.created, model: frame.model, choices: [{ index: 0, delta, finish_reason: finish }], ...(usage ? { usage } : {}) };
    return { type: 'chunk', chunk: value, data: JSON.stringify(value) };
  };
  const parts: ChunkPart[] = [];
  for (const event of events) {
    if (event.type === 'text') parts.push(chunk({ ...(parts.length === 0 ? { role: 'assistant' } : {}), content: event.text }, null));
    else if (event.type === 'reasoning') parts.push(chunk({ ...(parts.length === 0 ? { role: 'assistant' } : {}), reasoning: event.text }, null));
    else if (event.type === 'finish') parts.push(chunk({}, event.reason, event.usage));
  }
  return parts;
}

/** Answer events as one OpenAI chat completion. */
export function toCompletion(events: readonly AnswerEvent[], frame: Frame): ChatCompletion {
  const answer = collectAnswer(events);
  return {
    id: frame.id,
    object: 'chat.completion',
    created: frame.created,
    model: frame.model,
    choices: [{ index: 0, message: { role: 'assistant', content: answer.text, ...(answer.reasoning !== '' ? { reasoning: answer.reasoning } : {}) }, finish_reason: answer.finishReason }],
    ...(answer.usage ? { usage: answer.usage } : {}),
  } as ChatCompletion;
}
// ---- end of ADAPTER --------------------------------------------------------------------------------
