// OpenAI Responses (`POST /v1/responses`) as a dialect over the routed-attempt core: stateless, so
// every request carries its whole input and nothing is kept between responses.
import { randomBytes } from 'node:crypto';
import type { Answer, ChatDialect, ChatIntent } from '../../serving/dialect.ts';
import { toChatRequest, type ResponsesChatRequest } from './to-chat-request.ts';
import { toResponseEventsStage } from './to-response-events.ts';
import { toResponseObject } from './to-response-object.ts';
import type { ResponseContext } from './types.ts';

/** A parsed Responses request: the chat intent plus what the answer echoes and how tool calls map back. */
export interface ResponsesIntent extends ChatIntent {
  request: ResponsesChatRequest;
}

/** Makes a fresh id source for one answer; `resp_`, `msg_`, `fc_`, `ctc_`, `rs_` ids come from it. */
export type IdSource = () => (prefix: string) => string;

const randomIds: IdSource = () => (prefix) => `${prefix}_${randomBytes(12).toString('hex')}`;

function toContext(intent: ResponsesIntent, answer: Answer, ids: IdSource): ResponseContext {
  const newId = ids();
  return {
    id: newId('resp'),
    model: answer.model.id,
    createdAt: Math.floor(answer.clock.wall() / 1000),
    echo: intent.request.echo,
    toolTargets: intent.request.toolTargets,
    newId,
  };
}

/** The Responses dialect; tests pass counter ids so that expected files never change. */
export function createResponsesDialect(ids: IdSource = randomIds): ChatDialect<ResponsesIntent> {
  return {
    parse(body) {
      const request = toChatRequest(body);
      return {
        requestedModel: request.requestedModel,
        stream: request.stream,
        needs: request.needs,
        // Hosted tools, and the input items of hosted-tool calls, are left out; each type is logged once.
        droppedTools: [...request.droppedTools, ...request.skippedItems.map((type) => `${type} (input items)`)],
        chat: request.chat,
        toUpstream: (model) => ({ ...request.chat, model: model.id }),
        request,
      };
    },
    streamContentType: 'text/event-stream; charset=utf-8',
    encode: (intent, answer) => toResponseEventsStage(toContext(intent, answer, ids)),
    collect: { from: 'answer', build: (intent, parts, answer) => toResponseObject(toContext(intent, answer, ids), parts) },
  };
}

/** The Responses dialect with random ids, as the server uses it. */
export const responsesChat = createResponsesDialect();
