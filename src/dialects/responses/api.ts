// OpenAI's Responses API (`POST /v1/responses`) as one record; its HTTP errors are OpenAI's.
import type { ClientApi } from '../../serving/client-api.ts';
import { toOpenAIError } from '../openai/errors.ts';
import { responsesChat } from './chat-dialect.ts';

export const responsesApi: ClientApi = {
  name: 'responses',
  label: 'Responses',
  errorReply: toOpenAIError,
  claims: (path) => path === '/v1/responses' || path.startsWith('/v1/responses/'),
  chats: { '/v1/responses': responsesChat },
};
