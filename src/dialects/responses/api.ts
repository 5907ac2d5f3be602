// OpenAI's Responses API (`POST /v1/responses`) as one record; its HTTP errors are OpenAI's, with
// its own reading of the daily cap (responses/errors.ts).
import type { ClientApi } from '../../serving/client-api.ts';
import { responsesChat } from './chat-dialect.ts';
import { toResponsesError } from './errors.ts';

export const responsesApi: ClientApi = {
  name: 'responses',
  label: 'Responses',
  errorReply: toResponsesError,
  claims: (path) => path === '/v1/responses' || path.startsWith('/v1/responses/'),
  chats: { '/v1/responses': responsesChat },
};
