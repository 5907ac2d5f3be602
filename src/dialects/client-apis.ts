// The client APIs this server speaks, one record each (serving/client-api.ts). The route table, the
// error table, the request log's names and the dashboard's labels all come from this list. Order
// matters only where APIs share a path: Anthropic's model list (for clients that send
// `anthropic-version`) comes before OpenAI's, and Responses claims its path before OpenAI's /v1.
import type { ClientApi } from '../serving/client-api.ts';
import { anthropicApi } from './anthropic/api.ts';
import { ollamaApi } from './ollama/api.ts';
import { openAIApi } from './openai/api.ts';
import { responsesApi } from './responses/api.ts';

export const CLIENT_APIS: readonly ClientApi[] = [anthropicApi, responsesApi, openAIApi, ollamaApi];
