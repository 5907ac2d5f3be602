// The same chat asked through each client API (Ollama, OpenAI, Anthropic, Responses), and the
// assistant's text read back from any of their answers, streamed or whole.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { post, type Proxy } from './harness.ts';

export const APIS = ['ollama', 'openai', 'anthropic', 'responses'] as const;
export type Api = (typeof APIS)[number];

export interface Ask {
  model: string;
  text: string;
  stream?: boolean;
  /** A JSON schema for the answer, in the API's own field. */
  schema?: Record<string, unknown>;
  /** The API's output ceiling (`num_predict`, `max_tokens`, `max_output_tokens`). */
  maxTokens?: number;
  system?: string;
}

/** The path and body of a chat request in an API. */
export function requestFor(api: Api, ask: Ask): { path: string; body: Record<string, unknown>; headers: Record<string, string> } {
  const stream = ask.stream ?? false;
  const user = { role: 'user', content: ask.text };
  const system = ask.system === undefined ? [] : [{ role: 'system', content: ask.system }];
  switch (api) {
    case 'ollama':
      return { path: '/api/chat', headers: {}, body: { model: ask.model, stream, messages: [...system, user], ...(ask.schema ? { format: ask.schema } : {}), ...(ask.maxTokens ? { options: { num_predict: ask.maxTokens } } : {}) } };
    case 'openai':
      return { path: '/v1/chat/completions', headers: {}, body: { model: ask.model, stream, messages: [...system, user], ...(ask.schema ? { response_format: { type: 'json_schema', json_schema: { name: 'output', schema: ask.schema } } } : {}), ...(ask.maxTokens ? { max_tokens: ask.maxTokens } : {}) } };
    case 'anthropic':
      return {
        path: '/v1/messages', headers: { 'anthropic-version': '2023-06-01' },
        body: { model: ask.model, stream, max_tokens: ask.maxTokens ?? 1024, messages: [user], ...(ask.system ? { system: ask.system } : {}), ...(ask.schema ? { output_config: { format: { type: 'json_schema', schema: ask.schema } } } : {}) },
      };
    case 'responses':
      return { path: '/v1/responses', headers: {}, body: { model: ask.model, stream, input: ask.text, ...(ask.system ? { instructions: ask.system } : {}), ...(ask.schema ? { text: { format: { type: 'json_schema', name: 'output', schema: ask.schema } } } : {}), ...(ask.maxTokens ? { max_output_tokens: ask.maxTokens } : {}) } };
  }
}

/** Asks through an API; `content` is the assistant's text, read from the answer whatever its form. */
export async function askIn(proxy: Proxy, api: Api, ask: Ask) {
  const { path, body, headers } = requestFor(api, ask);
  const response = await post(proxy, path, body, headers);
  const content = response.status === 200 ? answerText(api, ask.stream ?? false, response.text) : undefined;
  return { ...response, content, model: response.headers.get('x-proxy-model'), attempts: response.headers.get('x-proxy-attempts') };
}

/** The assistant's text in an API's answer. */
export function answerText(api: Api, stream: boolean, text: string): string {
  if (!stream) {
    const body = JSON.parse(text);
    if (api === 'ollama') return body.message.content;
    if (api === 'openai') return body.choices[0].message.content;
    if (api === 'anthropic') return body.content.filter((block: { type: string }) => block.type === 'text').map((block: { text: string }) => block.text).join('');
    return body.output.flatMap((item: { content?: Array<{ type: string; text: string }> }) => item.content ?? []).filter((part: { type: string }) => part.type === 'output_text').map((part: { text: string }) => part.text).join('');
  }
  if (api === 'ollama') return text.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line).message?.content ?? '').join('');
  const events = text.split('\n\n').map((block) => block.split('\n').find((line) => line.startsWith('data: '))?.slice(6)).filter((data): data is string => data !== undefined && data !== '[DONE]').map((data) => JSON.parse(data));
  if (api === 'openai') return events.map((event) => event.choices?.[0]?.delta?.content ?? '').join('');
  if (api === 'anthropic') return events.filter((event) => event.type === 'content_block_delta' && event.delta.type === 'text_delta').map((event) => event.delta.text).join('');
  return events.filter((event) => event.type === 'response.output_text.delta').map((event) => event.delta).join('');
}

/** Writes the model filter (one pattern per line); it takes effect on the next request. */
export function writeFilter(proxy: Proxy, text: string): void {
  writeFileSync(join(proxy.dir, 'filter'), text);
}
